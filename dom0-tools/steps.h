/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's tests as tables of named steps, run by one small runner.
 *
 * A scenario is an ordered table of steps; each step has a name
 * ("suite/name"), its catalogue text and a function. The runner reports
 * every step of every scenario it runs, always: a step whose prerequisite
 * (`needs`) did not pass reports `ERROR not run: <step> failed` instead of
 * running, so a failing step can never make later steps vanish.
 *
 * Which scenarios run is decided from the test filter alone (conductor.c's
 * plan), so `gntlab-conductor --list --filter F` prints exactly what a run
 * with F reports.
 *
 * Verdicts (tests/markers.h): a step's function leaves r->v at D0_PASS or
 * sets it through step_fail (the code under test is wrong), step_error (the
 * environment broke: libvirt, xenstore, a guest that does not come up, an
 * agent that does not answer), step_skip, step_xfail.
 */
#ifndef GNTLAB_STEPS_H
#define GNTLAB_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum d0_verdict { D0_PASS, D0_FAIL, D0_SKIP, D0_ERROR, D0_XFAIL, D0_XPASS };

struct step_res {
	enum d0_verdict v;
	char ref[64];		/* XFAIL/XPASS: the known bug's reference */
	char why[700];
};

struct scen_env;

struct step {
	const char *name;
	/* Catalogue text (markdown): what it checks, expected outcome, why. */
	const char *doc;
	/* NULL: reported by someone else (dom0's /init), only listed. */
	void (*run)(struct scen_env *e, struct step_res *r);
	/* ','-separated earlier steps that must have passed; NULL = none. */
	const char *needs;
};

enum scen_select {
	SCEN_ALWAYS,	/* part of every run of its plan */
	SCEN_BY_NAME,	/* runs when the filter matches one of its step names */
};

struct scenario {
	const char *id;			/* for diagnostics */
	enum scen_select select;
	const char *needs;		/* prerequisites of every step */
	const struct step *steps;
	size_t nsteps;
	/* Called for every planned scenario once the setup passed: start
	 * slow work (a second guest) in the background. May be NULL. */
	void (*start)(struct scen_env *e);
	/* Called after its steps, whatever they did. May be NULL. */
	void (*cleanup)(struct scen_env *e);
};

#define SCENARIO(sid, sel, req, tab, st, cl)                                   \
	{ .id = sid, .select = sel, .needs = req, .steps = tab,               \
	  .nsteps = sizeof(tab) / sizeof((tab)[0]), .start = st, .cleanup = cl }

#define STEPS_MAX_DONE 512

struct step_run {
	/* Where verdicts go; report_verdict() in the conductor. */
	void (*emit)(enum d0_verdict v, const char *name, const char *ref,
		     const char *why);
	struct {
		const char *name;
		enum d0_verdict v;
	} done[STEPS_MAX_DONE];
	size_t ndone;
};

/* Does this filter (NULL/"" = everything) select the scenario? */
bool scenario_selected(const struct scenario *sc, const char *filter);

/* Run (and report) every step of sc, then its cleanup. */
void steps_run_scenario(struct step_run *s, const struct scenario *sc,
			struct scen_env *e);

/* The verdict a step already had in this run; false if it did not run. */
bool steps_verdict(const struct step_run *s, const char *name, enum d0_verdict *v);

/* --list: one name per line; verbose: "name\tdoc" with newlines as \n. */
void steps_list(FILE *f, const struct scenario *const *plan, size_t n, bool verbose);

/* Setting a step's verdict (the first problem wins). */
void step_fail(struct step_res *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void step_error(struct step_res *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void step_skip(struct step_res *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void step_xfail(struct step_res *r, const char *ref, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* FAIL with the message unless ok; returns ok. */
bool step_check(struct step_res *r, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The guest's verdict words (contract 2: ok, fail, skip, error, xfail,
 * xpass) as a verdict; for xfail/xpass the reason starts with the ref word,
 * which is split off into ref. Returns -1 for an unknown word.
 */
int d0_verdict_parse(const char *word, const char *reason, enum d0_verdict *v,
		     char *ref, size_t reflen, const char **why);

/* One marker payload line (tests/markers.h grammar, without the marker). */
void d0_verdict_format(char *buf, size_t len, enum d0_verdict v, const char *name,
		       const char *ref, const char *why);

/* Does this verdict fail the run? (FAIL, ERROR, XPASS) */
bool d0_verdict_bad(enum d0_verdict v);

#endif
