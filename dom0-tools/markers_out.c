// SPDX-License-Identifier: GPL-2.0
#include "markers_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../tests/markers.h"

static int problems;

/*
 * One marker per line, flushed at once: the serial line is our only pipe.
 * The payload never carries what the runner reads as another writer's line
 * inside a marker (tests/markers.h): "(XEN) " becomes "(xen) ", "(d1) "
 * becomes "(D1) ", and a kernel
 * timestamp's "[" becomes "{" (GNTLAB-LOG keeps timestamps: relayed logs).
 */
static void emit(const char *mark, const char *fmt, va_list ap)
{
	char buf[1024];
	bool is_log = strcmp(mark, GNTLAB_MARK_LOG) == 0;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (char *c = buf; *c; c++) {
		if (*c == '\n' || *c == '\r')
			*c = ' ';
		if (gntlab_foreign_line_at(c) == 0)
			continue;
		if (gntlab_foreign_is_xen(c) && c[1] == 'X')
			memcpy(c, "(xen)", 5);
		else if (gntlab_foreign_is_xen(c))
			c[1] = 'D';
		else if (!is_log)
			*c = '{';
	}
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

void report_verdict(enum d0_verdict v, const char *name, const char *ref,
		    const char *why)
{
	char line[1000];

	d0_verdict_format(line, sizeof(line), v, name, ref, why);
	if (d0_verdict_bad(v))
		problems++;
	emitf(GNTLAB_MARK_TAP, "%s", line);
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

void report_matrix(const char *cell)
{
	emitf(GNTLAB_MARK_MATRIX, "%s", cell);
}

void report_log(const char *domain, const char *text)
{
	emitf(GNTLAB_MARK_LOG, "%s %s", domain, text);
}

int report_problems(void)
{
	return problems;
}
