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

/* ---- known reports ------------------------------------------------------ */

/*
 * A kernel report that is known and is not a bug of the code under test (a
 * bug in the kernel's own drivers), named by its reference. The one list is
 * known_reports[] in crash_patterns.c, used by every program that reads a
 * log: the guest's and dom0's after-test checks make a test that saw only
 * known reports XFAIL (with the reference), the host runner's console scan
 * records a crash/<phase> XFAIL instead of stopping the run. Anything else
 * that matches a crash pattern still fails.
 *
 * A report starts at a line with a crash pattern that contains `headline`
 * and runs to the first line with "</TASK>" (the end of its stack dump); a
 * line with another crash pattern (other than "Call Trace:") ends it early.
 * It is this known report when every string of `sig` occurs in its lines
 * and the kernel release it prints (the "<release> #<n>" of lockdep's and
 * WARN's identification lines) lies in `kernels`. A report whose release
 * cannot be read is not known.
 */
#define KNOWN_SIG_MAX 8
#define KNOWN_REPORTS_MAX 16

struct known_report {
	const char *id;	      /* short name (lower case, '-') */
	const char *title;    /* what it is, in words that match no crash pattern */
	const char *headline; /* the first line of the report contains this */
	const char *sig[KNOWN_SIG_MAX]; /* all must occur in the report (NULL-terminated) */
	/* Kernel releases: "lo..hi" (lo <= v < hi), "lo..", "..hi", or "X.Y"
	 * (X.Y.*), compared as numbers (tests/guest/expect.h's .kernel). */
	const char *kernels;
	const char *ref; /* one word: the upstream commit, patch or source lines */
	const char *why; /* the bug, for the docs */
};

extern const struct known_report known_reports[];
extern const size_t known_report_count;

/* Does release ("6.1.192-gntlab-debug") lie in range? -1: unreadable or bad range. */
int crash_release_in(const char *range, const char *release);

enum crash_kind { CRASH_KNOWN = 1, CRASH_UNKNOWN = 2 };

/* A report as a scan decided it (the strings live during the callback only). */
struct crash_report {
	enum crash_kind kind;
	const struct crash_pattern *pattern; /* of its first line */
	const struct known_report *known;    /* CRASH_KNOWN: which */
	const char *line;		     /* its first line */
	size_t len;
	/* CRASH_KNOWN: the same headline, same timestamp, as a known report
	 * already seen (a log quoted twice, e.g. the guest's closing dmesg). */
	int repeat;
};

typedef void (*crash_report_fn)(const struct crash_report *r, void *arg);

#define CRASH_SCAN_LINE 300	  /* bytes of a headline kept */
#define CRASH_SCAN_MAX_LINES 400 /* a report longer than this ends there */
#define CRASH_SCAN_SEEN 8	  /* known headlines remembered (repeats) */

/* A line-by-line scan of a log: the console as it streams, or a batch. */
struct crash_scan {
	enum crash_log log;
	crash_report_fn fn;
	void *arg;
	int open; /* reading a report that a known report may be */
	const struct crash_pattern *head_pat;
	char head[CRASH_SCAN_LINE];
	unsigned int lines;
	unsigned int found[KNOWN_REPORTS_MAX]; /* per known report: bit i = sig[i] seen */
	char release[64];
	char seen[CRASH_SCAN_SEEN][CRASH_SCAN_LINE]; /* known headlines, from the timestamp on */
	const struct known_report *seen_known[CRASH_SCAN_SEEN];
	unsigned int nseen;
};

void crash_scan_init(struct crash_scan *s, enum crash_log log, crash_report_fn fn, void *arg);
/* One line (without its newline): fn is called for each report decided. */
void crash_scan_line(struct crash_scan *s, const char *line, size_t len);
/* The end of the log: a report still open is decided on what it had. */
void crash_scan_end(struct crash_scan *s);

/* What a whole text holds: counts, and the first unknown / known report. */
struct crash_verdict {
	unsigned int unknown, known;
	const struct crash_pattern *pattern;	/* of the first unknown report */
	char line[CRASH_SCAN_LINE];		/* its first line */
	const struct known_report *first_known; /* the first known report */
};

/*
 * Scans text (NUL-terminated, '\n'-separated): CRASH_UNKNOWN if it holds a
 * report that is not known, else CRASH_KNOWN if it holds known ones, else 0.
 */
int crash_judge(const char *text, enum crash_log log, struct crash_verdict *v);
/*
 * The same for a log read piece by piece: crash_verdict_init(&v), then a
 * scan with crash_verdict_add as its fn and &v as its arg.
 */
void crash_verdict_init(struct crash_verdict *v);
void crash_verdict_add(const struct crash_report *r, void *v);

#endif
