// SPDX-License-Identifier: GPL-2.0
#include "plan.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void expect_add(struct expect_list *e, const char *name)
{
	char *copy;

	if (!*name || expect_has(e, name))
		return;
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->names = xrealloc(e->names, e->cap * sizeof(*e->names));
	}
	copy = strdup(name);
	if (!copy) {
		fprintf(stderr, "gntlab-runner: out of memory\n");
		exit(2);
	}
	e->names[e->n++] = copy;
}

bool expect_has(const struct expect_list *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->names[i], name))
			return true;
	return false;
}

void expect_free(struct expect_list *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->names[i]);
	free(e->names);
	memset(e, 0, sizeof(*e));
}

int expect_load(struct expect_list *e, const char *path, FILE *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "%s", path);
	if (!f) {
		fprintf(err, "gntlab-runner: cannot read --expect %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &size, f)) >= 0) {
		char *p = line, *end;

		line[strcspn(line, "\t\r\n")] = '\0';
		while (*p == ' ')
			p++;
		end = p + strlen(p);
		while (end > p && end[-1] == ' ')
			*--end = '\0';
		if (*p && *p != '#')
			expect_add(e, p);
	}
	free(line);
	if (ferror(f)) {
		fprintf(err, "gntlab-runner: error reading --expect %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Why the run ended, in a word or two. */
static const char *stop_cause(const struct results *r)
{
	if (r->interrupted)
		return "interrupted";
	if (r->crashed)
		return "crash";
	if (r->timed_out)
		return "timeout";
	if (r->end_seen)
		return "dom0 ended";
	if (r->qemu_exited)
		return "QEMU exited";
	return "runner stopped";
}

void expect_where(const struct results *r, char *buf, size_t size)
{
	const struct phase_state *ps = &r->phase;
	const char *last = NULL;
	double stop = ps->seen[MS_QEMU_EXIT] ? ps->at[MS_QEMU_EXIT] : r->finished_at;

	for (size_t i = 0; i < r->n; i++)
		if (!r->tests[i].synthetic)
			last = r->tests[i].name;
	snprintf(buf, size, "run stopped in phase %s %s%s (%.1f s, %s)", phase_in_progress(ps),
		 last ? "after " : "before any test reported", last ? last : "",
		 stop - ps->at[MS_QEMU_START], stop_cause(r));
}

/* A runner-made result (crash/..., timeout/..., boot/ended-early) needs no listing. */
static void mark_unlisted(const struct expect_list *e, struct test_case *t)
{
	char *reason;

	if (t->synthetic || expect_has(e, t->name))
		return;
	if (asprintf(&reason, "reported but not listed by --list (reported %s%s%s)",
		     test_status_name(t->status), t->reason[0] ? ": " : "", t->reason) < 0) {
		fprintf(stderr, "gntlab-runner: out of memory\n");
		exit(2);
	}
	free(t->reason);
	t->reason = reason;
	t->status = TEST_ERROR;
	test_case_set_ref(t, "");
}

/*
 * The last reported test of name's suite among the first n results, if it is
 * not the last reported test of all (then "after" already names it).
 */
static const char *last_of_suite(const struct results *r, size_t n, const char *name)
{
	size_t len = strcspn(name, "/");
	const char *last = NULL, *suite_last = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *t = r->tests[i].name;

		if (r->tests[i].synthetic)
			continue;
		last = t;
		if (!strncmp(t, name, len) && t[len] == '/')
			suite_last = t;
	}
	return suite_last && suite_last != last ? suite_last : NULL;
}

size_t expect_apply(const struct expect_list *e, struct results *r)
{
	size_t reported = r->n, missing = 0;
	double stop = r->phase.seen[MS_QEMU_EXIT] ? r->phase.at[MS_QEMU_EXIT] : r->finished_at;
	char where[512], reason[900];

	r->expected = e->n;
	snprintf(r->expect_path, sizeof(r->expect_path), "%s", e->path);
	for (size_t i = 0; i < reported; i++)
		mark_unlisted(e, &r->tests[i]);
	expect_where(r, where, sizeof(where));
	for (size_t k = 0; k < e->n; k++) {
		const char *suite_last = last_of_suite(r, reported, e->names[k]);
		struct test_case *t;
		bool seen = false;

		for (size_t i = 0; i < reported && !seen; i++)
			seen = !strcmp(r->tests[i].name, e->names[k]);
		if (seen)
			continue;
		/* Where its own program stopped, when other programs went on. */
		if (suite_last)
			snprintf(reason, sizeof(reason), "missing: %s; last of its suite: %s",
				 where, suite_last);
		else
			snprintf(reason, sizeof(reason), "missing: %s", where);
		t = results_add(r, e->names[k], TEST_ERROR, reason,
				stop - r->phase.at[MS_QEMU_START], 0, true);
		t->missing = true;
		missing++;
	}
	return missing;
}
