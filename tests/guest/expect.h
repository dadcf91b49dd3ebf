/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expectations as data: every expected outcome of a guest suite is written
 * once, in that suite's table, with the reason it is expected (the kernel or
 * Xen code path, or the bug it guards). The tests look their expectations
 * up there, and `gntlab-guest-tests --print-matrix` prints the same table as
 * Markdown (docs/gup-matrix.md, the tables in docs/tests/<suite>.md).
 *
 * A table has rows (a matrix row or a check of a test); a row has cells,
 * each keyed by a *subject*: what is under test, today a mapping mode of
 * our module ("special", "nohook", "pfnmap", gt_mode_name[]), later also
 * "gntdev" (the kernel's own driver). A cell may carry a condition; the
 * lookup picks, among the cells of (row, subject) whose condition holds on
 * the running system, the one with the most conditions. No such cell, or
 * two of them, is an ERROR of the test (the table is wrong), never a pass.
 *
 *   static struct expect_table gup_expect = {
 *           .name = "gup", .title = "...", .row_label = "row (GUP user)",
 *           .rows = (const struct expect_row[]){
 *                   { "gup-fast", "gup/fast", "get_user_pages_fast()",
 *                     (const struct expect_cell[]){
 *                             { .subject = "special", "ok", "find_special_page: the map's page" },
 *                             { .subject = "nohook", "EEXIST", "follow_pfn_pte()" },
 *                             { .subject = "nohook", "EFAULT", "follow_pfn_pte() before 5.18",
 *                               .when = { .kernel = "..5.18" } },
 *                             { .subject = "pfnmap", "EFAULT", "check_vma_flags()" },
 *                             { 0 } } },
 *                   { 0 } } };
 *   EXPECT_TABLE(gup_expect)
 *
 * (`.subject =` first: the other fields follow in order, and -Wextra stays
 * quiet about the ones left out.) A suite's table lives in its source file
 * (suite_m2p.c), or in <suite>_expect.c when it is large (gup_expect.c).
 * Adding a subject (a mapping mode) means one more cell per row; a row
 * without a cell for a subject the suite runs is an ERROR, not a pass.
 *
 * Conditions (all that are set must hold):
 *   .kernel  a range of the guest kernel's version (uname -r): "6.2..6.18"
 *            means 6.2 <= v < 6.18; "6.2.." and "..6.18" leave one end
 *            open; "6.1" alone means 6.1 <= v < 6.2 (6.1.x).
 *   .xen     the same for Xen's version (/sys/hypervisor/version/major,
 *            minor).
 *   .fact    a configuration fact probed at run time, "!" negates:
 *            "param:gntlab.NAME=VALUE" (a module parameter's value),
 *            "path:/dev/xen/gntdev" (a path exists), or a fact a suite
 *            defines with EXPECT_FACT(name, fn).
 * A cell with .xfail = "REF" expects .outcome but knows that the named bug
 * makes it differ today: a mismatch is XFAIL (REF), a match XPASS.
 */
#ifndef GNTLAB_EXPECT_H
#define GNTLAB_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct expect_cond {
	const char *kernel; /* version range, NULL: any */
	const char *xen;    /* version range, NULL: any */
	const char *fact;   /* "[!]name", NULL: none */
};

struct expect_cell {
	const char *subject; /* "special", "nohook", "pfnmap"; later "gntdev" */
	const char *outcome; /* one word: ok, EFAULT, EEXIST, 0pages, SIGBUS, a value */
	const char *reason;  /* Markdown: the code path, or the bug it guards */
	const char *xfail;   /* reference of a known bug (XSA-396, a commit), or NULL */
	struct expect_cond when;
};

struct expect_row {
	const char *name; /* matrix row or check name, one word */
	const char *test; /* the test that checks it ("gup/fast"; variants: base name) */
	const char *what; /* Markdown: what the row exercises */
	const struct expect_cell *cells; /* ends with a cell whose subject is NULL */
};

struct expect_table {
	const char *name;      /* suite name, the key of --print-matrix=NAME */
	const char *title;     /* Markdown title of the generated page */
	const char *row_label; /* header of the row column */
	const char *intro;     /* Markdown before the matrix, or NULL */
	const char *outro;     /* Markdown after the per-row text, or NULL */
	const struct expect_row *rows; /* ends with a row whose name is NULL */
	struct expect_table *next;     /* registry (internal) */
};

void expect_register(struct expect_table *t);
const struct expect_table *expect_table_find(const char *name);
const struct expect_table *expect_table_first(void);

#define EXPECT_TABLE(t)                                                                            \
	__attribute__((constructor)) static void expect_reg_##t(void)                              \
	{                                                                                          \
		expect_register(&(t));                                                             \
	}

/* A named configuration fact: fn returns 1 (holds), 0 (does not), -1 (cannot tell). */
struct expect_fact {
	const char *name;
	int (*fn)(void);
	struct expect_fact *next;
};
void expect_fact_register(struct expect_fact *f);
#define EXPECT_FACT(name_, fn_)                                                                    \
	static struct expect_fact expect_fact_##fn_ = { .name = (name_), .fn = (fn_) };            \
	__attribute__((constructor)) static void expect_fact_reg_##fn_(void)                       \
	{                                                                                          \
		expect_fact_register(&expect_fact_##fn_);                                          \
	}

/* The suites' tables (gup's is large: it has a file of its own). */
extern struct expect_table gup_expect;
/* The probe suite's version differences: tests/guest/probe_expect.c. */
extern struct expect_table probe_expect;
/* Where GUP is refused (badinput, probe): tests/guest/gup_refused_expect.c. */
extern struct expect_table gup_refused_expect;
/* The row of gup_refused_expect for addr: "user-hole", "beyond-user", "top-page". */
const char *gup_refused_row(unsigned long long addr);
/* The columns: GUP flavour names by GNTLAB_GUP_* ("fast-only", ..., "pin-longterm"). */
#define GUP_FLAVOURS 6
extern const char *const gup_flavour_name[GUP_FLAVOURS];

/* ---- pure part (host-testable) ------------------------------------------ */

/* A version as numbers: "6.1.0-27-amd64" -> {6, 1, 0}. */
struct expect_version {
	unsigned int v[3];
	bool known;
};

int expect_version_parse(const char *s, struct expect_version *out);
/* Does v lie in range ("lo..hi", "lo..", "..hi", "X.Y")? -1: bad range. */
int expect_version_in(const char *range, const struct expect_version *v);

/* What the conditions are evaluated against. */
struct expect_env {
	struct expect_version kernel, xen;
	/* 1 holds, 0 does not, -1 unknown fact or cannot tell. */
	int (*fact)(const char *name, void *arg);
	void *arg;
};

/*
 * The cell of (row, subject) on env. Returns 0 and *out, or -1 with a
 * message in why: no cell, two cells at the same specificity, a condition
 * that cannot be evaluated (unknown version or fact, a bad range).
 */
int expect_lookup(const struct expect_table *t, const char *row, const char *subject,
		  const struct expect_env *env, const struct expect_cell **out, char *why,
		  size_t len);

/* One condition as text ("kernel 6.2..6.18, fact X"); "" when none. */
void expect_cond_str(const struct expect_cond *c, char *buf, size_t len);

/* The table as Markdown: intro, the matrix, per-row reasons, outro. */
void expect_print_md(const struct expect_table *t, FILE *out);

/* ---- inside a test ---------------------------------------------------- */

/* The running guest (uname, /sys/hypervisor, the facts); filled once. */
const struct expect_env *expect_env_here(void);

/* The cell for (row, subject) here; ERROR()s the test when there is none. */
const struct expect_cell *expect_get(const struct expect_table *t, const char *row,
				     const char *subject);

/*
 * Compare observed with the cell's outcome: a mismatch fails the test
 * (EXPECT, the test goes on), or is XFAIL when the cell has a reference.
 * Returns true on a match.
 */
bool expect_check(const struct expect_cell *c, const char *row, const char *observed);

/* ---- suite descriptions (docs/tests/<suite>.md's title and intro) ------ */

struct suite_doc {
	const char *suite;
	const char *title;
	const char *text;
	struct suite_doc *next;
};
void suite_doc_register(struct suite_doc *d);
/* Print "suite\ttitle\ttext" per suite, newlines in text as \n, backslash as \\. */
void suite_doc_print(FILE *out);
#define SUITE_DOC(suite_, title_, text_)                                                           \
	static struct suite_doc suite_doc_##suite_ = { .suite = #suite_, .title = (title_),        \
						       .text = (text_) };                          \
	__attribute__((constructor)) static void suite_doc_reg_##suite_(void)                      \
	{                                                                                          \
		suite_doc_register(&suite_doc_##suite_);                                           \
	}

#endif /* GNTLAB_EXPECT_H */
