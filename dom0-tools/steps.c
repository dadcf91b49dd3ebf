// SPDX-License-Identifier: GPL-2.0
/* The runner of dom0's step tables (steps.h). No Xen or libvirt in here. */
#include "steps.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "th_filter.h"

static void set(struct step_res *r, enum d0_verdict v, const char *fmt, va_list ap)
{
	if (r->v != D0_PASS)
		return;
	r->v = v;
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
}

#define SETTER(fn, verdict)                                                    \
	void fn(struct step_res *r, const char *fmt, ...)                      \
	{                                                                      \
		va_list ap;                                                    \
                                                                               \
		va_start(ap, fmt);                                             \
		set(r, verdict, fmt, ap);                                      \
		va_end(ap);                                                    \
	}
SETTER(step_fail, D0_FAIL)
SETTER(step_error, D0_ERROR)
SETTER(step_skip, D0_SKIP)

void step_xfail(struct step_res *r, const char *ref, const char *fmt, ...)
{
	va_list ap;

	if (r->v != D0_PASS)
		return;
	snprintf(r->ref, sizeof(r->ref), "%s", ref);
	va_start(ap, fmt);
	set(r, D0_XFAIL, fmt, ap);
	va_end(ap);
}

bool step_check(struct step_res *r, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok) {
		va_start(ap, fmt);
		set(r, D0_FAIL, fmt, ap);
		va_end(ap);
	}
	return ok;
}

bool d0_verdict_bad(enum d0_verdict v)
{
	return v == D0_FAIL || v == D0_ERROR || v == D0_XPASS;
}

int d0_verdict_parse(const char *word, const char *reason, enum d0_verdict *v,
		     char *ref, size_t reflen, const char **why)
{
	static const struct {
		const char *word;
		enum d0_verdict v;
	} w[] = {
		{ "ok", D0_PASS }, { "fail", D0_FAIL }, { "skip", D0_SKIP },
		{ "error", D0_ERROR }, { "xfail", D0_XFAIL }, { "xpass", D0_XPASS },
	};
	size_t i;

	reason = reason ? reason : "";
	ref[0] = '\0';
	*why = reason;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(word, w[i].word))
			break;
	if (i == sizeof(w) / sizeof(w[0]))
		return -1;
	*v = w[i].v;
	if (*v == D0_XFAIL || *v == D0_XPASS) {
		size_t n = strcspn(reason, " ");

		snprintf(ref, reflen, "%.*s", (int)n, n ? reason : "no-ref");
		reason += n;
		while (*reason == ' ')
			reason++;
		*why = reason;
	}
	return 0;
}

void d0_verdict_format(char *buf, size_t len, enum d0_verdict v, const char *name,
		       const char *ref, const char *why)
{
	const char *w = why && *why ? why : "no reason given";
	const char *rf = ref && *ref ? ref : "no-ref";

	switch (v) {
	case D0_PASS:
		snprintf(buf, len, "ok %s", name);
		break;
	case D0_SKIP:
		snprintf(buf, len, "ok %s # SKIP %s", name, w);
		break;
	case D0_FAIL:
		/* A reason that starts like another verdict's directive would
		 * be read as that verdict. */
		if (!strncmp(w, "ERROR", 5) || !strncmp(w, "TODO", 4) ||
		    !strncmp(w, "XPASS", 5) || !strncmp(w, "SKIP", 4))
			snprintf(buf, len, "not ok %s # FAIL: %s", name, w);
		else
			snprintf(buf, len, "not ok %s # %s", name, w);
		break;
	case D0_ERROR:
		snprintf(buf, len, "not ok %s # ERROR %s", name, w);
		break;
	case D0_XFAIL:
		snprintf(buf, len, "not ok %s # TODO %s %s", name, rf, w);
		break;
	case D0_XPASS:
		snprintf(buf, len, "not ok %s # XPASS %s %s", name, rf, w);
		break;
	}
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

bool scenario_selected(const struct scenario *sc, const char *filter)
{
	if (sc->select == SCEN_ALWAYS || !filter || !*filter)
		return true;
	for (size_t i = 0; i < sc->nsteps; i++)
		if (th_filter_match(filter, sc->steps[i].name))
			return true;
	return false;
}

bool steps_verdict(const struct step_run *s, const char *name, enum d0_verdict *v)
{
	for (size_t i = s->ndone; i-- > 0;)
		if (!strcmp(s->done[i].name, name)) {
			*v = s->done[i].v;
			return true;
		}
	return false;
}

/* Are the prerequisites in list met? If not, say why in r. */
static bool needs_met(const struct step_run *s, const char *list, struct step_res *r)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		char name[128];
		enum d0_verdict v;

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		p += n;
		if (*p)
			p++;
		if (!name[0])
			continue;
		if (!steps_verdict(s, name, &v)) {
			step_error(r, "not run: %s did not run", name);
			return false;
		}
		if (v == D0_SKIP) {
			step_skip(r, "not run: %s was skipped", name);
			return false;
		}
		if (v != D0_PASS && v != D0_XPASS) {
			step_error(r, "not run: %s failed", name);
			return false;
		}
	}
	return true;
}

void steps_run_scenario(struct step_run *s, const struct scenario *sc,
			struct scen_env *e)
{
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct step *st = &sc->steps[i];
		struct step_res r = { .v = D0_PASS };

		if (!st->run)
			continue;	/* reported elsewhere */
		if (needs_met(s, sc->needs, &r) && needs_met(s, st->needs, &r))
			st->run(e, &r);
		if (s->emit)
			s->emit(r.v, st->name, r.ref, r.why);
		if (s->ndone < STEPS_MAX_DONE) {
			s->done[s->ndone].name = st->name;
			s->done[s->ndone].v = r.v;
			s->ndone++;
		}
	}
	if (sc->cleanup)
		sc->cleanup(e);
}

void steps_list(FILE *f, const struct scenario *const *plan, size_t n, bool verbose)
{
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < plan[k]->nsteps; i++) {
			const struct step *st = &plan[k]->steps[i];

			if (!verbose) {
				fprintf(f, "%s\n", st->name);
				continue;
			}
			fprintf(f, "%s\t", st->name);
			for (const char *c = st->doc ? st->doc : ""; *c; c++) {
				if (*c == '\n')
					fputs("\\n", f);
				else if (*c == '\t')
					fputc(' ', f);
				else
					fputc(*c, f);
			}
			fputc('\n', f);
		}
}
