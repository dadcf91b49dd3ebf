// SPDX-License-Identifier: GPL-2.0
/*
 * Boot milestones, the phase in progress, and timeouts.
 *
 * All of it is a pure function of the times passed in (seconds since QEMU
 * started), so the unit tests can drive a whole boot, or a hang, without
 * waiting for one.
 */
#ifndef GNTLAB_HOST_PHASE_H
#define GNTLAB_HOST_PHASE_H

#include <stdbool.h>
#include <stddef.h>

/* In the order a boot reaches them. */
enum milestone {
	MS_QEMU_START = 0,
	MS_XEN,		/* "(XEN) ... Xen version" */
	MS_LINUX,	/* "Linux version": dom0 kernel started */
	MS_DOM0_INIT,	/* GNTLAB-PHASE dom0-init */
	MS_DOM0_READY,	/* GNTLAB-PHASE dom0-ready */
	MS_GUEST_START, /* GNTLAB-PHASE guest-start */
	MS_GUEST_READY, /* GNTLAB-PHASE guest-ready */
	MS_TESTS,	/* GNTLAB-PHASE tests */
	MS_TESTS_DONE,	/* GNTLAB-PHASE tests-done */
	MS_END,		/* GNTLAB-END */
	MS_QEMU_EXIT,
	MS_COUNT,
};

/* "qemu-start", "xen-start", "dom0-kernel", "dom0-init", ..., "end", "qemu-exit" */
const char *milestone_name(enum milestone ms);
/* How the serial line shows it: "GNTLAB-PHASE dom0-ready", "Linux version", ... */
const char *milestone_what(enum milestone ms);
/* The milestone of a GNTLAB-PHASE name, or -1 if it is not one of markers.h. */
int milestone_from_phase(const char *name, size_t len);

struct timeouts {
	double boot;	  /* QEMU start -> dom0-init */
	double phase;	  /* each later step, from the previous milestone */
	double total;	  /* QEMU start -> QEMU exit */
	double after_end; /* GNTLAB-END -> QEMU exit; QEMU is then stopped, no failure */
};

#define PHASE_WHAT_MAX 300

struct phase_state {
	bool seen[MS_COUNT];
	double at[MS_COUNT];
	enum milestone last; /* latest protocol milestone reached (or MS_QEMU_START) */
	double progress_at;  /* when the current wait started */
	char progress_what[PHASE_WHAT_MAX]; /* what started it */
};

void phase_init(struct phase_state *ps, double t0);
/*
 * Record a milestone at time t. Returns true the first time it is seen.
 * A protocol milestone (dom0-init .. end) later than the last one becomes the
 * new starting point of the phase clock; earlier or repeated ones change
 * nothing (a phase is allowed to be skipped, not to go back).
 */
bool phase_reach(struct phase_state *ps, enum milestone ms, double t);
/*
 * Some other sign of progress (a test result): restarts the phase clock, so
 * that a long test list is bounded per test, not as a whole.
 */
void phase_progress(struct phase_state *ps, double t, const char *what);

/* The next protocol milestone awaited (MS_QEMU_EXIT once GNTLAB-END was seen). */
enum milestone phase_waiting_for(const struct phase_state *ps);
/* Name of the phase in progress, for "crash/<phase>". */
const char *phase_in_progress(const struct phase_state *ps);

enum timeout_kind {
	TIMEOUT_NONE = 0,
	TIMEOUT_PHASE,	   /* the awaited milestone did not arrive in time */
	TIMEOUT_TOTAL,	   /* the whole run took too long */
	TIMEOUT_AFTER_END, /* QEMU did not exit after GNTLAB-END: stop it, no failure */
};

/*
 * Which timeout, if any, has expired at `now`. *next_deadline (if not NULL)
 * receives the earliest deadline still ahead or just passed.
 */
enum timeout_kind phase_timeout(const struct phase_state *ps, const struct timeouts *to, double now,
				double *next_deadline);
/* Human explanation of an expired timeout (no trailing newline). */
void phase_timeout_message(const struct phase_state *ps, const struct timeouts *to,
			   enum timeout_kind kind, double now, char *buf, size_t size);

/* Duration between two milestones, or -1 if either was not seen. */
double phase_span(const struct phase_state *ps, enum milestone from, enum milestone to);

#endif /* GNTLAB_HOST_PHASE_H */
