// SPDX-License-Identifier: GPL-2.0
#include "phase.h"

#include <stdio.h>
#include <string.h>

#include "../markers.h"

static const struct {
	const char *name;
	const char *what;
} milestones[MS_COUNT] = {
	[MS_QEMU_START] = {"qemu-start", "QEMU start"},
	[MS_XEN] = {"xen-start", "(XEN) Xen version"},
	[MS_LINUX] = {"dom0-kernel", "Linux version"},
	[MS_DOM0_INIT] = {GNTLAB_PHASE_DOM0_INIT, "GNTLAB-PHASE " GNTLAB_PHASE_DOM0_INIT},
	[MS_DOM0_READY] = {GNTLAB_PHASE_DOM0_READY, "GNTLAB-PHASE " GNTLAB_PHASE_DOM0_READY},
	[MS_GUEST_START] = {GNTLAB_PHASE_GUEST_START, "GNTLAB-PHASE " GNTLAB_PHASE_GUEST_START},
	[MS_GUEST_READY] = {GNTLAB_PHASE_GUEST_READY, "GNTLAB-PHASE " GNTLAB_PHASE_GUEST_READY},
	[MS_TESTS] = {GNTLAB_PHASE_TESTS, "GNTLAB-PHASE " GNTLAB_PHASE_TESTS},
	[MS_TESTS_DONE] = {GNTLAB_PHASE_TESTS_DONE, "GNTLAB-PHASE " GNTLAB_PHASE_TESTS_DONE},
	[MS_END] = {"end", "GNTLAB-END"},
	[MS_QEMU_EXIT] = {"qemu-exit", "QEMU exit"},
};

const char *milestone_name(enum milestone ms)
{
	return ms < MS_COUNT ? milestones[ms].name : "?";
}

const char *milestone_what(enum milestone ms)
{
	return ms < MS_COUNT ? milestones[ms].what : "?";
}

int milestone_from_phase(const char *name, size_t len)
{
	for (int ms = MS_DOM0_INIT; ms <= MS_TESTS_DONE; ms++)
		if (strlen(milestones[ms].name) == len &&
		    memcmp(milestones[ms].name, name, len) == 0)
			return ms;
	return -1;
}

void phase_init(struct phase_state *ps, double t0)
{
	memset(ps, 0, sizeof(*ps));
	ps->seen[MS_QEMU_START] = true;
	ps->at[MS_QEMU_START] = t0;
	ps->last = MS_QEMU_START;
	ps->progress_at = t0;
	snprintf(ps->progress_what, sizeof(ps->progress_what), "%s",
		 milestones[MS_QEMU_START].what);
}

static bool is_protocol(enum milestone ms)
{
	return ms >= MS_DOM0_INIT && ms <= MS_END;
}

bool phase_reach(struct phase_state *ps, enum milestone ms, double t)
{
	bool first;

	if (ms >= MS_COUNT)
		return false;
	first = !ps->seen[ms];
	if (first) {
		ps->seen[ms] = true;
		ps->at[ms] = t;
	}
	if (is_protocol(ms) && ms > ps->last) {
		ps->last = ms;
		ps->progress_at = t;
		snprintf(ps->progress_what, sizeof(ps->progress_what), "%s", milestones[ms].what);
	}
	return first;
}

void phase_progress(struct phase_state *ps, double t, const char *what)
{
	ps->progress_at = t;
	snprintf(ps->progress_what, sizeof(ps->progress_what), "%s", what);
}

enum milestone phase_waiting_for(const struct phase_state *ps)
{
	if (ps->seen[MS_END])
		return MS_QEMU_EXIT;
	if (ps->last < MS_DOM0_INIT)
		return MS_DOM0_INIT;
	return (enum milestone)(ps->last + 1);
}

const char *phase_in_progress(const struct phase_state *ps)
{
	if (ps->last >= MS_DOM0_INIT)
		return milestones[ps->last].name;
	if (ps->seen[MS_LINUX])
		return "dom0-kernel";
	if (ps->seen[MS_XEN])
		return "xen";
	return "boot";
}

enum timeout_kind phase_timeout(const struct phase_state *ps, const struct timeouts *to, double now,
				double *next_deadline)
{
	enum milestone wait = phase_waiting_for(ps);
	enum timeout_kind kind = TIMEOUT_TOTAL;
	double deadline = ps->at[MS_QEMU_START] + to->total;
	double d;
	enum timeout_kind k;

	if (wait == MS_DOM0_INIT) {
		d = ps->at[MS_QEMU_START] + to->boot;
		k = TIMEOUT_PHASE;
	} else if (wait == MS_QEMU_EXIT) {
		d = ps->at[MS_END] + to->after_end;
		k = TIMEOUT_AFTER_END;
	} else {
		d = ps->progress_at + to->phase;
		k = TIMEOUT_PHASE;
	}
	/* On a tie the phase names the step that is missing: more useful. */
	if (d <= deadline) {
		deadline = d;
		kind = k;
	}
	if (next_deadline)
		*next_deadline = deadline;
	return now >= deadline ? kind : TIMEOUT_NONE;
}

void phase_timeout_message(const struct phase_state *ps, const struct timeouts *to,
			   enum timeout_kind kind, double now, char *buf, size_t size)
{
	enum milestone wait = phase_waiting_for(ps);
	double t0 = ps->at[MS_QEMU_START];

	switch (kind) {
	case TIMEOUT_PHASE:
		if (wait == MS_DOM0_INIT)
			snprintf(buf, size,
				 "'%s' did not arrive within %.0f s of QEMU start (boot timeout)",
				 milestones[wait].what, to->boot);
		else
			snprintf(buf, size, "'%s' did not arrive within %.0f s of '%s' (at %.1f s)",
				 milestones[wait].what, to->phase, ps->progress_what,
				 ps->progress_at - t0);
		break;
	case TIMEOUT_TOTAL:
		snprintf(buf, size,
			 "total timeout: %.0f s elapsed while waiting for '%s' (last progress: "
			 "'%s' at %.1f s)",
			 now - t0, milestones[wait].what, ps->progress_what, ps->progress_at - t0);
		break;
	case TIMEOUT_AFTER_END:
		snprintf(buf, size, "QEMU did not exit within %.0f s of GNTLAB-END; stopped",
			 to->after_end);
		break;
	default:
		snprintf(buf, size, "no timeout");
		break;
	}
}

double phase_span(const struct phase_state *ps, enum milestone from, enum milestone to)
{
	if (!ps->seen[from] || !ps->seen[to])
		return -1;
	return ps->at[to] - ps->at[from];
}
