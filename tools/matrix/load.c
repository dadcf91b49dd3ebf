// SPDX-License-Identifier: GPL-2.0
/*
 * One configuration's results directory (docs/results.md, docs/matrix.md):
 *   matrix-run.txt  written by `make matrix` / the CI job: config, status, log
 *   results.tap     the verdict of every test
 *   summary.txt     verdict, config, phase times
 *   matrix.tsv      the GUP cells (older runs: GNTLAB-MATRIX lines of serial.log)
 *   manifest.txt    the versions that ran
 * Anything missing is tolerated: a configuration that did not build or boot
 * is still a column of the index, named as a failure with its log.
 */
#include "gmx.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *gmx_xalloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "gntlab-matrix: out of memory\n");
		exit(2);
	}
	return q;
}

char *gmx_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(gmx_xalloc(NULL, n), s, n);
}

static char *strndup_x(const char *s, size_t n)
{
	char *d = gmx_xalloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static const char *const verdict_names[] = { "-", "PASS", "FAIL", "SKIP", "ERROR", "XFAIL",
					     "XPASS" };

const char *gmx_verdict_name(enum gmx_verdict v)
{
	return verdict_names[v];
}

bool gmx_verdict_fails(enum gmx_verdict v)
{
	return v == V_FAIL || v == V_ERROR || v == V_XPASS;
}

/* "ok 3 - name # SKIP why", "not ok 4 - name # TODO ref why", ... */
bool gmx_parse_tap(const char *line, char **name, enum gmx_verdict *v, char **msg)
{
	bool ok = true;
	const char *p = line, *hash, *d;
	size_t n;

	if (!strncmp(p, "not ok ", 7)) {
		ok = false;
		p += 7;
	} else if (!strncmp(p, "ok ", 3)) {
		p += 3;
	} else {
		return false;
	}
	while (*p >= '0' && *p <= '9')
		p++;
	if (strncmp(p, " - ", 3))
		return false;
	p += 3;
	hash = strstr(p, " # ");
	n = hash ? (size_t)(hash - p) : strcspn(p, "\n");
	*name = strndup_x(p, n);
	*msg = NULL;
	d = hash ? hash + 3 : NULL;
	if (ok) {
		*v = V_PASS;
		if (d && !strncasecmp(d, "SKIP", 4)) {
			*v = V_SKIP;
			d += 4;
		}
	} else if (d && !strncmp(d, "TODO", 4)) {
		*v = V_XFAIL;
		d += 4;
	} else if (d && !strncmp(d, "XPASS", 5)) {
		*v = V_XPASS;
		d += 5;
	} else if (d && !strncmp(d, "ERROR", 5)) {
		*v = V_ERROR;
		d += 5;
	} else if (d && !strncmp(d, "missing:", 8)) {
		*v = V_ERROR; /* keep "missing: ..." as the message */
	} else {
		*v = V_FAIL;
	}
	if (d && (*v != V_PASS)) {
		while (*d == ' ')
			d++;
		n = strcspn(d, "\n");
		if (n)
			*msg = strndup_x(d, n);
	}
	return true;
}

/* Results the runner records itself (docs/results.md): not a domain's test. */
static bool runner_own(const char *name)
{
	static const char *const pfx[] = { "crash/", "timeout/", "boot/ended-early", "tests/none",
					   "protocol/", "end/" };

	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (!strncmp(name, pfx[i], strlen(pfx[i])))
			return true;
	return false;
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "re");
}

static bool exists_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = 0;
}

/* "key: value" of a line into *dst, if key matches and *dst is still unset. */
static void keyval(const char *line, const char *key, char **dst)
{
	size_t k = strlen(key);
	const char *v;

	if (*dst || strncmp(line, key, k) || line[k] != ':')
		return;
	v = line + k + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v)
		*dst = gmx_strdup(v);
}

/* A package's version as the expectation tables compare it: Xen's package
 * version ("4.17.7+13-..."), a kernel's release as uname -r says it (the
 * package name's tail: linux-image-7.3.4+deb13-amd64 -> 7.3.4+deb13-amd64). */
static char *pkg_version(const char *pkg, const char *ver)
{
	const char *sp;

	if (!strncmp(pkg, "linux-image-", 12)) {
		sp = strchr(pkg, ' ');
		return strndup_x(pkg + 12, sp ? (size_t)(sp - pkg - 12) : strlen(pkg + 12));
	}
	sp = strchr(ver, ' ');
	return strndup_x(ver, sp ? (size_t)(sp - ver) : strlen(ver));
}

/* "xen: xen-hypervisor-4.17-amd64 4.17.7+13-..." (summary.txt) or a plain
 * version: the version. */
static void version_val(const char *line, const char *key, char **dst)
{
	char *v = NULL, *sp;

	keyval(line, key, &v);
	if (!v)
		return;
	sp = strchr(v, ' ');
	if (sp && (!strncmp(v, "linux-image-", 12) || !strncmp(v, "xen-hypervisor-", 15)))
		*dst = pkg_version(v, sp + 1);
	else
		*dst = gmx_strdup(v);
	free(v);
}

/*
 * The configuration and its versions, from summary.txt's "config:", "xen:",
 * "guest-kernel:", "dom0-kernel:" lines, else from manifest.txt's package
 * lines: "ROLE PACKAGE VERSION ..." (ROLE xen, dom0, guest; "config NAME ..."
 * first), or without a role (one kernel for dom0 and the guest).
 */
static void manifest_line(struct gmx_config *c, char *line)
{
	const char *role = "", *pkg = line, *ver;
	size_t rl = 0;

	keyval(line, "config", &c->name);
	if (!c->xen)
		version_val(line, "xen", &c->xen);
	if (!c->kernel)
		version_val(line, "guest-kernel", &c->kernel);
	if (!c->dom0_kernel)
		version_val(line, "dom0-kernel", &c->dom0_kernel);
	if (!c->name && !strncmp(line, "config ", 7)) {
		c->name = pkg_version("", line + 7);
		return;
	}
	if (!strncmp(line, "xen ", 4) || !strncmp(line, "dom0 ", 5) || !strncmp(line, "guest ", 6)) {
		rl = strcspn(line, " ");
		role = line;
		pkg = line + rl + 1;
	}
	ver = strchr(pkg, ' ');
	if (!ver)
		return;
	ver++;
	if (!c->xen && !strncmp(pkg, "xen-hypervisor-", 15)) {
		c->xen = pkg_version(pkg, ver);
	} else if (!strncmp(pkg, "linux-image-", 12)) {
		bool guest = !rl || !strncmp(role, "guest ", 6);
		bool dom0 = !rl || !strncmp(role, "dom0 ", 5);

		if (guest && !c->kernel)
			c->kernel = pkg_version(pkg, ver);
		if (dom0 && !c->dom0_kernel)
			c->dom0_kernel = pkg_version(pkg, ver);
	}
}

static void load_file_lines(struct gmx_config *c, const char *name,
			    void (*fn)(struct gmx_config *, char *))
{
	FILE *f = open_in(c->dir, name);
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		fn(c, line);
	}
	fclose(f);
}

static void summary_line(struct gmx_config *c, char *line)
{
	const char *p = line;

	keyval(line, "verdict", &c->verdict);
	manifest_line(c, line);
	while (*p == ' ')
		p++;
	if (p != line && !c->total && !strncmp(p, "total ", 6)) {
		p += 6;
		while (*p == ' ')
			p++;
		c->total = gmx_strdup(p);
	}
}

static void run_line(struct gmx_config *c, char *line)
{
	char *st = NULL, *why = NULL, *log = NULL;

	keyval(line, "config", &c->name);
	keyval(line, "status", &st);
	keyval(line, "why", &why);
	keyval(line, "log", &log);
	if (st)
		c->status = atoi(st);
	if (why && !c->why)
		c->why = why;
	else
		free(why);
	if (log && !c->log)
		c->log = log;
	else
		free(log);
	free(st);
}

static void add_test(struct gmx_config *c, char *name, enum gmx_verdict v, char *msg)
{
	c->tests = gmx_xalloc(c->tests, (c->ntests + 1) * sizeof(*c->tests));
	c->tests[c->ntests++] = (struct gmx_test){ name, v, msg };
	c->counts[v]++;
}

static void add_cell(struct gmx_config *c, char **w)
{
	for (size_t i = 0; i < c->ncells; i++) {
		struct gmx_cell *x = &c->cells[i];

		if (!strcmp(x->row, w[0]) && !strcmp(x->col, w[1])) {
			/* reported again: the latest report counts, as in matrix.md */
			free(x->expected);
			free(x->observed);
			x->expected = gmx_strdup(w[2]);
			x->observed = gmx_strdup(w[3]);
			return;
		}
	}
	c->cells = gmx_xalloc(c->cells, (c->ncells + 1) * sizeof(*c->cells));
	c->cells[c->ncells++] = (struct gmx_cell){ gmx_strdup(w[0]), gmx_strdup(w[1]),
						   gmx_strdup(w[2]), gmx_strdup(w[3]) };
}

/* Split s at any of sep into exactly n words; false otherwise. */
static bool words(char *s, const char *sep, char **w, size_t n)
{
	size_t k = 0;

	for (char *t = strtok(s, sep); t; t = strtok(NULL, sep)) {
		if (k == n)
			return false;
		w[k++] = t;
	}
	return k == n;
}

static void load_cells(struct gmx_config *c)
{
	FILE *f = open_in(c->dir, "matrix.tsv");
	bool tsv = f != NULL;
	char line[16384], *w[5];

	if (!f)
		f = open_in(c->dir, "serial.log");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		if (tsv) {
			if (line[0] != '#' && words(line, "\t", w, 5))
				add_cell(c, w);
		} else {
			/* the marker may appear anywhere in a line (tests/markers.h) */
			char *m = strstr(line, "GNTLAB-MATRIX ");

			if (m && words(m + 14, " ", w, 4))
				add_cell(c, w);
		}
	}
	fclose(f);
}

static void load_tap(struct gmx_config *c, size_t *reported)
{
	FILE *f = open_in(c->dir, "results.tap");
	char line[16384], *name, *msg;
	enum gmx_verdict v;

	*reported = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!gmx_parse_tap(line, &name, &v, &msg))
			continue;
		if (!runner_own(name) && !(msg && !strncmp(msg, "missing:", 8)))
			(*reported)++;
		if (runner_own(name) && gmx_verdict_fails(v) && !c->why) {
			size_t n = strlen(name) + (msg ? strlen(msg) : 0) + 3;

			c->why = gmx_xalloc(NULL, n);
			snprintf(c->why, n, "%s: %s", name, msg ? msg : "");
		}
		add_test(c, name, v, msg);
	}
	fclose(f);
}

/* A configuration that ran and failed: which tests, or make's status. */
static void why_failed(struct gmx_config *c)
{
	size_t bad = c->counts[V_FAIL] + c->counts[V_ERROR] + c->counts[V_XPASS];
	char buf[512];

	if (!c->log)
		c->log = gmx_strdup("summary.txt");
	if (c->why)
		return;
	if (bad) {
		for (size_t i = 0; i < c->ntests; i++)
			if (gmx_verdict_fails(c->tests[i].v)) {
				snprintf(buf, sizeof(buf), "%zu failing test%s, first %s", bad,
					 bad == 1 ? "" : "s", c->tests[i].name);
				break;
			}
	} else if (c->status > 0) {
		snprintf(buf, sizeof(buf), "make run exited with status %d", c->status);
	} else {
		snprintf(buf, sizeof(buf), "verdict %s", c->verdict ? c->verdict : "unknown");
	}
	c->why = gmx_strdup(buf);
}

void gmx_load(struct gmx_config *c, const char *name, const char *dir, const char *outdir)
{
	size_t reported;
	const char *base;

	memset(c, 0, sizeof(*c));
	c->status = -1;
	c->dir = gmx_strdup(dir);
	c->link = gmx_relpath(dir, outdir);
	if (name)
		c->name = gmx_strdup(name);
	load_file_lines(c, "matrix-run.txt", run_line);
	load_file_lines(c, "summary.txt", summary_line);
	load_file_lines(c, "manifest.txt", manifest_line);
	load_file_lines(c, "build/manifest.txt", manifest_line);
	if (!c->name) {
		base = strrchr(dir, '/');
		base = base && base[1] ? base + 1 : dir;
		c->name = gmx_strdup(base);
	}
	load_tap(c, &reported);
	load_cells(c);
	if (!exists_in(dir, "results.tap")) {
		c->state = S_NOT_RUN;
		if (!c->why)
			c->why = gmx_strdup("no results.tap: the configuration did not build or "
					    "the runner did not start");
	} else if (!reported) {
		c->state = S_NO_BOOT;
		if (!c->why)
			c->why = gmx_strdup("no test reported: it did not boot");
		if (!c->log)
			c->log = gmx_strdup("serial.log");
	} else {
		c->state = S_RAN;
		if (gmx_config_failed(c))
			why_failed(c);
	}
}

bool gmx_config_failed(const struct gmx_config *c)
{
	if (c->state != S_RAN)
		return true;
	if (c->status > 0)
		return true;
	if (c->verdict && strcmp(c->verdict, "PASS"))
		return true;
	return c->counts[V_FAIL] + c->counts[V_ERROR] + c->counts[V_XPASS] > 0;
}

void gmx_config_free(struct gmx_config *c)
{
	for (size_t i = 0; i < c->ntests; i++) {
		free(c->tests[i].name);
		free(c->tests[i].msg);
	}
	for (size_t i = 0; i < c->ncells; i++) {
		free(c->cells[i].row);
		free(c->cells[i].col);
		free(c->cells[i].expected);
		free(c->cells[i].observed);
	}
	free(c->tests);
	free(c->cells);
	free(c->name);
	free(c->dir);
	free(c->link);
	free(c->verdict);
	free(c->why);
	free(c->log);
	free(c->xen);
	free(c->kernel);
	free(c->dom0_kernel);
	free(c->total);
	memset(c, 0, sizeof(*c));
}

char *gmx_relpath(const char *dir, const char *base)
{
	char a[PATH_MAX], b[PATH_MAX], *out;
	size_t i = 0, common = 0, ups = 0, len;

	if (!realpath(base, b))
		return gmx_strdup(dir);
	if (!realpath(dir, a)) {
		/* a configuration that left no directory: its parent's place */
		const char *slash = strrchr(dir, '/');
		char parent[PATH_MAX];

		if (!slash || !slash[1])
			return gmx_strdup(dir);
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);
		if (!realpath(parent, a) || strlen(a) + strlen(slash) >= sizeof(a))
			return gmx_strdup(dir);
		strcat(a, slash);
	}
	strcat(a, "/");
	strcat(b, "/");
	for (; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i + 1;
	for (i = common; b[i]; i++)
		if (b[i] == '/')
			ups++;
	len = ups * 3 + strlen(a + common) + 2;
	out = gmx_xalloc(NULL, len);
	out[0] = 0;
	while (ups--)
		strcat(out, "../");
	strcat(out, a + common);
	len = strlen(out);
	if (len && out[len - 1] == '/')
		out[--len] = 0;
	if (!len)
		strcpy(out, ".");
	return out;
}
