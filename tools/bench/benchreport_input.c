// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-benchreport, input: the guest's measurements (bench.log, flat
 * JSON objects written by tests/guest/bench.c, one a line), the runs'
 * summary.txt milestones and junit.xml test times, and the image build
 * times, gathered into a struct report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchreport.h"

const char *const impls[NIMPL] = {
	[I_SPECIAL] = "special", [I_NOHOOK] = "nohook",
	[I_PFNMAP] = "pfnmap", [I_GNTDEV] = "gntdev",
};
const unsigned int batches[NBATCH] = { 1, 16, 256, 4096 };
const unsigned int sizes[NSIZE] = { 1, 1024, 16384, 65536 };
const char *const phase_keys[NPHASE] = { "ns_map", "ns_mmap", "ns_touch", "ns_munmap",
					 "ns_unmap" };
const char *const milestones[NMS] = {
	"qemu-start", "xen-start", "dom0-kernel", "dom0-init", "dom0-ready",
	"guest-start", "guest-ready", "tests", "tests-done", "end", "qemu-exit",
};

const char *const count_keys[NCOUNT] = {
	"cycles", "map_calls", "map_entries", "unmap_calls", "unmap_entries",
	"xen_unmap_flushes", "mc_calls", "mc_ops", "tlb_multi", "tlb_one", "pt_alloc",
	"pt_release", "lost", "complete",
};

/* ---- a reader for flat JSON objects (string or number values) ----------- */

static const char *jfind(const char *obj, const char *key)
{
	char pat[80];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(obj, pat);
	return p ? p + strlen(pat) : NULL;
}

static bool jnum(const char *obj, const char *key, double *v)
{
	const char *p = jfind(obj, key);
	char *end;

	if (!p)
		return false;
	*v = strtod(p, &end);
	return end != p;
}

static bool jstr(const char *obj, const char *key, char *buf, size_t len)
{
	const char *p = jfind(obj, key);
	size_t n = 0;

	if (!p || *p != '"')
		return false;
	for (p++; *p && *p != '"' && n + 1 < len; p++) {
		if (*p == '\\' && p[1])
			p++;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return true;
}

static int index_of(const char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

static int index_of_u(const unsigned int *list, int n, unsigned int v)
{
	for (int i = 0; i < n; i++)
		if (list[i] == v)
			return i;
	return -1;
}

/* ---- bench.log ---------------------------------------------------------- */

/* A "tput" record: one variant, one batch size, one repetition. */
static void add_tput(struct report *r, const char *rec, const char *impl,
		     double bad, double err)
{
	double batch, rep, iters, pps, v;
	struct tput *t;
	int i, b;

	if (!jnum(rec, "batch", &batch) || !jnum(rec, "rep", &rep) ||
	    !jnum(rec, "iters", &iters) || !jnum(rec, "pages_per_s", &pps) ||
	    (i = index_of(impls, NIMPL, impl)) < 0 ||
	    (b = index_of_u(batches, NBATCH, (unsigned int)batch)) < 0 ||
	    rep < 0 || rep >= MAXREP)
		return;
	t = &r->tp[i][b];
	if (err == 0) {
		t->pps[(int)rep] = pps;
		t->have[(int)rep] = true;
		if (!jnum(rec, "ns_cycle_median", &t->cyc[(int)rep]))
			t->cyc[(int)rep] = 0;
	}
	t->errs += err != 0;
	t->bad += bad;
	t->pages += iters * batch;
	for (int k = 0; k < NPHASE; k++)
		if (jnum(rec, phase_keys[k], &v))
			t->phase_ns[k] += v;
	if ((int)rep + 1 > r->maxrep)
		r->maxrep = (int)rep + 1;
}

/* A "scale" record: one map + touch + unmap of `pages` grants. */
static void add_scale(struct report *r, const char *rec, const char *impl, double err)
{
	double pages, ns, v, f0 = 0, f1 = 0;
	int i, s, n;

	if (!jnum(rec, "pages", &pages) || !jnum(rec, "ns", &ns) ||
	    (i = index_of(impls, NIMPL, impl)) < 0 ||
	    (s = index_of_u(sizes, NSIZE, (unsigned int)pages)) < 0 ||
	    err != 0 || r->sc_n[i][s] >= MAXREP)
		return;
	n = r->sc_n[i][s]++;
	jnum(rec, "memfree_before_kb", &f0);
	jnum(rec, "memfree_mapped_kb", &f1);
	r->sc_ns[i][s][n] = ns;
	r->sc_mem[i][s][n] = f0 - f1;
	for (int k = 0; k < NPHASE; k++)
		if (jnum(rec, phase_keys[k], &v))
			r->sc_ph[i][s][k] += v;
}

/* A "count" record: what `cycles` cycles of one variant at one batch asked of Xen. */
static void add_count(struct report *r, const char *rec, const char *impl)
{
	double batch;
	int i, b;

	if (!jnum(rec, "batch", &batch) || (i = index_of(impls, NIMPL, impl)) < 0 ||
	    (b = index_of_u(batches, NBATCH, (unsigned int)batch)) < 0)
		return;
	for (int k = 0; k < NCOUNT; k++)
		if (!jnum(rec, count_keys[k], &r->cnt[i][b][k]))
			r->cnt[i][b][k] = 0;
	r->have_cnt[i][b] = r->cnt[i][b][C_CYCLES] > 0;
}

int read_bench_log(const char *path, struct report *r)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	snprintf(r->env, sizeof(r->env), "{}");
	snprintf(r->done, sizeof(r->done), "{}");
	if (!f) {
		fprintf(stderr, "gntlab-benchreport: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) && r->nrec < MAXREC) {
		char *o = strchr(line, '{'), *e = strrchr(line, '}');
		char kind[16] = "", impl[16] = "";
		double bad = 0, err = 0;

		if (!o || !e || e < o)
			continue;
		e[1] = '\0';
		r->nrec++;
		jstr(o, "kind", kind, sizeof(kind));
		jstr(o, "impl", impl, sizeof(impl));
		jnum(o, "bad_bytes", &bad);
		jnum(o, "errno", &err);
		if (!strcmp(kind, "env"))
			snprintf(r->env, sizeof(r->env), "%s", o);
		else if (!strcmp(kind, "done"))
			snprintf(r->done, sizeof(r->done), "%s", o);
		else if (!strcmp(kind, "note") && r->nnote < MAXNOTE)
			jstr(o, "text", r->note[r->nnote++], sizeof(r->note[0]));
		else if (!strcmp(kind, "tput"))
			add_tput(r, o, impl, bad, err);
		else if (!strcmp(kind, "scale"))
			add_scale(r, o, impl, err);
		else if (!strcmp(kind, "count"))
			add_count(r, o, impl);
	}
	fclose(f);
	return 0;
}

/* ---- the runs: summary.txt, junit.xml; image builds --------------------- */

void read_summary(const char *path, struct boot *b)
{
	char line[512], name[64];
	double v;
	FILE *f = fopen(path, "r");

	for (int i = 0; i < NMS; i++)
		b->ms[i] = -1;
	b->verdict[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int k;

		if (sscanf(line, "verdict: %31s", b->verdict) == 1)
			continue;
		if (sscanf(line, "pass: %d", &b->pass) == 1 ||
		    sscanf(line, "fail: %d", &b->fail) == 1 ||
		    sscanf(line, "skip: %d", &b->skip) == 1)
			continue;
		if (!strncmp(line, "phases:", 7))
			break;	/* milestones come first; phases repeat names */
		if (sscanf(line, " %63s %lf s", name, &v) == 2 &&
		    (k = index_of(milestones, NMS, name)) >= 0)
			b->ms[k] = v;
	}
	fclose(f);
}

/* <testcase classname="gntlab.SUITE" name="NAME" time="T"> from junit.xml */
void read_junit(const char *path, struct report *r)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char cls[96], nm[128], full[240];
		const char *p = strstr(line, "<testcase classname=\"");
		struct testtime *tt;
		double t;
		int i;

		if (!p || sscanf(p, "<testcase classname=\"%95[^\"]\" name=\"%127[^\"]\" time=\"%lf\"",
				 cls, nm, &t) != 3)
			continue;
		snprintf(full, sizeof(full), "%s/%s",
			 strncmp(cls, "gntlab.", 7) ? cls : cls + 7, nm);
		for (i = 0; i < r->ntests; i++)
			if (!strcmp(r->tests[i].name, full))
				break;
		if (i == r->ntests) {
			if (r->ntests == MAXTESTS)
				continue;
			snprintf(r->tests[r->ntests++].name, sizeof(r->tests[0].name),
				 "%.127s", full);
		}
		tt = &r->tests[i];
		if (tt->n < MAXBOOT)
			tt->t[tt->n++] = t;
	}
	fclose(f);
}

/* "<label> <seconds>" lines (tools/bench/boot-runs.sh). */
void read_builds(const char *path, struct report *r)
{
	FILE *f = fopen(path, "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f) && r->nbuild < MAXBOOT)
		if (sscanf(line, "%63s %lf", r->label[r->nbuild], &r->build_s[r->nbuild]) == 2)
			r->nbuild++;
	if (f)
		fclose(f);
}
