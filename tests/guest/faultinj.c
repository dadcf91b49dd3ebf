// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj: the module's fault injection knobs, for the faultinj suite
 * (faultinj.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultinj.h"
#include "harness.h"

static int self_fd = -1;	/* /proc/thread-self/make-it-fail */

static void first_line(const char *path, const char *match, char *out, size_t len);

bool fi_available(void)
{
	return access(FI_DIR "/point", W_OK) == 0;
}

/* Write `val` to FI_DIR/<file>; ERROR if the kernel refuses. */
static void fi_put(const char *file, const char *val)
{
	char path[256];
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FI_DIR "/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		ERROR("open %s: %s", path, strerror(errno));
	/* An empty write must still reach the kernel: write a newline. */
	n = write(fd, len ? val : "\n", len ? len : 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		ERROR("write \"%s\" to %s: %s", val, path, strerror(e));
	}
	close(fd);
}

static void fi_putf(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fi_putf(const char *file, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	fi_put(file, val);
}

static long long fi_get(const char *file)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FI_DIR "/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ERROR("open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		ERROR("read %s: %s", path, n < 0 ? strerror(errno) : "empty");
	buf[n] = '\0';
	return strtoll(buf, NULL, 0);
}

void fi_reset(void)
{
	fi_put("times", "0");
	fi_putf("point", "%u", FI_NONE);
}

/* The module's index of point `fn` (FI_DIR/points: "<index> <fn>" lines). */
static int fi_point_index(const char *fn)
{
	FILE *f = fopen(FI_DIR "/points", "re");
	char line[160], name[128];
	int idx = -1, i;

	if (!f)
		ERROR("open " FI_DIR "/points: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %127s", &i, name) == 2 && !strcmp(name, fn)) {
			idx = i;
			break;
		}
	fclose(f);
	return idx;
}

bool fi_has_point(const char *fn)
{
	return fi_point_index(fn) >= 0;
}

void fi_target(const char *fn)
{
	int idx = fi_point_index(fn);

	if (idx < 0)
		ERROR("gntlab has no fault injection point %s (" FI_DIR "/points)", fn);
	fi_reset();
	fi_put("probability", "100");
	fi_put("interval", "1");
	fi_put("space", "0");
	fi_put("verbose", "1");
	fi_put("task-filter", "Y");
	fi_putf("point", "%d", idx);
}

void fi_arm(unsigned int n)
{
	fi_putf("space", "%u", n);
	fi_put("times", "1");
}

bool fi_disarm(void)
{
	bool fired = fi_get("times") == 0;

	fi_put("times", "0");
	return fired;
}

void fi_task(bool on)
{
	if (self_fd < 0) {
		self_fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
		if (self_fd < 0)
			ERROR("open /proc/thread-self/make-it-fail: %s", strerror(errno));
	}
	if (pwrite(self_fd, on ? "1" : "0", 1, 0) != 1)
		ERROR("make-it-fail %d: %s", on, strerror(errno));
}

/* The first line of `path`, or "?" (newline stripped). */
static void first_line(const char *path, const char *match, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[256];

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (match && !strstr(line, match))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", line);
		break;
	}
	fclose(f);
}

void fi_describe(char *buf, size_t len)
{
	static const char *const knobs[] = { "probability", "interval", "times", "space",
					     "task-filter", "verbose", "point" };
	char path[256], val[256];
	size_t off = 0;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]) && off < len; i++) {
		snprintf(path, sizeof(path), FI_DIR "/%s", knobs[i]);
		first_line(path, NULL, val, sizeof(val));
		off += (size_t)snprintf(buf + off, len - off, "%s %s ", knobs[i], val);
	}
	if (off < len) {
		first_line("/proc/thread-self/make-it-fail", NULL, val, sizeof(val));
		snprintf(buf + off, len - off, "make-it-fail %s", val);
	}
}
