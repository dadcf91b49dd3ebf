// SPDX-License-Identifier: GPL-2.0
/*
 * index.html (read at a glance: differences first, coloured), index.md (the
 * same for a Markdown viewer, GitLab's artefact browser) and index.json (for
 * programs). The output depends only on the results read: no time stamp, no
 * absolute path unless a results directory lies outside the output's tree,
 * so two merges of the same results are byte for byte equal (the CI check).
 */
#include "gmx.h"

#include <string.h>

static const char *const files[] = { "results.tap", "junit.xml", "summary.txt", "serial.log" };
#define NFILES (sizeof(files) / sizeof(files[0]))
#define NO_ENTRY "FAIL: differs, and no expectation entry gives this outcome here"

static void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void md_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (strchr("\\`*_[]<>|&~", c))
			fputc('\\', f);
		fputc(c, f);
	}
}

/* A reason is Markdown already: only what would break the table row. */
static void md_raw(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputc(' ', f);
		else if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *state_text(const struct gmx_config *c)
{
	if (c->state == S_NOT_RUN)
		return "not run";
	if (c->state == S_NO_BOOT)
		return "did not boot";
	return gmx_config_failed(c) ? "FAIL" : "PASS";
}

static void counts_text(FILE *f, const struct gmx_config *c)
{
	fprintf(f, "pass %zu, fail %zu, skip %zu, error %zu, xfail %zu, xpass %zu",
		c->counts[V_PASS], c->counts[V_FAIL], c->counts[V_SKIP], c->counts[V_ERROR],
		c->counts[V_XFAIL], c->counts[V_XPASS]);
}

static const char *verdict_class(enum gmx_verdict v)
{
	static const char *const cls[] = { "none", "pass", "fail", "skip", "fail", "xfail",
					   "fail" };

	return cls[v];
}

static void totals(FILE *f, const struct gmx_merge *m)
{
	fprintf(f, "%zu configurations, %zu failed; %zu tests and %zu GUP cells differ between "
		   "configurations, %zu cells not as expected",
		m->ncfg, m->failed_cfgs, m->differing_tests, m->differing_cells, m->unexplained);
}

/* ---- HTML ---- */

static void html_why(FILE *f, const struct gmx_why *w)
{
	if (!w->match) {
		fputs("<br><small>not as expected: expected ", f);
		html_esc(f, w->cell->expected);
		fputs(w->reason ? " because " : "", f);
		html_esc(f, w->reason);
		fputs("</small>", f);
	} else if (w->reason) {
		fputs("<br><small>", f);
		if (w->cond[0]) {
			fputs("[", f);
			html_esc(f, w->cond);
			fputs("] ", f);
		}
		if (w->xfail) {
			fputs("XFAIL ", f);
			html_esc(f, w->xfail);
			fputs(": ", f);
		}
		html_esc(f, w->reason);
		fputs("</small>", f);
	}
}

/* A table's head: the fixed first columns, then one per configuration. */
static void html_header(FILE *f, const struct gmx_merge *m, const char *first)
{
	fprintf(f, "<table>\n<thead><tr>%s", first);
	for (size_t k = 0; k < m->ncfg; k++) {
		fputs("<th>", f);
		html_esc(f, m->cfg[k].name);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
}

static void html_cells(FILE *f, const struct gmx_merge *m, bool only_diff)
{
	html_header(f, m, "<th>GUP user</th><th>mode</th>");
	for (size_t i = 0; i < m->ncells; i++) {
		const struct gmx_cell_row *r = &m->cells[i];

		if (only_diff && !r->differs && !r->unexplained)
			continue;
		fprintf(f, "<tr class=\"%s\"><th>", r->differs ? "differs" : "same");
		html_esc(f, r->row);
		fputs("</th><th>", f);
		html_esc(f, r->col);
		fputs("</th>", f);
		for (size_t k = 0; k < m->ncfg; k++) {
			const struct gmx_why *w = &r->in[k];

			if (!w->cell) {
				fputs("<td class=\"none\">&mdash;</td>", f);
				continue;
			}
			fprintf(f, "<td class=\"%s\">", w->match ? "pass" : "fail");
			html_esc(f, w->cell->observed);
			/* the reason where it matters: differences and failures */
			if (r->differs || !w->match)
				html_why(f, w);
			if (r->differs && w->match && !w->reason)
				fputs("<br><small>" NO_ENTRY "</small>", f);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void html_tests(FILE *f, const struct gmx_merge *m, bool only_diff)
{
	html_header(f, m, "<th>test</th>");
	for (size_t i = 0; i < m->ntests; i++) {
		const struct gmx_test_row *t = &m->tests[i];

		if (only_diff && !t->differs && !t->failed)
			continue;
		fprintf(f, "<tr class=\"%s\"><th>", t->differs ? "differs" : "same");
		html_esc(f, t->name);
		fputs("</th>", f);
		for (size_t k = 0; k < m->ncfg; k++) {
			const struct gmx_test *x = t->in[k];

			if (!x) {
				fputs("<td class=\"none\">&mdash;</td>", f);
				continue;
			}
			fprintf(f, "<td class=\"%s\">%s", verdict_class(x->v),
				gmx_verdict_name(x->v));
			if (x->msg) {
				fputs("<br><small>", f);
				html_esc(f, x->msg);
				fputs("</small>", f);
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void html_configs(FILE *f, const struct gmx_merge *m)
{
	fputs("<table>\n<thead><tr><th>configuration</th><th>result</th><th>Xen</th>"
	      "<th>guest kernel</th><th>time</th><th>tests</th><th>files</th></tr></thead>\n"
	      "<tbody>\n",
	      f);
	for (size_t k = 0; k < m->ncfg; k++) {
		const struct gmx_config *c = &m->cfg[k];
		bool bad = gmx_config_failed(c);

		fputs("<tr><th><a href=\"", f);
		html_esc(f, c->link);
		fputs("/\">", f);
		html_esc(f, c->name);
		fprintf(f, "</a></th><td class=\"%s\">%s", bad ? "fail" : "pass", state_text(c));
		if (bad && c->why) {
			fputs("<br><small>", f);
			html_esc(f, c->why);
			fputs("</small>", f);
		}
		if (bad && c->log) {
			fputs(" <a href=\"", f);
			html_esc(f, c->link);
			fputc('/', f);
			html_esc(f, c->log);
			fputs("\">log</a>", f);
		}
		fputs("</td><td>", f);
		html_esc(f, c->xen ? c->xen : "?");
		fputs("</td><td>", f);
		html_esc(f, c->kernel ? c->kernel : "?");
		fputs("</td><td>", f);
		html_esc(f, c->total ? c->total : "-");
		fputs("</td><td>", f);
		counts_text(f, c);
		fputs("</td><td>", f);
		for (size_t i = 0; c->state != S_NOT_RUN && i < NFILES; i++) {
			fputs("<a href=\"", f);
			html_esc(f, c->link);
			fprintf(f, "/%s\">%s</a> ", files[i], files[i]);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

int gmx_write_html(FILE *f, const struct gmx_merge *m)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<title>gntlab configuration matrix</title>\n<style>\n"
	      "body { font-family: sans-serif; margin: 2em; }\n"
	      "table { border-collapse: collapse; margin-bottom: 1.5em; }\n"
	      "th, td { border: 1px solid #999; padding: 0.2em 0.6em; text-align: left; "
	      "vertical-align: top; }\n"
	      "thead th { background: #f0f0f0; }\n"
	      "td.pass { background: #c8e6c9; }\n"
	      "td.fail { background: #ffcdd2; }\n"
	      "td.skip { background: #fff9c4; }\n"
	      "td.xfail { background: #e1bee7; }\n"
	      "td.none { background: #e0e0e0; color: #666; }\n"
	      "tr.differs th { background: #ffe082; }\n"
	      "small { color: #333; }\n"
	      "</style>\n</head>\n<body>\n<h1>gntlab configuration matrix</h1>\n<p class=\"totals\">",
	      f);
	totals(f, m);
	fprintf(f, ": <b>%s</b></p>\n", gmx_ok(m) ? "PASS" : "FAIL");
	fputs("<h2>Configurations</h2>\n", f);
	html_configs(f, m);
	fputs("<h2>Differences</h2>\n<p>Rows whose outcome differs between configurations "
	      "(row header yellow) or failed somewhere, with the reason: for a GUP cell the "
	      "expectation that gave it (its version condition in brackets), for a test its "
	      "SKIP/XFAIL/FAIL message.</p>\n",
	      f);
	if (m->differing_cells || m->unexplained)
		html_cells(f, m, true);
	else
		fputs("<p>No GUP cell differs.</p>\n", f);
	if (m->differing_tests || m->failed_cfgs)
		html_tests(f, m, true);
	else
		fputs("<p>No test differs.</p>\n", f);
	fputs("<h2>GUP matrix</h2>\n<p>Observed outcome per configuration: green as expected, "
	      "red not as expected, grey not reported.</p>\n",
	      f);
	html_cells(f, m, false);
	fputs("<h2>Tests</h2>\n", f);
	html_tests(f, m, false);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- Markdown ---- */

static void md_header(FILE *f, const struct gmx_merge *m, const char *first, size_t ncols)
{
	fputs(first, f);
	for (size_t k = 0; k < m->ncfg; k++) {
		fputc(' ', f);
		md_esc(f, m->cfg[k].name);
		fputs(" |", f);
	}
	fputs("\n|", f);
	for (size_t k = 0; k < m->ncfg + ncols; k++)
		fputs(" --- |", f);
	fputc('\n', f);
}

static void md_cells(FILE *f, const struct gmx_merge *m, bool only_diff)
{
	md_header(f, m, "| GUP user | mode |", 2);
	for (size_t i = 0; i < m->ncells; i++) {
		const struct gmx_cell_row *r = &m->cells[i];

		if (only_diff && !r->differs && !r->unexplained)
			continue;
		fputs("| ", f);
		md_esc(f, r->row);
		fputs(r->differs ? " **≠**" : "", f);
		fputs(" | ", f);
		md_esc(f, r->col);
		fputs(" |", f);
		for (size_t k = 0; k < m->ncfg; k++) {
			const struct gmx_why *w = &r->in[k];

			fputc(' ', f);
			if (!w->cell) {
				fputs("— |", f);
				continue;
			}
			md_esc(f, w->cell->observed);
			if (!w->match) {
				fputs(" ✗ expected ", f);
				md_esc(f, w->cell->expected);
			} else {
				fputs(" ✓", f);
			}
			if ((r->differs || !w->match) && w->reason) {
				fputs(": ", f);
				if (w->cond[0]) {
					fputc('[', f);
					md_esc(f, w->cond);
					fputs("] ", f);
				}
				if (w->xfail) {
					fputs("XFAIL ", f);
					md_esc(f, w->xfail);
					fputs(": ", f);
				}
				md_raw(f, w->reason);
			} else if (r->differs && w->match) {
				fputs(": " NO_ENTRY, f);
			}
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void md_tests(FILE *f, const struct gmx_merge *m, bool only_diff)
{
	md_header(f, m, "| test |", 1);
	for (size_t i = 0; i < m->ntests; i++) {
		const struct gmx_test_row *t = &m->tests[i];

		if (only_diff && !t->differs && !t->failed)
			continue;
		fputs("| ", f);
		md_esc(f, t->name);
		fputs(t->differs ? " **≠**" : "", f);
		fputs(" |", f);
		for (size_t k = 0; k < m->ncfg; k++) {
			const struct gmx_test *x = t->in[k];

			fputc(' ', f);
			if (!x) {
				fputs("— |", f);
				continue;
			}
			fputs(gmx_verdict_name(x->v), f);
			if (x->msg) {
				fputs(": ", f);
				md_esc(f, x->msg);
			}
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* The rows that differ between configurations (or failed), or a line saying none. */
static void md_differences(FILE *f, const struct gmx_merge *m)
{
	if (m->differing_cells || m->unexplained)
		md_cells(f, m, true);
	else
		fputs("No GUP cell differs.\n\n", f);
	if (m->differing_tests || m->failed_cfgs)
		md_tests(f, m, true);
	else
		fputs("No test differs.\n\n", f);
}

int gmx_write_md(FILE *f, const struct gmx_merge *m)
{
	fputs("# gntlab configuration matrix\n\n", f);
	totals(f, m);
	fprintf(f, ": **%s**\n\n## Configurations\n\n", gmx_ok(m) ? "PASS" : "FAIL");
	fputs("| configuration | result | Xen | guest kernel | time | tests | files |\n"
	      "| --- | --- | --- | --- | --- | --- | --- |\n",
	      f);
	for (size_t k = 0; k < m->ncfg; k++) {
		const struct gmx_config *c = &m->cfg[k];
		bool bad = gmx_config_failed(c);

		fputs("| [", f);
		md_esc(f, c->name);
		fprintf(f, "](%s/) | %s", c->link, state_text(c));
		if (bad && c->why) {
			fputs(": ", f);
			md_esc(f, c->why);
		}
		if (bad && c->log)
			fprintf(f, " ([log](%s/%s))", c->link, c->log);
		fputs(" | ", f);
		md_esc(f, c->xen ? c->xen : "?");
		fputs(" | ", f);
		md_esc(f, c->kernel ? c->kernel : "?");
		fprintf(f, " | %s | ", c->total ? c->total : "-");
		counts_text(f, c);
		fputs(" |", f);
		for (size_t i = 0; c->state != S_NOT_RUN && i < NFILES; i++)
			fprintf(f, " [%s](%s/%s)", files[i], c->link, files[i]);
		fputs(" |\n", f);
	}
	fputs("\n## Differences\n\n**≠** marks a row whose outcome differs between "
	      "configurations; the reason follows each outcome.\n\n",
	      f);
	md_differences(f, m);
	fputs("## GUP matrix\n\n", f);
	md_cells(f, m, false);
	fputs("## Tests\n\n", f);
	md_tests(f, m, false);
	return ferror(f) ? -1 : 0;
}

/*
 * The part of index.md a document keeps (docs/matrix.md, `make matrix-doc`):
 * the configurations and the differences, without links into a results
 * directory that the document does not carry.
 */
int gmx_write_doc(FILE *f, const struct gmx_merge *m)
{
	totals(f, m);
	fprintf(f, ": **%s**\n\n", gmx_ok(m) ? "PASS" : "FAIL");
	fputs("| configuration | result | Xen | dom0 kernel | guest kernel | time | tests |\n"
	      "| --- | --- | --- | --- | --- | --- | --- |\n",
	      f);
	for (size_t k = 0; k < m->ncfg; k++) {
		const struct gmx_config *c = &m->cfg[k];

		fputs("| ", f);
		md_esc(f, c->name);
		fprintf(f, " | %s", state_text(c));
		if (gmx_config_failed(c) && c->why) {
			fputs(": ", f);
			md_esc(f, c->why);
		}
		fputs(" | ", f);
		md_esc(f, c->xen ? c->xen : "?");
		fputs(" | ", f);
		md_esc(f, c->dom0_kernel ? c->dom0_kernel : "?");
		fputs(" | ", f);
		md_esc(f, c->kernel ? c->kernel : "?");
		fprintf(f, " | %s | ", c->total ? c->total : "-");
		counts_text(f, c);
		fputs(" |\n", f);
	}
	fputs("\n**≠** marks a row whose outcome differs between configurations; the reason "
	      "follows each outcome.\n\n",
	      f);
	md_differences(f, m);
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ---- */

static void json_kv(FILE *f, const char *k, const char *v, bool comma)
{
	json_str(f, k);
	fputs(": ", f);
	json_str(f, v);
	if (comma)
		fputs(", ", f);
}

int gmx_write_json(FILE *f, const struct gmx_merge *m)
{
	fprintf(f, "{\n  \"ok\": %s,\n  \"failed_configs\": %zu, \"differing_tests\": %zu, "
		   "\"differing_cells\": %zu, \"unexpected_cells\": %zu,\n  \"configs\": [\n",
		gmx_ok(m) ? "true" : "false", m->failed_cfgs, m->differing_tests,
		m->differing_cells, m->unexplained);
	for (size_t k = 0; k < m->ncfg; k++) {
		const struct gmx_config *c = &m->cfg[k];

		fputs("    {", f);
		json_kv(f, "name", c->name, true);
		json_kv(f, "dir", c->link, true);
		json_kv(f, "result", state_text(c), true);
		json_kv(f, "why", gmx_config_failed(c) ? c->why : NULL, true);
		json_kv(f, "log", gmx_config_failed(c) ? c->log : NULL, true);
		json_kv(f, "xen", c->xen, true);
		json_kv(f, "guest_kernel", c->kernel, true);
		json_kv(f, "dom0_kernel", c->dom0_kernel, true);
		json_kv(f, "time", c->total, true);
		fputs("\"counts\": {", f);
		for (int v = V_PASS; v <= V_XPASS; v++)
			fprintf(f, "\"%s\": %zu%s", gmx_verdict_name(v), c->counts[v],
				v < V_XPASS ? ", " : "");
		fprintf(f, "}}%s\n", k + 1 < m->ncfg ? "," : "");
	}
	fputs("  ],\n  \"cells\": [\n", f);
	for (size_t i = 0; i < m->ncells; i++) {
		const struct gmx_cell_row *r = &m->cells[i];

		fputs("    {", f);
		json_kv(f, "row", r->row, true);
		json_kv(f, "col", r->col, true);
		fprintf(f, "\"differs\": %s, \"unexpected\": %s, \"in\": {",
			r->differs ? "true" : "false", r->unexplained ? "true" : "false");
		for (size_t k = 0; k < m->ncfg; k++) {
			const struct gmx_why *w = &r->in[k];

			json_str(f, m->cfg[k].name);
			if (!w->cell) {
				fputs(": null", f);
			} else {
				fputs(": {", f);
				json_kv(f, "observed", w->cell->observed, true);
				json_kv(f, "expected", w->cell->expected, true);
				json_kv(f, "reason", w->reason, true);
				json_kv(f, "condition", w->cond[0] ? w->cond : NULL, true);
				json_kv(f, "xfail", w->xfail, false);
				fputc('}', f);
			}
			fputs(k + 1 < m->ncfg ? ", " : "", f);
		}
		fprintf(f, "}}%s\n", i + 1 < m->ncells ? "," : "");
	}
	fputs("  ],\n  \"tests\": [\n", f);
	for (size_t i = 0; i < m->ntests; i++) {
		const struct gmx_test_row *t = &m->tests[i];

		fputs("    {", f);
		json_kv(f, "name", t->name, true);
		fprintf(f, "\"differs\": %s, \"in\": {", t->differs ? "true" : "false");
		for (size_t k = 0; k < m->ncfg; k++) {
			const struct gmx_test *x = t->in[k];

			json_str(f, m->cfg[k].name);
			if (!x) {
				fputs(": null", f);
			} else {
				fputs(": {", f);
				json_kv(f, "verdict", gmx_verdict_name(x->v), true);
				json_kv(f, "message", x->msg, false);
				fputc('}', f);
			}
			fputs(k + 1 < m->ncfg ? ", " : "", f);
		}
		fprintf(f, "}}%s\n", i + 1 < m->ntests ? "," : "");
	}
	fputs("  ]\n}\n", f);
	return ferror(f) ? -1 : 0;
}
