// SPDX-License-Identifier: GPL-2.0
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../tests/markers.h"

static int failures;
static bool relayed;

void report_relayed(bool on)
{
	relayed = on;
}

/* A name missing from conductor_tests[] is a bug of ours: say so loudly. */
static bool known(const char *name)
{
	if (relayed)
		return true;
	for (size_t i = 0; conductor_tests[i]; i++)
		if (!strcmp(conductor_tests[i], name))
			return true;
	return false;
}

/* One marker per line, flushed at once: the serial line is our only pipe. */
static void emit(const char *mark, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	printf("%s%s\n", mark, buf);
	fflush(stdout);
}

static void emitf(const char *mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(mark, fmt, ap);
	va_end(ap);
}

void report_phase(const char *phase)
{
	emitf(GNTLAB_MARK_PHASE, "%s", phase);
}

void report_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(GNTLAB_MARK_DIAG, fmt, ap);
	va_end(ap);
}

bool report_test(bool ok, const char *name, const char *fmt, ...)
{
	char why[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!known(name)) {
		snprintf(why, sizeof(why), "test name not in dom0-tools/test_names.c");
		ok = false;
	}
	/* The message explains a failure; a pass needs no explanation. */
	if (ok) {
		emitf(GNTLAB_MARK_TAP, "ok %s", name);
	} else {
		failures++;
		emitf(GNTLAB_MARK_TAP, "not ok %s # %s", name, why);
	}
	return ok;
}

void report_skip(const char *name, const char *fmt, ...)
{
	char why[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!known(name)) {
		report_test(false, name, "%s", "");
		return;
	}
	emitf(GNTLAB_MARK_TAP, "ok %s # SKIP %s", name, why);
}

void report_narrate(const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emitf(GNTLAB_MARK_LOG, "demo %s", buf);
}

void report_log_file(const char *domain, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		emitf(GNTLAB_MARK_LOG, "%s (no log at %s)", domain, path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		emitf(GNTLAB_MARK_LOG, "%s %s", domain, line);
	}
	fclose(f);
}

int report_failures(void)
{
	return failures;
}
