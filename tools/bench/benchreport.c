// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-benchreport: turns what `make bench` collected into
 * <out>.json, <out>.md and a gnuplot script <out>.gp (which draws
 * <out>.png from <out>-tput.dat and <out>-scale.dat).
 *
 * Inputs:
 *   --bench-log FILE     the guest's measurements, one JSON object a line
 *                        (the runner's bench.log: GNTLAB-LOG bench <json>)
 *   --bench-summary FILE summary.txt of the bench boot (its milestones)
 *   --boot DIR           (repeatable) results of one `make run`: summary.txt
 *                        milestones and junit.xml per-test times
 *   --builds FILE        "<label> <seconds>" lines: image build times
 *   --out PREFIX         e.g. build/results/bench
 *
 * The JSON objects are flat (string or number values), written by
 * tests/guest/bench.c; the small reader below handles exactly that.
 * Exit: 0 report written (the done criteria are reported, not enforced),
 * 1 no measurement found, 2 usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXREC 4096
#define MAXREP 16
#define MAXBOOT 16
#define MAXTESTS 256

static const char *const impls[] = { "special", "nohook", "pfnmap", "gntdev", "special-b16",
				      "special-split", "special-multi", "special-nocache" };
#define NIMPL 8
#define I_MULTI 6
#define I_NOCACHE 7
#define I_GNTDEV 3
#define I_B16 4
#define I_SPLIT 5
static const unsigned int batches[] = { 1, 16, 256, 4096 };
#define NBATCH 4
static const unsigned int sizes[] = { 1, 1024, 16384, 65536 };
#define NSIZE 4
static const char *const phase_keys[] = { "ns_map", "ns_mmap", "ns_touch", "ns_munmap",
					  "ns_unmap" };
#define NPHASE 5
static const char *const milestones[] = {
	"qemu-start", "xen-start", "dom0-kernel", "dom0-init", "dom0-ready",
	"guest-start", "guest-ready", "tests", "tests-done", "end", "qemu-exit",
};
#define NMS 11

/* ---- a reader for flat JSON objects ------------------------------------ */

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

/* ---- statistics --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat {
	int n;
	double median, min, max;
};

static struct stat stats(const double *v, int n)
{
	double s[MAXREC];
	struct stat r = { .n = n };

	if (n <= 0)
		return r;
	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/* ---- inputs ------------------------------------------------------------- */

static char *recs[MAXREC];
static int nrec;

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

static int read_bench_log(const char *path)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "gntlab-benchreport: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) && nrec < MAXREC) {
		char *o = strchr(line, '{'), *e = strrchr(line, '}');

		if (!o || !e || e < o)
			continue;
		e[1] = '\0';
		recs[nrec++] = strdup(o);
	}
	fclose(f);
	return 0;
}

struct boot {
	char dir[256];
	double ms[NMS];	/* seconds since QEMU start, < 0 if missing */
	char verdict[32];
	int pass, fail, skip;
};

static void read_summary(const char *path, struct boot *b)
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

struct testtime {
	char name[128];
	double t[MAXBOOT];
	int n;
};
static struct testtime tests[MAXTESTS];
static int ntests;

/* <testcase classname="gntlab.SUITE" name="NAME" time="T"> from junit.xml */
static void read_junit(const char *path)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char cls[96], nm[128], full[240];
		const char *p = strstr(line, "<testcase classname=\"");
		double t;
		int i;

		if (!p || sscanf(p, "<testcase classname=\"%95[^\"]\" name=\"%127[^\"]\" time=\"%lf\"",
				 cls, nm, &t) != 3)
			continue;
		snprintf(full, sizeof(full), "%s/%s",
			 strncmp(cls, "gntlab.", 7) ? cls : cls + 7, nm);
		for (i = 0; i < ntests; i++)
			if (!strcmp(tests[i].name, full))
				break;
		if (i == ntests) {
			if (ntests == MAXTESTS)
				continue;
			snprintf(tests[ntests++].name, sizeof(tests[0].name), "%.127s", full);
		}
		if (tests[i].n < MAXBOOT)
			tests[i].t[tests[i].n++] = t;
	}
	fclose(f);
}

/* ---- output helpers ----------------------------------------------------- */

static FILE *jf, *mf;

static void md(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void md(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(mf, fmt, ap);
	va_end(ap);
}

static void jstat(const char *key, struct stat s, const char *tail)
{
	fprintf(jf, "\"%s\":{\"n\":%d,\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,"
		"\"spread_pct\":%.3g}%s",
		key, s.n, s.median, s.min, s.max,
		s.median > 0 ? 100.0 * (s.max - s.min) / s.median : 0.0, tail);
}

static FILE *open_out(const char *prefix, const char *suffix)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", prefix, suffix);
	f = fopen(p, "w");
	if (!f)
		fprintf(stderr, "gntlab-benchreport: %s: %s\n", p, strerror(errno));
	return f;
}

/* Least squares of y on x; returns the slope, *icpt the intercept. */
static double fit(const double *x, const double *y, int n, double *icpt)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, d;

	for (int i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	d = n * sxx - sx * sx;
	if (n < 2 || d == 0) {
		*icpt = 0;
		return 0;
	}
	*icpt = (sy * sxx - sx * sxy) / d;
	return (n * sxy - sx * sy) / d;
}

/* ---- the report --------------------------------------------------------- */

struct tput {
	double pps[MAXREP];		/* pages/s per rep (index = rep) */
	double cyc[MAXREP];		/* median cycle ns per rep (0 = none) */
	bool have[MAXREP];
	double phase_ns[NPHASE];	/* summed over reps */
	double pages;			/* pages mapped over reps */
	double bad, errs;
};

/*
 * Per-repetition ratios of variant a over variant b at one batch size:
 * throughput ratio over the whole repetition (by_cycle false), or the
 * ratio of b's median cycle time to a's (by_cycle true: insensitive to the
 * few cycles that a burst of host load stretches).
 */
static struct stat ratios(const struct tput *a, const struct tput *b, bool by_cycle)
{
	double v[MAXREP];
	int n = 0;

	for (int r = 0; r < MAXREP; r++) {
		if (!a->have[r] || !b->have[r])
			continue;
		if (!by_cycle && b->pps[r] > 0)
			v[n++] = a->pps[r] / b->pps[r];
		else if (by_cycle && a->cyc[r] > 0 && b->cyc[r] > 0)
			v[n++] = b->cyc[r] / a->cyc[r];
	}
	return stats(v, n);
}

/* ns per page of the phases in `mask` (bit k = phase_keys[k]), over all reps. */
static double phase_per_page(const struct tput *t, unsigned int mask)
{
	double ns = 0;

	for (int k = 0; k < NPHASE; k++)
		if (mask & (1u << k))
			ns += t->phase_ns[k];
	return t->pages > 0 ? ns / t->pages : 0.0;
}

/* Markdown table of one change: variant `after` against variant `before`. */
static void change_table(struct tput tp[][NBATCH], int after, int before,
			 const char *what, unsigned int mask)
{
	fprintf(mf, "| batch | %s / %s throughput | median cycle | %s ns/page before | after |\n"
		"|---:|---:|---:|---:|---:|\n", impls[after], impls[before], what);
	for (int b = 0; b < NBATCH; b++)
		fprintf(mf, "| %u | %.3f | %.3f | %.0f | %.0f |\n", batches[b],
			ratios(&tp[after][b], &tp[before][b], false).median,
			ratios(&tp[after][b], &tp[before][b], true).median,
			phase_per_page(&tp[before][b], mask), phase_per_page(&tp[after][b], mask));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bench-log", required_argument, NULL, 'l' },
		{ "bench-summary", required_argument, NULL, 's' },
		{ "boot", required_argument, NULL, 'b' },
		{ "builds", required_argument, NULL, 'B' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	static struct tput tp[NIMPL][NBATCH];
	static struct boot boots[MAXBOOT], benchboot;
	const char *log = NULL, *bsum = NULL, *builds = NULL, *out = NULL;
	char label[MAXBOOT][64], note[MAXREC / 8][256];
	double build_s[MAXBOOT];
	int nboot = 0, nbuild = 0, nnote = 0, maxrep = 0, c;
	/* scaling: per impl, per size, reps */
	static double sc_ns[NIMPL][NSIZE][MAXREP], sc_mem[NIMPL][NSIZE][MAXREP];
	static double sc_ph[NIMPL][NSIZE][NPHASE];
	static int sc_n[NIMPL][NSIZE];
	char env[1024] = "{}", done[256] = "{}";
	FILE *df;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': log = optarg; break;
		case 's': bsum = optarg; break;
		case 'b':
			if (nboot < MAXBOOT)
				snprintf(boots[nboot++].dir, sizeof(boots[0].dir), "%s", optarg);
			break;
		case 'B': builds = optarg; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: gntlab-benchreport --bench-log FILE --out PREFIX "
				"[--bench-summary FILE] [--boot DIR]... [--builds FILE]\n");
			return 2;
		}
	}
	if (!log || !out) {
		fprintf(stderr, "gntlab-benchreport: --bench-log and --out are required\n");
		return 2;
	}
	if (read_bench_log(log))
		return 2;

	for (int r = 0; r < nrec; r++) {
		char kind[16] = "", impl[16] = "";
		double batch, rep, iters, pps, pages, ns, v, bad = 0, err = 0;
		int i, b;

		jstr(recs[r], "kind", kind, sizeof(kind));
		jstr(recs[r], "impl", impl, sizeof(impl));
		jnum(recs[r], "bad_bytes", &bad);
		jnum(recs[r], "errno", &err);
		if (!strcmp(kind, "env"))
			snprintf(env, sizeof(env), "%s", recs[r]);
		else if (!strcmp(kind, "done"))
			snprintf(done, sizeof(done), "%s", recs[r]);
		else if (!strcmp(kind, "note") && nnote < (int)(sizeof(note) / sizeof(note[0])))
			jstr(recs[r], "text", note[nnote++], sizeof(note[0]));
		else if (!strcmp(kind, "tput") && jnum(recs[r], "batch", &batch) &&
			 jnum(recs[r], "rep", &rep) && jnum(recs[r], "iters", &iters) &&
			 jnum(recs[r], "pages_per_s", &pps) &&
			 (i = index_of(impls, NIMPL, impl)) >= 0 &&
			 (b = index_of_u(batches, NBATCH, (unsigned int)batch)) >= 0 &&
			 rep >= 0 && rep < MAXREP) {
			struct tput *t = &tp[i][b];

			if (err == 0) {
				t->pps[(int)rep] = pps;
				t->have[(int)rep] = true;
				if (!jnum(recs[r], "ns_cycle_median", &t->cyc[(int)rep]))
					t->cyc[(int)rep] = 0;
			}
			t->errs += err != 0;
			t->bad += bad;
			t->pages += iters * batch;
			for (int k = 0; k < NPHASE; k++)
				if (jnum(recs[r], phase_keys[k], &v))
					t->phase_ns[k] += v;
			if ((int)rep + 1 > maxrep)
				maxrep = (int)rep + 1;
		} else if (!strcmp(kind, "scale") && jnum(recs[r], "pages", &pages) &&
			   jnum(recs[r], "ns", &ns) &&
			   (i = index_of(impls, NIMPL, impl)) >= 0 &&
			   (b = index_of_u(sizes, NSIZE, (unsigned int)pages)) >= 0 &&
			   err == 0 && sc_n[i][b] < MAXREP) {
			double f0 = 0, f1 = 0;

			jnum(recs[r], "memfree_before_kb", &f0);
			jnum(recs[r], "memfree_mapped_kb", &f1);
			sc_ns[i][b][sc_n[i][b]] = ns;
			sc_mem[i][b][sc_n[i][b]] = f0 - f1;
			for (int k = 0; k < NPHASE; k++)
				if (jnum(recs[r], phase_keys[k], &v))
					sc_ph[i][b][k] += v;
			sc_n[i][b]++;
		}
	}
	if (bsum)
		read_summary(bsum, &benchboot);
	for (int i = 0; i < nboot; i++) {
		char p[320];

		snprintf(p, sizeof(p), "%.255s/summary.txt", boots[i].dir);
		read_summary(p, &boots[i]);
		snprintf(p, sizeof(p), "%.255s/junit.xml", boots[i].dir);
		read_junit(p);
	}
	if (builds) {
		FILE *f = fopen(builds, "r");
		char line[256];

		while (f && fgets(line, sizeof(line), f) && nbuild < MAXBOOT)
			if (sscanf(line, "%63s %lf", label[nbuild], &build_s[nbuild]) == 2)
				nbuild++;
		if (f)
			fclose(f);
	}

	jf = open_out(out, ".json");
	mf = open_out(out, ".md");
	if (!jf || !mf)
		return 2;

	md("<!-- generated by gntlab-benchreport from one `make bench` -->\n");
	md("# gntlab benchmark\n\n");
	md("The machine is QEMU TCG (emulated x86), shared with other jobs: absolute "
	   "numbers vary from run to run and mean little. Only **ratios measured in "
	   "the same run**, with the variants interleaved inside every repetition "
	   "(random order each round), are worth comparing. Spread = (max - min) / median.\n\n");
	md("Guest environment: `%s`\n\n", env);

	/* ---- 1. throughput ---- */
	fprintf(jf, "{\n\"env\":%s,\n\"done\":%s,\n\"throughput\":{\n", env, done);
	md("## 1. Map + touch + unmap throughput (pages/s)\n\n");
	md("One cycle = map `batch` grants of dom0 (same grants for every variant), "
	   "read one byte of every page (checked against dom0's pattern), unmap. "
	   "Ours: `GNTLAB_IOC_MAP` + `mmap` + touch + `munmap` + `GNTLAB_IOC_UNMAP`; "
	   "gntdev: `xengnttab_map_grant_refs` + touch + `xengnttab_unmap`. "
	   "Each repetition of a batch size runs rounds of one cycle of every variant "
	   "(in a new random order each round) for at least 1 s, so all variants share the "
	   "same moments of the machine; %d repetitions. Ratios are taken per repetition, "
	   "two ways: *throughput* = pages over the repetition's summed cycle time, "
	   "and *median cycle* = the inverse ratio of the variants' median cycle times "
	   "in the repetition (a cycle stretched by a burst of host load weighs no more "
	   "than any other). The table gives the median over repetitions of each. "
	   "Noise floor: `special-b16` and `special-split` run the same code at batch 1 "
	   "(a one-page split unmap is one op per half either way), and `special`/`nohook` "
	   "differ only in the VMA's ops; how far their ratio is from 1 shows what a "
	   "ratio's noise is.\n\n", maxrep);
	md("| batch | variant | median pages/s | min | max | spread | ours/gntdev throughput | ours/gntdev median cycle |\n");
	md("|---:|---|---:|---:|---:|---:|---:|---:|\n");
	df = open_out(out, "-tput.dat");
	if (df)
		fprintf(df, "# batch special nohook pfnmap gntdev special-b16 special-split special-multi special-nocache (median pages/s), then min max of each\n");
	for (int b = 0; b < NBATCH; b++) {
		struct stat st[NIMPL];

		fprintf(jf, "\"%u\":{", batches[b]);
		for (int i = 0; i < NIMPL; i++) {
			struct tput *t = &tp[i][b], *g = &tp[I_GNTDEV][b];
			double v[MAXREP];
			int n = 0;
			struct stat rs, rc;

			for (int r = 0; r < MAXREP; r++)
				if (t->have[r])
					v[n++] = t->pps[r];
			st[i] = stats(v, n);
			rs = ratios(t, g, false);
			rc = ratios(t, g, true);
			fprintf(jf, "%s\"%s\":{", i ? "," : "", impls[i]);
			jstat("pages_per_s", st[i], ",");
			if (i != I_GNTDEV) {
				jstat("ratio_vs_gntdev", rs, ",");
				jstat("ratio_vs_gntdev_median_cycle", rc, ",");
			}
			if (i == 0) {
				/* the changes measured: special vs its earlier states */
				jstat("speedup_vs_split_unmap", ratios(t, &tp[I_SPLIT][b], false), ",");
				jstat("speedup_vs_split_unmap_median_cycle",
				      ratios(t, &tp[I_SPLIT][b], true), ",");
				jstat("speedup_vs_no_page_cache", ratios(t, &tp[I_NOCACHE][b], false), ",");
				jstat("speedup_vs_no_page_cache_median_cycle",
				      ratios(t, &tp[I_NOCACHE][b], true), ",");
				jstat("speedup_vs_separate_allocations", ratios(t, &tp[I_MULTI][b], false), ",");
				jstat("speedup_vs_separate_allocations_median_cycle",
				      ratios(t, &tp[I_MULTI][b], true), ",");
				jstat("speedup_vs_before_unmap_batching", ratios(t, &tp[I_B16][b], false), ",");
			}
			fprintf(jf, "\"ns_per_page\":{");
			for (int k = 0; k < NPHASE; k++)
				fprintf(jf, "%s\"%s\":%.1f", k ? "," : "", phase_keys[k] + 3,
					t->pages > 0 ? t->phase_ns[k] / t->pages : 0.0);
			fprintf(jf, "},\"bad_bytes\":%.0f,\"failed_reps\":%.0f}", t->bad, t->errs);
			if (i == I_GNTDEV)
				md("| %u | %s | %.0f | %.0f | %.0f | %.0f%% | 1 | 1 |\n", batches[b],
				   impls[i], st[i].median, st[i].min, st[i].max,
				   st[i].median > 0 ? 100.0 * (st[i].max - st[i].min) / st[i].median : 0);
			else
				md("| %u | %s | %.0f | %.0f | %.0f | %.0f%% | **%.3f** | **%.3f** |\n",
				   batches[b], impls[i], st[i].median, st[i].min, st[i].max,
				   st[i].median > 0 ? 100.0 * (st[i].max - st[i].min) / st[i].median : 0,
				   rs.median, rc.median);
		}
		fprintf(jf, "}%s\n", b + 1 < NBATCH ? "," : "");
		if (df) {
			fprintf(df, "%u", batches[b]);
			for (int i = 0; i < NIMPL; i++)
				fprintf(df, " %.1f", st[i].median);
			for (int i = 0; i < NIMPL; i++)
				fprintf(df, " %.1f %.1f", st[i].min, st[i].max);
			fprintf(df, "\n");
		}
	}
	if (df)
		fclose(df);
	fprintf(jf, "},\n");

	md("\n## 4. Changes measured before and after, in this run\n\n");
	md("- **One-pass unmap: user and kernel halves in one hypercall, for ranges of up "
	   "to 16 pages** (was: the split unmap, user halves then kernel halves, two "
	   "hypercalls, as gntdev). Xen flushes the TLB after each group of up to 32 "
	   "unmap ops of a hypercall, so up to 16 pages this halves both the flushes and "
	   "the hypercalls; larger ranges keep the split unmap (same flush count). The "
	   "PTE locks are passed once per page table (was once per PTE) in both. "
	   "`special-split` is special mode with the module parameter "
	   "`unmap_combined=N`, interleaved with `special` in every repetition.\n\n");
	change_table(tp, 0, I_SPLIT, "munmap", 1u << 3);
	md("\n- **One allocation per small map** (was: the map and each of its nine "
	   "per-page arrays allocated and freed one by one, ten of each per cycle; now "
	   "one block when it fits in 128 KiB, maps of up to ~1000 pages). "
	   "`special-multi` is special mode with the module parameter "
	   "`map_alloc_single=N`, interleaved with `special` in every repetition.\n\n");
	change_table(tp, 0, I_MULTI, "map+unmap ioctl", (1u << 0) | (1u << 4));
	md("\n- **Ballooned pages kept between maps** (was: every map took its pages "
	   "from the kernel's pool of unpopulated pages with gnttab_alloc_pages() and "
	   "gave them back with gnttab_free_pages()). `special-nocache` is special mode "
	   "with the module parameter `page_cache_pages=0`, interleaved with `special` "
	   "in every repetition.\n\n");
	change_table(tp, 0, I_NOCACHE, "map+unmap ioctl", (1u << 0) | (1u << 4));
	md("\n- **User-half unmap in one hypercall per contiguous run** (was: 16 ops per "
	   "hypercall). Xen 4.17 flushes the TLB after each group of up to 32 unmap "
	   "ops of one hypercall (GNTTAB_UNMAP_BATCH_SIZE), so batches of 16 cost a "
	   "flush and a hypercall entry per 16 pages; under TCG both are expensive. "
	   "`special-b16` is the split unmap with the module parameter "
	   "`user_unmap_batch=16` (the first version), against `special-split` (split "
	   "unmap, whole runs), interleaved in every repetition.\n\n");
	change_table(tp, I_SPLIT, I_B16, "munmap", 1u << 3);
	md("\n### Where the time goes (mean ns per page over all repetitions)\n\n");
	md("Phases: map = `GNTLAB_IOC_MAP` (ours: copy refs, allocate ballooned pages) or "
	   "the whole `xengnttab_map_grant_refs` (gntdev: ioctl + mmap with the map "
	   "hypercalls); mmap = ours' mmap (PTE walk + map hypercalls); touch; "
	   "munmap = ours' munmap (notifier: unmap hypercalls); unmap = "
	   "`GNTLAB_IOC_UNMAP` (free pages) or the whole `xengnttab_unmap`.\n\n");
	md("| batch | variant | map | mmap | touch | munmap | unmap | dominant |\n");
	md("|---:|---|---:|---:|---:|---:|---:|---|\n");
	for (int b = 0; b < NBATCH; b++)
		for (int i = 0; i < NIMPL; i++) {
			struct tput *t = &tp[i][b];
			int top = 0;

			if (t->pages <= 0)
				continue;
			for (int k = 1; k < NPHASE; k++)
				if (t->phase_ns[k] > t->phase_ns[top])
					top = k;
			md("| %u | %s", batches[b], impls[i]);
			for (int k = 0; k < NPHASE; k++)
				md(" | %.0f", t->phase_ns[k] / t->pages);
			md(" | %s |\n", phase_keys[top] + 3);
		}

	/* ---- 2. scaling ---- */
	md("\n## 2. Scaling: one map + touch + unmap of N grants\n\n");
	md("dom0 shares 16 x 4096 pages (its gntalloc `limit` raised to 2^20 by the "
	   "conductor through /sys/module/xen_gntalloc/parameters/limit; Xen's "
	   "`gnttab_max_frames=256` for dom0's grant table, passed by `make bench`); "
	   "the guest's gntdev `limit` is raised to 65536 if lower. Memory = guest "
	   "MemFree before the map minus MemFree while mapped.\n\n");
	md("| variant | N | median time | min | max | ns/page | MemFree drop (kB) | mean map+mmap ns/page | mean munmap+unmap ns/page |\n");
	md("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	fprintf(jf, "\"scaling\":{\n");
	df = open_out(out, "-scale.dat");
	if (df)
		fprintf(df, "# pages special_ns_per_page gntdev_ns_per_page\n");
	for (int s = 0; s < NSIZE && df; s++) {
		fprintf(df, "%u", sizes[s]);
		for (int i = 0; i < NIMPL; i += 3) {
			struct stat st = stats(sc_ns[i][s], sc_n[i][s]);

			fprintf(df, " %.1f", st.n ? st.median / sizes[s] : NAN);
		}
		fprintf(df, "\n");
	}
	if (df)
		fclose(df);
	for (int i = 0, first = 1; i < NIMPL; i++) {
		double lx[NSIZE], ly[NSIZE], x[NSIZE], y[NSIZE], icpt, exp_, lin;
		int nfit = 0;
		struct stat st[NSIZE];

		if (!sc_n[i][0] && !sc_n[i][NSIZE - 1])
			continue;
		fprintf(jf, "%s\"%s\":{\"sizes\":{", first ? "" : ",\n", impls[i]);
		first = 0;
		for (int s = 0; s < NSIZE; s++) {
			struct stat ms = stats(sc_mem[i][s], sc_n[i][s]);
			double n = sc_n[i][s] ? sc_n[i][s] : 1;

			st[s] = stats(sc_ns[i][s], sc_n[i][s]);
			fprintf(jf, "%s\"%u\":{", s ? "," : "", sizes[s]);
			jstat("ns", st[s], ",");
			jstat("memfree_drop_kb", ms, ",");
			fprintf(jf, "\"ns_per_page\":%.1f,\"phase_ns_per_page\":{",
				st[s].n ? st[s].median / sizes[s] : 0.0);
			for (int k = 0; k < NPHASE; k++)
				fprintf(jf, "%s\"%s\":%.1f", k ? "," : "", phase_keys[k] + 3,
					sc_ph[i][s][k] / n / sizes[s]);
			fprintf(jf, "}}");
			if (st[s].n)
				md("| %s | %u | %.3f s | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f |\n",
				   impls[i], sizes[s], st[s].median / 1e9, st[s].min / 1e9,
				   st[s].max / 1e9, st[s].median / sizes[s], ms.median,
				   (sc_ph[i][s][0] + sc_ph[i][s][1]) / n / sizes[s],
				   (sc_ph[i][s][3] + sc_ph[i][s][4]) / n / sizes[s]);
			else
				md("| %s | %u | no measurement | | | | | | |\n", impls[i], sizes[s]);
			if (s >= 1 && st[s].n) {
				x[nfit] = sizes[s];
				y[nfit] = st[s].median;
				lx[nfit] = log2(sizes[s]);
				ly[nfit++] = log2(st[s].median);
			}
		}
		exp_ = fit(lx, ly, nfit, &icpt);
		lin = fit(x, y, nfit, &icpt);
		fprintf(jf, "},\"fit_2e10_2e16\":{\"points\":%d,\"loglog_exponent\":%.4f,"
			"\"linear_ns_per_page\":%.1f,\"linear_intercept_ns\":%.0f,"
			"\"per_page_ratio_2e16_vs_2e10\":%.3f}}",
			nfit, exp_, lin, icpt,
			st[1].n && st[3].n ? (st[3].median / 65536) / (st[1].median / 1024) : 0.0);
		md("| %s | fit 2^10..2^16 | slope %.0f ns/page | | | log-log exponent %.3f "
		   "(1 = flat per-page cost) | per-page cost 2^16 / 2^10 = %.2f | | |\n",
		   impls[i], lin, exp_,
		   st[1].n && st[3].n ? (st[3].median / 65536) / (st[1].median / 1024) : 0.0);
	}
	fprintf(jf, "\n},\n");

	/* ---- 3. boot to verdict ---- */
	md("\n## 3. Boot to verdict\n\n");
	fprintf(jf, "\"boot\":{\"runs\":%d,\"milestones_s\":{", nboot);
	if (nboot) {
		md("%d runs of `make run` (full suite), seconds since QEMU start "
		   "(milestones from each run's summary.txt):\n\n", nboot);
		md("| milestone | median | min | max |");
		for (int b = 0; b < nboot; b++)
			md(" run %d |", b + 1);
		md("\n|---|---:|---:|---:|");
		for (int b = 0; b < nboot; b++)
			md("---:|");
		md("\n");
	} else {
		md("No `make bench-boot` results (run it first; `make bench` aggregates "
		   "what it finds in build/results-boot/).\n\n");
	}
	for (int k = 0, first = 1; k < NMS && nboot; k++) {
		double v[MAXBOOT];
		int n = 0;
		struct stat st;

		for (int b = 0; b < nboot; b++)
			if (boots[b].ms[k] >= 0)
				v[n++] = boots[b].ms[k];
		st = stats(v, n);
		fprintf(jf, "%s", first ? "" : ",");
		first = 0;
		jstat(milestones[k], st, "");
		md("| %s | %.1f | %.1f | %.1f |", milestones[k], st.median, st.min, st.max);
		for (int b = 0; b < nboot; b++)
			md(" %.1f |", boots[b].ms[k]);
		md("\n");
	}
	fprintf(jf, "},\"verdicts\":[");
	for (int b = 0; b < nboot; b++)
		fprintf(jf, "%s{\"dir\":\"%s\",\"verdict\":\"%s\",\"pass\":%d,\"fail\":%d,\"skip\":%d}",
			b ? "," : "", boots[b].dir, boots[b].verdict, boots[b].pass,
			boots[b].fail, boots[b].skip);
	if (nboot) {
		md("\nVerdicts:");
		for (int b = 0; b < nboot; b++)
			md(" run %d %s (%d pass, %d fail, %d skip);", b + 1, boots[b].verdict,
			   boots[b].pass, boots[b].fail, boots[b].skip);
		md("\n\nTime per test (junit.xml `time`: from the previous result to this one), "
		   "median over the runs, slowest first:\n\n| test | median s | min | max |\n|---|---:|---:|---:|\n");
	}
	fprintf(jf, "],\"tests_s\":{");
	{
		int order[MAXTESTS];
		struct stat ts[MAXTESTS];

		for (int t = 0; t < ntests; t++) {
			order[t] = t;
			ts[t] = stats(tests[t].t, tests[t].n);
			fprintf(jf, "%s", t ? "," : "");
			jstat(tests[t].name, ts[t], "");
		}
		for (int a = 0; a < ntests; a++)
			for (int b = a + 1; b < ntests; b++)
				if (ts[order[b]].median > ts[order[a]].median) {
					int x = order[a];

					order[a] = order[b];
					order[b] = x;
				}
		for (int a = 0; a < ntests; a++)
			md("| %s | %.2f | %.2f | %.2f |\n", tests[order[a]].name,
			   ts[order[a]].median, ts[order[a]].min, ts[order[a]].max);
	}
	fprintf(jf, "},\"image_builds_s\":{");
	if (nbuild)
		md("\nImage builds (`make images`, seconds):\n\n| build | s |\n|---|---:|\n");
	for (int b = 0; b < nbuild; b++) {
		fprintf(jf, "%s\"%s\":%.1f", b ? "," : "", label[b], build_s[b]);
		md("| %s | %.1f |\n", label[b], build_s[b]);
	}
	fprintf(jf, "}},\n\"bench_boot_milestones_s\":{");
	for (int k = 0; k < NMS; k++)
		fprintf(jf, "%s\"%s\":%.1f", k ? "," : "", milestones[k], benchboot.ms[k]);
	fprintf(jf, "},\n");

	/* ---- done criteria ---- */
	{
		struct stat r16, c16, r1, c1;
		bool ok_tput = true, ok_flat = false, ok_boot = false;
		double warm_total = -1, flat = 0;
		int n;

		md("\n## Done criteria (from this run)\n\n");
		md("Judged on the throughput ratio (median over repetitions); the median-cycle "
		   "ratio is given beside it.\n\n");
		for (int i = 0; i < 3; i++) {
			for (int b = 1; b < NBATCH; b++) {
				r16 = ratios(&tp[i][b], &tp[I_GNTDEV][b], false);
				c16 = ratios(&tp[i][b], &tp[I_GNTDEV][b], true);
				md("- %s, batch %u: ours/gntdev = %.3f (>= 1.0: %s; median cycle %.3f)\n",
				   impls[i], batches[b], r16.median,
				   r16.median >= 1.0 ? "yes" : "**no**", c16.median);
				if (i == 0 && (r16.median < 1.0 || !r16.n))
					ok_tput = false;
			}
		}
		r1 = ratios(&tp[0][0], &tp[I_GNTDEV][0], false);
		c1 = ratios(&tp[0][0], &tp[I_GNTDEV][0], true);
		md("- special, batch 1: ours/gntdev = %.3f (>= 0.9: %s; median cycle %.3f)\n",
		   r1.median, r1.median >= 0.9 ? "yes" : "**no**", c1.median);
		if (r1.median < 0.9 || !r1.n)
			ok_tput = false;
		if (sc_n[0][1] && sc_n[0][3]) {
			struct stat a = stats(sc_ns[0][1], sc_n[0][1]);
			struct stat b = stats(sc_ns[0][3], sc_n[0][3]);

			flat = (b.median / 65536) / (a.median / 1024);
			/* "flat": no growth beyond 2x; a fall is fixed cost amortised */
			ok_flat = flat <= 2.0;
		}
		md("- special, per-page cost 2^16 vs 2^10: %.2fx (does not grow beyond 2x: %s%s)\n",
		   flat, ok_flat ? "yes" : "**no**",
		   flat < 0.5 ? "; it falls: the fixed cost of a call is amortised" : "");
		if (nboot) {
			double v2[MAXBOOT];

			n = 0;
			for (int b = 0; b < nboot; b++)
				if (boots[b].ms[NMS - 1] >= 0)
					v2[n++] = boots[b].ms[NMS - 1];
			warm_total = stats(v2, n).median;
			ok_boot = n && warm_total <= 120;
		}
		if (nboot)
			md("- warm `make run` of the full suite, QEMU start to exit: %.1f s median "
			   "(<= 120 s: %s)\n", warm_total, ok_boot ? "yes" : "**no**");
		else
			md("- warm `make run`: not measured (no `make bench-boot` results)\n");
		fprintf(jf, "\"criteria\":{\"special_ratio_batch1\":%.4f,\"throughput_ok\":%s,"
			"\"per_page_flatness_2e16_vs_2e10\":%.3f,\"flat_ok\":%s,"
			"\"warm_run_s\":%.1f,\"warm_run_ok\":%s},\n",
			r1.median, ok_tput ? "true" : "false", flat, ok_flat ? "true" : "false",
			warm_total, ok_boot ? "true" : "false");
	}
	fprintf(jf, "\"notes\":[");
	for (int i = 0; i < nnote; i++) {
		fprintf(jf, "%s\"", i ? "," : "");
		for (const char *p = note[i]; *p; p++)
			fprintf(jf, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
		fprintf(jf, "\"");
	}
	fprintf(jf, "]\n}\n");
	if (nnote) {
		md("\nNotes from the guest:\n\n");
		for (int i = 0; i < nnote; i++)
			md("- %s\n", note[i]);
	}
	md("\n![throughput and scaling](bench.png)\n");
	fclose(jf);
	fclose(mf);

	/* gnuplot script: two panels, throughput per batch and ns/page vs N. */
	df = open_out(out, ".gp");
	if (!df)
		return 2;
	{
		const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;

		fprintf(df,
			"# generated by gntlab-benchreport; run in the output directory\n"
			"set terminal pngcairo size 1200,500 noenhanced\n"
			"set output '%1$s.png'\n"
			"set multiplot layout 1,2 title 'gntlab make bench (QEMU TCG: compare within one run only)'\n"
			"set logscale xy 2\n"
			"set key right bottom\n"
			"set format y '%%.0f'\n"
			"set grid\n"
			"set title 'map+touch+unmap throughput (median, min..max)'\n"
			"set xlabel 'batch (pages)'\n"
			"set ylabel 'pages/s'\n"
			"plot '%1$s-tput.dat' u 1:2:10:11 w yerrorlines t 'ours special', \\\n"
			"     '' u 1:3:12:13 w yerrorlines t 'ours nohook', \\\n"
			"     '' u 1:4:14:15 w yerrorlines t 'ours pfnmap', \\\n"
			"     '' u 1:5:16:17 w yerrorlines t 'gntdev (libxengnttab)', \\\n"
			"     '' u 1:7:20:21 w yerrorlines t 'ours special, split unmap (before)'\n"
			"set key right top\n"
			"set xtics ('1' 1, '2^10' 1024, '2^14' 16384, '2^16' 65536)\n"
			"set xrange [0.7:131072]\n"
			"set title 'scaling: one map+touch+unmap of N grants'\n"
			"set xlabel 'N (grants)'\n"
			"set ylabel 'ns per page'\n"
			"plot '%1$s-scale.dat' u 1:2 w linespoints t 'ours special', \\\n"
			"     '' u 1:3 w linespoints t 'gntdev'\n"
			"unset multiplot\n",
			base);
		fclose(df);
	}
	if (!nrec) {
		fprintf(stderr, "gntlab-benchreport: no measurement in %s\n", log);
		return 1;
	}
	return 0;
}
