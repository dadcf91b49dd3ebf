// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of dom0's step runner (dom0-tools/steps.c), its verdict
 * grammar and the relay of the guest's verdict words, and of the verb
 * tables of the xenstore protocol (dom0-tools/gntlab_proto.c), including
 * that docs/protocol.md carries them as `gntlab-conductor --list-verbs`
 * prints them. Run from the top of the tree (`make unit`), or with
 * GNTLAB_SRC pointing there.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gntlab_proto.h"
#include "harness.h"
#include "markers_out.h"
#include "steps.h"

/* ---- a fake run: steps that do what their table says ------------------- */

struct scen_env {
	int ran;	/* how many step functions were called */
};

static char emitted[4096];

static void capture(enum d0_verdict v, const char *name, const char *ref, const char *why)
{
	char line[800];

	d0_verdict_format(line, sizeof(line), v, name, ref, why);
	snprintf(emitted + strlen(emitted), sizeof(emitted) - strlen(emitted), "%s\n", line);
}

static void pass(struct scen_env *e, struct step_res *r)
{
	(void)r;
	e->ran++;
}

static void fail(struct scen_env *e, struct step_res *r)
{
	e->ran++;
	step_check(r, 1 == 2, "one is not %d", 2);
}

static void env_broke(struct scen_env *e, struct step_res *r)
{
	e->ran++;
	step_error(r, "xenstore timeout");
	step_fail(r, "a later problem does not replace the first");
}

static void skip(struct scen_env *e, struct step_res *r)
{
	e->ran++;
	step_skip(r, "no such capability");
}

static void known_bug(struct scen_env *e, struct step_res *r)
{
	e->ran++;
	step_xfail(r, "XSA-396", "still broken");
}

static const struct step chain[] = {
	{ "a/first", "first step", pass, NULL },
	{ "a/second", "fails", fail, "a/first" },
	{ "a/third", "needs the failed one", pass, "a/second" },
	{ "a/fourth", "needs nothing", pass, NULL },
	{ "a/fifth", "needs a step that passed", pass, "a/first,a/fourth" },
};
static const struct scenario sc_chain = SCENARIO("chain", SCEN_ALWAYS, NULL, chain, NULL, NULL);

static const struct step kinds[] = {
	{ "b/env", "environment broke", env_broke, NULL },
	{ "b/skip", "skipped", skip, NULL },
	{ "b/after-skip", "needs the skipped one", pass, "b/skip" },
	{ "b/xfail", "known bug", known_bug, NULL },
	{ "b/after-env", "needs the broken one", pass, "b/env" },
	{ "b/elsewhere", "reported by someone else", NULL, NULL },
};
static const struct scenario sc_kinds = SCENARIO("kinds", SCEN_BY_NAME, NULL, kinds, NULL, NULL);

/* A whole scenario whose prerequisite (in another scenario) failed. */
static const struct step late[] = {
	{ "c/one", "x", pass, NULL },
	{ "c/two", "y", pass, NULL },
};
static const struct scenario sc_late = SCENARIO("late", SCEN_BY_NAME, "a/second", late, NULL,
						NULL);

static const struct scenario *const all[] = { &sc_chain, &sc_kinds, &sc_late };

/* Run the scenarios the filter selects; emitted gets their TAP lines. */
static void run_filtered(const char *filter, struct scen_env *e)
{
	static struct step_run s;

	memset(&s, 0, sizeof(s));
	s.emit = capture;
	emitted[0] = '\0';
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (scenario_selected(all[i], filter))
			steps_run_scenario(&s, all[i], e);
}

TEST(steps, every_step_reports)
{
	struct scen_env e = { 0 };

	run_filtered(NULL, &e);
	ASSERT_STREQ(emitted,
		     "ok a/first\n"
		     "not ok a/second # one is not 2\n"
		     "not ok a/third # ERROR not run: a/second failed\n"
		     "ok a/fourth\n"
		     "ok a/fifth\n"
		     "not ok b/env # ERROR xenstore timeout\n"
		     "ok b/skip # SKIP no such capability\n"
		     "ok b/after-skip # SKIP not run: b/skip was skipped\n"
		     "not ok b/xfail # TODO XSA-396 still broken\n"
		     "not ok b/after-env # ERROR not run: b/env failed\n"
		     "not ok c/one # ERROR not run: a/second failed\n"
		     "not ok c/two # ERROR not run: a/second failed\n");
	/* Steps that were not run were not called. */
	ASSERT_EQ(e.ran, 7);
}

/* What --list prints for a filter is what a run with it reports. */
TEST(steps, list_is_what_a_run_reports)
{
	static const char *const filters[] = {
		NULL, "", "a/*", "b/skip", "c", "*", "x/*", "b/*,c/two", "*e*", "a+c",
	};

	for (size_t k = 0; k < sizeof(filters) / sizeof(filters[0]); k++) {
		const struct scenario *plan[3];
		struct scen_env e = { 0 };
		char *listed = NULL, *want = NULL;
		size_t len = 0, n = 0;
		FILE *f = open_memstream(&listed, &len);

		for (size_t i = 0; i < 3; i++)
			if (scenario_selected(all[i], filters[k]))
				plan[n++] = all[i];
		ASSERT_NONNULL(f);
		steps_list(f, plan, n, false);
		fclose(f);
		run_filtered(filters[k], &e);
		/* Each emitted line's name, plus the steps reported elsewhere. */
		want = calloc(1, sizeof(emitted) + 64);
		ASSERT_NONNULL(want);
		for (char *line = emitted; *line;) {
			char *end = strchr(line, '\n'), *name = line + (strncmp(line, "ok ", 3) ? 7 : 3);

			strncat(want, name, strcspn(name, " \n"));
			strcat(want, "\n");
			if (!strncmp(name, "b/after-env ", 12))
				strcat(want, "b/elsewhere\n");
			line = end + 1;
		}
		EXPECT_STREQ(listed, want) TH_MSG("filter '%s'", filters[k] ? filters[k] : "(none)");
		free(listed);
		free(want);
	}
}

TEST(steps, selection_by_name)
{
	EXPECT_TRUE(scenario_selected(&sc_chain, "zzz"));	/* SCEN_ALWAYS */
	EXPECT_FALSE(scenario_selected(&sc_kinds, "zzz"));
	EXPECT_TRUE(scenario_selected(&sc_kinds, "b/xfail"));
	EXPECT_TRUE(scenario_selected(&sc_kinds, "b"));
	EXPECT_TRUE(scenario_selected(&sc_kinds, "*skip*"));
	EXPECT_FALSE(scenario_selected(&sc_late, "b/*"));
	EXPECT_TRUE(scenario_selected(&sc_late, "b/*+c/one"));
}

/* demo and bench run only when the filter names them. */
TEST(steps, filter_names_suite)
{
	EXPECT_TRUE(filter_names_suite("demo/*", "demo"));
	EXPECT_TRUE(filter_names_suite("demo", "demo"));
	EXPECT_TRUE(filter_names_suite("m2p/*,demo/guest-maps-and-reads", "demo"));
	EXPECT_TRUE(filter_names_suite("m2p/*+bench/*", "bench"));
	EXPECT_FALSE(filter_names_suite(NULL, "demo"));
	EXPECT_FALSE(filter_names_suite("", "demo"));
	EXPECT_FALSE(filter_names_suite("*", "demo"));
	EXPECT_FALSE(filter_names_suite("*revoke*", "demo"));
	EXPECT_FALSE(filter_names_suite("d*", "demo"));
	EXPECT_FALSE(filter_names_suite("m2p/*,multi", "demo"));
	EXPECT_FALSE(filter_names_suite("bench/*", "demo"));
}

TEST(steps, list_verbose_escapes)
{
	static const struct step s[] = {
		{ "d/doc", "line one\nline\ttwo", pass, NULL },
		{ "d/nodoc", NULL, pass, NULL },
	};
	static const struct scenario sc = SCENARIO("d", SCEN_ALWAYS, NULL, s, NULL, NULL);
	const struct scenario *plan[] = { &sc };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ASSERT_NONNULL(f);
	steps_list(f, plan, 1, true);
	fclose(f);
	EXPECT_STREQ(out, "d/doc\tline one\\nline two\nd/nodoc\t\n");
	free(out);
}

/* The marker grammar of tests/markers.h, one line per verdict. */
TEST(steps, verdict_grammar)
{
	char b[300];

	d0_verdict_format(b, sizeof(b), D0_PASS, "s/n", NULL, "ignored");
	EXPECT_STREQ(b, "ok s/n");
	d0_verdict_format(b, sizeof(b), D0_SKIP, "s/n", NULL, "why");
	EXPECT_STREQ(b, "ok s/n # SKIP why");
	d0_verdict_format(b, sizeof(b), D0_FAIL, "s/n", NULL, "bad\nbyte");
	EXPECT_STREQ(b, "not ok s/n # bad byte");
	d0_verdict_format(b, sizeof(b), D0_FAIL, "s/n", NULL, "ERROR in the page");
	EXPECT_STREQ(b, "not ok s/n # FAIL: ERROR in the page");
	d0_verdict_format(b, sizeof(b), D0_FAIL, "s/n", NULL, "");
	EXPECT_STREQ(b, "not ok s/n # no reason given");
	d0_verdict_format(b, sizeof(b), D0_ERROR, "s/n", NULL, "xenstore timeout");
	EXPECT_STREQ(b, "not ok s/n # ERROR xenstore timeout");
	d0_verdict_format(b, sizeof(b), D0_XFAIL, "s/n", "XSA-396", "why");
	EXPECT_STREQ(b, "not ok s/n # TODO XSA-396 why");
	d0_verdict_format(b, sizeof(b), D0_XPASS, "s/n", "abc123", "passed");
	EXPECT_STREQ(b, "not ok s/n # XPASS abc123 passed");
	EXPECT_FALSE(d0_verdict_bad(D0_PASS));
	EXPECT_FALSE(d0_verdict_bad(D0_SKIP));
	EXPECT_FALSE(d0_verdict_bad(D0_XFAIL));
	EXPECT_TRUE(d0_verdict_bad(D0_FAIL));
	EXPECT_TRUE(d0_verdict_bad(D0_ERROR));
	EXPECT_TRUE(d0_verdict_bad(D0_XPASS));
}

/* The guest's words (contract 2) relayed into the same grammar. */
TEST(steps, relay_guest_words)
{
	static const struct {
		const char *word, *reason, *line;
	} c[] = {
		{ "ok", "", "ok m2p/x" },
		{ "fail", "pte differs", "not ok m2p/x # pte differs" },
		{ "skip", "no brd", "ok m2p/x # SKIP no brd" },
		{ "error", "dom0 did not answer", "not ok m2p/x # ERROR dom0 did not answer" },
		{ "xfail", "XSA-396 still maps", "not ok m2p/x # TODO XSA-396 still maps" },
		{ "xpass", "linux-6.18 now refused", "not ok m2p/x # XPASS linux-6.18 now refused" },
	};
	char ref[64], b[300];
	const char *why;
	enum d0_verdict v;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ASSERT_EQ(d0_verdict_parse(c[i].word, c[i].reason, &v, ref, sizeof(ref), &why), 0)
		TH_MSG("%s", c[i].word);
		d0_verdict_format(b, sizeof(b), v, "m2p/x", ref, why);
		EXPECT_STREQ(b, c[i].line);
	}
	EXPECT_EQ(d0_verdict_parse("pass", "", &v, ref, sizeof(ref), &why), -1);
	EXPECT_EQ(d0_verdict_parse("OK", "", &v, ref, sizeof(ref), &why), -1);
}

/* ---- the verb tables --------------------------------------------------- */

static void check_table(const struct gntlab_verb *t, int n)
{
	struct gntlab_cmd c;

	for (int i = 0; i < n; i++) {
		char line[64];

		ASSERT_NONNULL(t[i].name) TH_MSG("entry %d has no name", i);
		EXPECT_NONNULL(t[i].args) TH_MSG("%s", t[i].name);
		EXPECT_NONNULL(t[i].does) TH_MSG("%s", t[i].name);
		EXPECT_NONNULL(t[i].reply) TH_MSG("%s", t[i].name);
		EXPECT_EQ(gntlab_verb_find(t, n, t[i].name), i) TH_MSG("%s twice", t[i].name);
		/* Every verb survives the wire format. */
		snprintf(line, sizeof(line), "7 %s x", t[i].name);
		ASSERT_EQ(gntlab_cmd_parse(line, &c), 0) TH_MSG("%s", t[i].name);
		EXPECT_STREQ(c.verb, t[i].name);
	}
	EXPECT_EQ(gntlab_verb_find(t, n, "no-such-verb"), -1);
	EXPECT_EQ(gntlab_verb_find(t, n, ""), -1);
}

TEST(verbs, tables_complete_and_unique)
{
	check_table(gntlab_cmd_verbs, GNTLAB_CMD_COUNT);
	check_table(gntlab_req_verbs, GNTLAB_REQ_COUNT);
}

/* docs/protocol.md holds exactly what --list-verbs prints. */
TEST(verbs, protocol_doc_matches)
{
	static const char begin[] = "<!-- BEGIN gntlab-conductor --list-verbs -->\n";
	static const char end[] = "<!-- END gntlab-conductor --list-verbs -->";
	const char *src = getenv("GNTLAB_SRC") ? getenv("GNTLAB_SRC") : ".";
	char path[512], *doc = NULL, *want = NULL, *b, *e;
	size_t len = 0, wlen = 0;
	FILE *f, *w;

	snprintf(path, sizeof(path), "%s/docs/protocol.md", src);
	f = fopen(path, "r");
	ASSERT_NONNULL(f) TH_MSG("%s", path);
	ASSERT_GT(getdelim(&doc, &len, '\0', f), 0);
	fclose(f);
	w = open_memstream(&want, &wlen);
	ASSERT_NONNULL(w);
	gntlab_verbs_print(w);
	fclose(w);
	b = strstr(doc, begin);
	ASSERT_NONNULL(b) TH_MSG("%s: no '%.*s' line", path, (int)sizeof(begin) - 2, begin);
	b += strlen(begin);
	e = strstr(b, end);
	ASSERT_NONNULL(e) TH_MSG("%s: no '%s' line", path, end);
	*e = '\0';
	EXPECT_STREQ(b, want)
	TH_MSG("%s is stale: replace its verb block with `gntlab-conductor --list-verbs`", path);
	free(doc);
	free(want);
}

/*
 * The runner takes a Xen or kernel console line back out of a marker line
 * it landed in (tests/host/serial.c); that is only unambiguous if no payload
 * contains those prefixes itself. markers_out.c rewrites them.
 */
TEST(markers, payload_never_looks_like_another_writer)
{
	char path[] = "/tmp/gntlab-unit-markers-XXXXXX";
	int fd = mkstemp(path), saved = dup(1);
	char out[2048] = "";
	FILE *f;
	size_t n;

	ASSERT_GE(fd, 0);
	fflush(stdout);
	dup2(fd, 1);
	report_diag("Xen says (XEN) grant 5 and [   12.345678] kernel");
	report_verdict(D0_FAIL, "x/y", NULL, "saw (XEN)  [1.000000] twice");
	report_log("guest", "[    1.234567] gntlab: kept (XEN) not");
	report_diag("guest said (d12) hello");
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fdopen(fd, "r");
	ASSERT_NONNULL(f);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
	EXPECT_NONNULL(strstr(out, "GNTLAB-DIAG Xen says (xen) grant 5 and {   12.345678] kernel\n"))
	TH_MSG("%s", out);
	EXPECT_NONNULL(strstr(out, "(xen)  {1.000000] twice\n")) TH_MSG("%s", out);
	EXPECT_NONNULL(strstr(out, "GNTLAB-LOG guest [    1.234567] gntlab: kept (xen) not\n"))
	TH_MSG("%s", out);
	EXPECT_NONNULL(strstr(out, "GNTLAB-DIAG guest said (D12) hello\n")) TH_MSG("%s", out);
	EXPECT_NULL(strstr(out, "(XEN)")) TH_MSG("%s", out);
}

TH_MAIN
