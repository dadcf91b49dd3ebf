// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj: fail_function's knobs, for the faultinj suite (faultinj.h).
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
	return access(FI_FAIL_FUNCTION "/inject", W_OK) == 0;
}

/* Write `val` to FI_FAIL_FUNCTION/<file>; ERROR if the kernel refuses. */
static void fi_put(const char *file, const char *val)
{
	char path[256];
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FI_FAIL_FUNCTION "/%s", file);
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

	snprintf(path, sizeof(path), FI_FAIL_FUNCTION "/%s", file);
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
	fi_put("inject", "");
}

static bool filtered;

bool fi_task_filtered(void)
{
	return filtered;
}

void fi_target(const char *fn, long errno_ret)
{
	char file[160], probe[256];

	fi_reset();
	fi_put("probability", "100");
	fi_put("interval", "1");
	fi_put("space", "0");
	fi_put("verbose", "1");
	fi_put("inject", fn);
	if (errno_ret) {
		snprintf(file, sizeof(file), "%s/retval", fn);
		fi_putf(file, "%#llx", (unsigned long long)errno_ret);
	}
	/*
	 * The task filter needs the probe to run in the task's context
	 * (in_task()). A kprobe on ftrace's function entry does; an int3
	 * kprobe (a kernel without FUNCTION_TRACER, e.g. the debug
	 * profile's) runs in the int3 handler, which x86 enters like an NMI:
	 * in_task() is false there and a task-filtered failure never fires.
	 * Then the filter is off and the restriction is the arming window.
	 */
	first_line(FI_DEBUGFS "/kprobes/list", fn, probe, sizeof(probe));
	filtered = strstr(probe, "[FTRACE]") != NULL;
	fi_put("task-filter", filtered ? "Y" : "N");
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

void fi_task_filter(bool on)
{
	fi_put("task-filter", on ? "Y" : "N");
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
					     "task-filter", "verbose", "inject" };
	char path[256], val[256];
	size_t off = 0;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]) && off < len; i++) {
		snprintf(path, sizeof(path), FI_FAIL_FUNCTION "/%s", knobs[i]);
		first_line(path, NULL, val, sizeof(val));
		off += (size_t)snprintf(buf + off, len - off, "%s %s ", knobs[i], val);
	}
	if (off < len) {
		first_line("/proc/thread-self/make-it-fail", NULL, val, sizeof(val));
		off += (size_t)snprintf(buf + off, len - off, "make-it-fail %s ", val);
	}
	if (off < len) {
		first_line(FI_DEBUGFS "/kprobes/list", "gntlab", val, sizeof(val));
		snprintf(buf + off, len - off, "kprobe %s", val);
	}
}
