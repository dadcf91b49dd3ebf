/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one list of kernel-log crash patterns, and its one matcher, for every
 * gntlab program that reads a log: the host runner (the serial console),
 * the guest test program and dom0's conductor (their own kernel's log,
 * read with klogctl). Plain C, no dependencies.
 *
 * A pattern is matched case-sensitively, and must not start inside a word
 * ("DEBUG: x" is not "BUG: "); one that ends in a letter must not be
 * followed by another ("Oopsie" is not "Oops"). The first listed pattern
 * found wins, so specific ones come before the general ones they contain.
 */
#ifndef GNTLAB_CRASH_PATTERNS_H
#define GNTLAB_CRASH_PATTERNS_H

#include <stddef.h>

/* Which log a line comes from: some patterns count only in a kernel's own log. */
enum crash_log {
	/* The serial console: Xen, both kernels and user space interleaved. */
	CRASH_CONSOLE = 1,
	/* One kernel's own log (klogctl): every line is the kernel's. */
	CRASH_KLOG = 2,
};

struct crash_pattern {
	const char *text;  /* as printed */
	const char *why;   /* who prints it, and what it means */
	unsigned int logs; /* CRASH_CONSOLE | CRASH_KLOG: where it counts */
};

extern const struct crash_pattern crash_patterns[];
extern const size_t crash_pattern_count;

/* The first pattern in line[0..len) that counts in that log, or NULL. */
const struct crash_pattern *crash_match(const char *line, size_t len, enum crash_log log);

/*
 * The first line of text (NUL-terminated, lines separated by '\n') with a
 * pattern, or NULL; *line and *len (if not NULL) get that line, without its
 * newline.
 */
const struct crash_pattern *crash_find(const char *text, enum crash_log log, const char **line,
				       size_t *len);

/* How many lines of text have a pattern. */
size_t crash_count(const char *text, enum crash_log log);

#endif
