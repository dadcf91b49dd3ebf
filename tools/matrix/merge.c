// SPDX-License-Identifier: GPL-2.0
/*
 * The merged view: every test and every GUP cell of any configuration, in
 * the order first seen, with what each configuration gave.
 *
 * Why a cell is what it is comes from the expectation tables the guest
 * tests use (tests/guest/expect.h, gup_expect.c), linked in: the cell of
 * (row, column) whose outcome is the one the run expected, among those whose
 * version conditions hold for the configuration's Xen and guest kernel (a
 * condition that cannot be evaluated here, a fact or an unknown version, is
 * taken as possibly holding), the most specific first. A difference between
 * configurations is explained when each configuration observed what its
 * expectation says; anything else is a failure.
 */
#include "gmx.h"

#include <stdlib.h>
#include <string.h>

#include "expect.h"

/* 1 holds, 0 does not, -1 cannot tell (unknown version, bad range). */
static int version_holds(const char *range, const char *have)
{
	struct expect_version v;

	if (!range)
		return 1;
	if (!have || expect_version_parse(have, &v))
		return -1;
	return expect_version_in(range, &v);
}

static int cond_count(const struct expect_cond *w)
{
	return !!w->kernel + !!w->xen + !!w->fact;
}

/* The expectation cell that gave `expected` for (row, col) in configuration c. */
static const struct expect_cell *find_reason(const struct gmx_config *c, const char *row,
					     const char *col, const char *expected)
{
	const struct expect_cell *best = NULL;
	int best_n = -1;

	for (const struct expect_table *t = expect_table_first(); t; t = t->next) {
		for (const struct expect_row *r = t->rows; r->name; r++) {
			if (strcmp(r->name, row))
				continue;
			for (const struct expect_cell *e = r->cells; e->subject; e++) {
				if (strcmp(e->subject, col) || strcmp(e->outcome, expected))
					continue;
				if (!version_holds(e->when.kernel, c->kernel) ||
				    !version_holds(e->when.xen, c->xen))
					continue;
				if (cond_count(&e->when) > best_n) {
					best = e;
					best_n = cond_count(&e->when);
				}
			}
		}
	}
	return best;
}

static const struct gmx_cell *cell_in(const struct gmx_config *c, const char *row,
				      const char *col)
{
	for (size_t i = 0; i < c->ncells; i++)
		if (!strcmp(c->cells[i].row, row) && !strcmp(c->cells[i].col, col))
			return &c->cells[i];
	return NULL;
}

static const struct gmx_test *test_in(const struct gmx_config *c, const char *name)
{
	for (size_t i = 0; i < c->ntests; i++)
		if (!strcmp(c->tests[i].name, name))
			return &c->tests[i];
	return NULL;
}

static bool have_test(const struct gmx_merge *m, const char *name)
{
	for (size_t i = 0; i < m->ntests; i++)
		if (!strcmp(m->tests[i].name, name))
			return true;
	return false;
}

static bool have_cell(const struct gmx_merge *m, const char *row, const char *col)
{
	for (size_t i = 0; i < m->ncells; i++)
		if (!strcmp(m->cells[i].row, row) && !strcmp(m->cells[i].col, col))
			return true;
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void merge_test(struct gmx_merge *m, const char *name)
{
	struct gmx_test_row *t;
	const struct gmx_test *first = NULL;
	bool seen = false;

	m->tests = gmx_xalloc(m->tests, (m->ntests + 1) * sizeof(*m->tests));
	t = &m->tests[m->ntests++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->in = gmx_xalloc(NULL, m->ncfg * sizeof(*t->in));
	for (size_t k = 0; k < m->ncfg; k++) {
		const struct gmx_test *x = test_in(&m->cfg[k], name);

		t->in[k] = x;
		/* A configuration that did not run or boot is its own failure:
		 * its empty (or all-missing) column is not a difference of every test. */
		if (m->cfg[k].state != S_RAN)
			continue;
		if (x && gmx_verdict_fails(x->v))
			t->failed = true;
		if (seen && (!x) != (!first))
			t->differs = true;
		else if (x && first && (x->v != first->v || !same_str(x->msg, first->msg)))
			t->differs = true;
		if (!seen)
			first = x;
		seen = true;
	}
	if (t->differs)
		m->differing_tests++;
}

static void merge_cell(struct gmx_merge *m, const char *row, const char *col)
{
	struct gmx_cell_row *r;
	const char *first = NULL;
	bool seen_missing = false, seen = false;

	m->cells = gmx_xalloc(m->cells, (m->ncells + 1) * sizeof(*m->cells));
	r = &m->cells[m->ncells++];
	memset(r, 0, sizeof(*r));
	r->row = row;
	r->col = col;
	r->in = gmx_xalloc(NULL, m->ncfg * sizeof(*r->in));
	for (size_t k = 0; k < m->ncfg; k++) {
		struct gmx_why *w = &r->in[k];
		const struct expect_cell *e;

		memset(w, 0, sizeof(*w));
		if (m->cfg[k].state != S_RAN)
			continue;
		w->cell = cell_in(&m->cfg[k], row, col);
		if (!w->cell) {
			seen_missing = true;
			continue;
		}
		seen = true;
		w->match = !strcmp(w->cell->observed, w->cell->expected);
		if (!w->match)
			r->unexplained = true;
		e = find_reason(&m->cfg[k], row, col, w->cell->expected);
		if (e) {
			w->reason = e->reason;
			w->xfail = e->xfail;
			expect_cond_str(&e->when, w->cond, sizeof(w->cond));
		}
		if (first && strcmp(first, w->cell->observed))
			r->differs = true;
		if (!first)
			first = w->cell->observed;
	}
	if (seen && seen_missing)
		r->differs = r->unexplained = true; /* reported in one, not in another */
	/* A difference is explained only by table entries, one per configuration. */
	for (size_t k = 0; r->differs && k < m->ncfg; k++)
		if (r->in[k].cell && !r->in[k].reason)
			r->unexplained = true;
	if (r->differs)
		m->differing_cells++;
	if (r->unexplained)
		m->unexplained++;
}

void gmx_merge(struct gmx_merge *m, struct gmx_config *cfg, size_t ncfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->ncfg = ncfg;
	for (size_t k = 0; k < ncfg; k++) {
		if (gmx_config_failed(&cfg[k]))
			m->failed_cfgs++;
		for (size_t i = 0; i < cfg[k].ntests; i++)
			if (!have_test(m, cfg[k].tests[i].name))
				merge_test(m, cfg[k].tests[i].name);
		for (size_t i = 0; i < cfg[k].ncells; i++)
			if (!have_cell(m, cfg[k].cells[i].row, cfg[k].cells[i].col))
				merge_cell(m, cfg[k].cells[i].row, cfg[k].cells[i].col);
	}
}

void gmx_merge_free(struct gmx_merge *m)
{
	for (size_t i = 0; i < m->ntests; i++)
		free(m->tests[i].in);
	for (size_t i = 0; i < m->ncells; i++)
		free(m->cells[i].in);
	free(m->tests);
	free(m->cells);
	memset(m, 0, sizeof(*m));
}

bool gmx_ok(const struct gmx_merge *m)
{
	return m->ncfg && !m->failed_cfgs && !m->unexplained;
}
