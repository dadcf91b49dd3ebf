// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-benchreport, output: <out>.json (every figure), <out>.md (the
 * tables), <out>-tput.dat and <out>-scale.dat (gnuplot's data) and <out>.gp
 * (the gnuplot script that draws <out>.png).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "benchreport.h"

static FILE *jf, *mf;

static void md(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void md(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(mf, fmt, ap);
	va_end(ap);
}

static void jstat(const char *key, struct dist s, const char *tail)
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

static double spread_pct(struct dist s)
{
	return s.median > 0 ? 100.0 * (s.max - s.min) / s.median : 0;
}

/* ---- 1. throughput ------------------------------------------------------ */

static void write_tput_batch(const struct report *r, int b, FILE *df)
{
	struct dist st[NIMPL];

	fprintf(jf, "\"%u\":{", batches[b]);
	for (int i = 0; i < NIMPL; i++) {
		const struct tput *t = &r->tp[i][b], *g = &r->tp[I_GNTDEV][b];
		double v[MAXREP];
		int n = 0;
		struct dist rs, rc;

		for (int k = 0; k < MAXREP; k++)
			if (t->have[k])
				v[n++] = t->pps[k];
		st[i] = stats(v, n);
		rs = ratios(t, g, false);
		rc = ratios(t, g, true);
		fprintf(jf, "%s\"%s\":{", i ? "," : "", impls[i]);
		jstat("pages_per_s", st[i], ",");
		if (i != I_GNTDEV) {
			jstat("ratio_vs_gntdev", rs, ",");
			jstat("ratio_vs_gntdev_median_cycle", rc, ",");
		}
		fprintf(jf, "\"ns_per_page\":{");
		for (int k = 0; k < NPHASE; k++)
			fprintf(jf, "%s\"%s\":%.1f", k ? "," : "", phase_keys[k] + 3,
				t->pages > 0 ? t->phase_ns[k] / t->pages : 0.0);
		fprintf(jf, "},\"bad_bytes\":%.0f,\"failed_reps\":%.0f}", t->bad, t->errs);
		if (i == I_GNTDEV)
			md("| %u | %s | %.0f | %.0f | %.0f | %.0f%% | 1 | 1 |\n", batches[b],
			   impls[i], st[i].median, st[i].min, st[i].max, spread_pct(st[i]));
		else
			md("| %u | %s | %.0f | %.0f | %.0f | %.0f%% | **%.3f** | **%.3f** |\n",
			   batches[b], impls[i], st[i].median, st[i].min, st[i].max,
			   spread_pct(st[i]), rs.median, rc.median);
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

static void write_throughput(const struct report *r, const char *out)
{
	FILE *df;

	fprintf(jf, "\"throughput\":{\n");
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
	   "Noise floor: `special` and `nohook` differ only in the VMA's ops; how far "
	   "their ratios are from each other shows what a ratio's noise is.\n\n",
	   r->maxrep);
	md("| batch | variant | median pages/s | min | max | spread | ours/gntdev throughput | ours/gntdev median cycle |\n");
	md("|---:|---|---:|---:|---:|---:|---:|---:|\n");
	df = open_out(out, "-tput.dat");
	if (df) {
		fprintf(df, "# batch");
		for (int i = 0; i < NIMPL; i++)
			fprintf(df, " %s", impls[i]);
		fprintf(df, " (median pages/s), then min max of each\n");
	}
	for (int b = 0; b < NBATCH; b++)
		write_tput_batch(r, b, df);
	if (df)
		fclose(df);
	fprintf(jf, "},\n");

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
			const struct tput *t = &r->tp[i][b];
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
}

/* ---- 2. scaling --------------------------------------------------------- */

static void write_scaling_impl(const struct report *r, int i, bool first)
{
	double lx[NSIZE], ly[NSIZE], x[NSIZE], y[NSIZE], icpt, exp_, lin, ratio;
	int nfit = 0;
	struct dist st[NSIZE];

	fprintf(jf, "%s\"%s\":{\"sizes\":{", first ? "" : ",\n", impls[i]);
	for (int s = 0; s < NSIZE; s++) {
		struct dist ms = stats(r->sc_mem[i][s], r->sc_n[i][s]);
		double n = r->sc_n[i][s] ? r->sc_n[i][s] : 1;
		const double *ph = r->sc_ph[i][s];

		st[s] = stats(r->sc_ns[i][s], r->sc_n[i][s]);
		fprintf(jf, "%s\"%u\":{", s ? "," : "", sizes[s]);
		jstat("ns", st[s], ",");
		jstat("memfree_drop_kb", ms, ",");
		fprintf(jf, "\"ns_per_page\":%.1f,\"phase_ns_per_page\":{",
			st[s].n ? st[s].median / sizes[s] : 0.0);
		for (int k = 0; k < NPHASE; k++)
			fprintf(jf, "%s\"%s\":%.1f", k ? "," : "", phase_keys[k] + 3,
				ph[k] / n / sizes[s]);
		fprintf(jf, "}}");
		if (st[s].n)
			md("| %s | %u | %.3f s | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f |\n",
			   impls[i], sizes[s], st[s].median / 1e9, st[s].min / 1e9,
			   st[s].max / 1e9, st[s].median / sizes[s], ms.median,
			   (ph[0] + ph[1]) / n / sizes[s], (ph[3] + ph[4]) / n / sizes[s]);
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
	ratio = st[1].n && st[3].n ? (st[3].median / 65536) / (st[1].median / 1024) : 0.0;
	fprintf(jf, "},\"fit_2e10_2e16\":{\"points\":%d,\"loglog_exponent\":%.4f,"
		"\"linear_ns_per_page\":%.1f,\"linear_intercept_ns\":%.0f,"
		"\"per_page_ratio_2e16_vs_2e10\":%.3f}}",
		nfit, exp_, lin, icpt, ratio);
	md("| %s | fit 2^10..2^16 | slope %.0f ns/page | | | log-log exponent %.3f "
	   "(1 = flat per-page cost) | per-page cost 2^16 / 2^10 = %.2f | | |\n",
	   impls[i], lin, exp_, ratio);
}

static void write_scaling(const struct report *r, const char *out)
{
	static const int plotted[] = { I_SPECIAL, I_GNTDEV };
	FILE *df;
	bool first = true;

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
	if (df) {
		fprintf(df, "# pages special_ns_per_page gntdev_ns_per_page\n");
		for (int s = 0; s < NSIZE; s++) {
			fprintf(df, "%u", sizes[s]);
			for (size_t k = 0; k < sizeof(plotted) / sizeof(plotted[0]); k++) {
				int i = plotted[k];
				struct dist st = stats(r->sc_ns[i][s], r->sc_n[i][s]);

				fprintf(df, " %.1f", st.n ? st.median / sizes[s] : NAN);
			}
			fprintf(df, "\n");
		}
		fclose(df);
	}
	for (int i = 0; i < NIMPL; i++) {
		if (!r->sc_n[i][0] && !r->sc_n[i][NSIZE - 1])
			continue;
		write_scaling_impl(r, i, first);
		first = false;
	}
	fprintf(jf, "\n},\n");
}

/* ---- 3. boot to verdict ------------------------------------------------- */

static void write_test_times(const struct report *r)
{
	int order[MAXTESTS];
	struct dist ts[MAXTESTS];

	for (int t = 0; t < r->ntests; t++) {
		order[t] = t;
		ts[t] = stats(r->tests[t].t, r->tests[t].n);
		fprintf(jf, "%s", t ? "," : "");
		jstat(r->tests[t].name, ts[t], "");
	}
	for (int a = 0; a < r->ntests; a++)
		for (int b = a + 1; b < r->ntests; b++)
			if (ts[order[b]].median > ts[order[a]].median) {
				int x = order[a];

				order[a] = order[b];
				order[b] = x;
			}
	for (int a = 0; a < r->ntests; a++)
		md("| %s | %.2f | %.2f | %.2f |\n", r->tests[order[a]].name,
		   ts[order[a]].median, ts[order[a]].min, ts[order[a]].max);
}

static void write_boot(const struct report *r)
{
	const struct boot *boots = r->boots;
	int nboot = r->nboot;

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
	for (int k = 0; k < NMS && nboot; k++) {
		double v[MAXBOOT];
		int n = 0;
		struct dist st;

		for (int b = 0; b < nboot; b++)
			if (boots[b].ms[k] >= 0)
				v[n++] = boots[b].ms[k];
		st = stats(v, n);
		fprintf(jf, "%s", k ? "," : "");
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
	write_test_times(r);
	fprintf(jf, "},\"image_builds_s\":{");
	if (r->nbuild)
		md("\nImage builds (`make images`, seconds):\n\n| build | s |\n|---|---:|\n");
	for (int b = 0; b < r->nbuild; b++) {
		fprintf(jf, "%s\"%s\":%.1f", b ? "," : "", r->label[b], r->build_s[b]);
		md("| %s | %.1f |\n", r->label[b], r->build_s[b]);
	}
	fprintf(jf, "}},\n\"bench_boot_milestones_s\":{");
	for (int k = 0; k < NMS; k++)
		fprintf(jf, "%s\"%s\":%.1f", k ? "," : "", milestones[k], r->benchboot.ms[k]);
	fprintf(jf, "},\n");
}

/* ---- 3b. full suite against a bare boot, back to back --------------------- */

/* Phases of a run (spans between summary.txt milestones, indexes in milestones[]). */
static const struct {
	const char *name;
	int from, to;
} spans[] = {
	{ "xen-boot", 0, 2 },	 /* QEMU start -> dom0 kernel */
	{ "dom0-ready", 2, 4 },	 /* dom0 kernel -> dom0 ready (libvirt answers) */
	{ "guest-ready", 4, 6 }, /* -> first guest's agent ready */
	{ "tests", 7, 8 },	 /* tests -> tests done */
	{ "end", 8, 10 },	 /* tests done -> QEMU exit */
	{ "total", 0, 10 },
};
#define NSPAN (int)(sizeof(spans) / sizeof(spans[0]))

static double span_of(const struct boot *b, int k)
{
	double a = b->ms[spans[k].from], z = b->ms[spans[k].to];

	return a < 0 || z < 0 ? -1 : z - a;
}

/* Median of span k over runs (-1: none has it). */
static struct dist span_dist(const struct boot *b, int n, int k)
{
	double v[MAXBOOT];
	int m = 0;

	for (int i = 0; i < n; i++)
		if (span_of(&b[i], k) >= 0)
			v[m++] = span_of(&b[i], k);
	return stats(v, m);
}

/* The ratio of each full run to the bare boot run back to back with it. */
static struct dist verdict_ratio(const struct report *r)
{
	double v[MAXBOOT];
	int m = 0;

	for (int i = 0; i < r->nboot && i < r->nbare; i++) {
		double f = span_of(&r->boots[i], NSPAN - 1), b = span_of(&r->bares[i], NSPAN - 1);

		if (f > 0 && b > 0)
			v[m++] = f / b;
	}
	return stats(v, m);
}

static void write_verdict_ratio(const struct report *r)
{
	struct dist q = verdict_ratio(r);

	fprintf(jf, "\"verdict_ratio\":{\"pairs\":%d,", q.n);
	jstat("full_over_bare", q, ",");
	fprintf(jf, "\"phases_s\":{");
	md("\n## 3b. Full suite against a bare boot\n\n");
	if (!q.n) {
		md("No bare boots beside the full runs (`make bench-boot` runs `make smoke` "
		   "beside each `make run`).\n");
	} else {
		md("Each full `make run` ran back to back with a bare boot of the same images "
		   "(`make smoke`: dom0, the first guest, the end-to-end map and the "
		   "shutdown; no suites), the bare boot first in odd pairs and second in even "
		   "ones (tools/bench/boot-runs.sh). Phases in seconds, median over %d pairs:\n\n"
		   "| phase | full run | bare boot | full - bare |\n|---|---:|---:|---:|\n", q.n);
	}
	for (int k = 0; k < NSPAN; k++) {
		struct dist f = span_dist(r->boots, r->nboot, k), b = span_dist(r->bares, r->nbare, k);

		fprintf(jf, "%s\"%s\":{\"full\":%.1f,\"bare\":%.1f}", k ? "," : "", spans[k].name,
			f.n ? f.median : -1, b.n ? b.median : -1);
		if (q.n)
			md("| %s | %.1f | %.1f | %+.1f |\n", spans[k].name, f.median, b.median,
			   f.median - b.median);
	}
	fprintf(jf, "}},\n");
	if (q.n) {
		md("\nFull-suite time / bare-boot time (QEMU start to exit), pair by pair:");
		for (int i = 0; i < r->nboot && i < r->nbare; i++)
			md(" %.2f", span_of(&r->boots[i], NSPAN - 1) / span_of(&r->bares[i], NSPAN - 1));
		md("; median **%.2f** (min %.2f, max %.2f).\n", q.median, q.min, q.max);
	}
}

/* ---- done criteria ------------------------------------------------------ */

static void write_criteria(const struct report *r, bool counts_ok)
{
	const struct tput (*tp)[NBATCH] = r->tp;
	struct dist r16, c16, r1, c1, vr;
	bool ok_tput = true, ok_flat = false, ok_boot = false;
	double warm_total = -1, flat = 0;

	md("\n## Done criteria (from this run)\n\n");
	md("Judged on the throughput ratio (median over repetitions); the median-cycle "
	   "ratio is given beside it.\n\n");
	for (int i = 0; i < I_GNTDEV; i++) {
		for (int b = 1; b < NBATCH; b++) {
			r16 = ratios(&tp[i][b], &tp[I_GNTDEV][b], false);
			c16 = ratios(&tp[i][b], &tp[I_GNTDEV][b], true);
			md("- %s, batch %u: ours/gntdev = %.3f (>= 1.0: %s; median cycle %.3f)\n",
			   impls[i], batches[b], r16.median,
			   r16.median >= 1.0 ? "yes" : "**no**", c16.median);
			if (i == I_SPECIAL && (r16.median < 1.0 || !r16.n))
				ok_tput = false;
		}
	}
	r1 = ratios(&tp[I_SPECIAL][0], &tp[I_GNTDEV][0], false);
	c1 = ratios(&tp[I_SPECIAL][0], &tp[I_GNTDEV][0], true);
	md("- special, batch 1: ours/gntdev = %.3f (>= 0.9: %s; median cycle %.3f)\n",
	   r1.median, r1.median >= 0.9 ? "yes" : "**no**", c1.median);
	if (r1.median < 0.9 || !r1.n)
		ok_tput = false;
	if (r->sc_n[I_SPECIAL][1] && r->sc_n[I_SPECIAL][3]) {
		struct dist a = stats(r->sc_ns[I_SPECIAL][1], r->sc_n[I_SPECIAL][1]);
		struct dist b = stats(r->sc_ns[I_SPECIAL][3], r->sc_n[I_SPECIAL][3]);

		flat = (b.median / 65536) / (a.median / 1024);
		/* "flat": no growth beyond 2x; a fall is fixed cost amortised */
		ok_flat = flat <= 2.0;
	}
	md("- special, per-page cost 2^16 vs 2^10: %.2fx (does not grow beyond 2x: %s%s)\n",
	   flat, ok_flat ? "yes" : "**no**",
	   flat < 0.5 ? "; it falls: the fixed cost of a call is amortised" : "");
	if (r->nboot) {
		double v[MAXBOOT];
		int n = 0;

		for (int b = 0; b < r->nboot; b++)
			if (r->boots[b].ms[NMS - 1] >= 0)
				v[n++] = r->boots[b].ms[NMS - 1];
		warm_total = stats(v, n).median;
		ok_boot = n && warm_total <= 120;
		md("- warm `make run` of the full suite, QEMU start to exit: %.1f s median "
		   "(<= 120 s: %s)\n", warm_total, ok_boot ? "yes" : "**no**");
	} else {
		md("- warm `make run`: not measured (no `make bench-boot` results)\n");
	}
	md("- counts per mapped page (hypercalls, grant ops, TLB flush requests, Xen unmap "
	   "flushes), special <= gntdev at every batch size: %s\n", counts_ok ? "yes" : "**no**");
	vr = verdict_ratio(r);
	if (vr.n)
		md("- full suite / bare boot, back to back: %.2f median over %d pairs "
		   "(<= 2.0: %s)\n", vr.median, vr.n, vr.median <= 2.0 ? "yes" : "**no**");
	else
		md("- full suite / bare boot: not measured (no bare boots)\n");
	fprintf(jf, "\"criteria\":{\"special_ratio_batch1\":%.4f,\"throughput_ok\":%s,"
		"\"per_page_flatness_2e16_vs_2e10\":%.3f,\"flat_ok\":%s,"
		"\"warm_run_s\":%.1f,\"warm_run_ok\":%s,"
		"\"full_over_bare\":%.3f,\"full_over_bare_ok\":%s,\"counts_ok\":%s},\n",
		r1.median, ok_tput ? "true" : "false", flat, ok_flat ? "true" : "false",
		warm_total, ok_boot ? "true" : "false", vr.n ? vr.median : -1,
		vr.n && vr.median <= 2.0 ? "true" : "false", counts_ok ? "true" : "false");
}

static void write_notes(const struct report *r)
{
	fprintf(jf, "\"notes\":[");
	for (int i = 0; i < r->nnote; i++) {
		fprintf(jf, "%s\"", i ? "," : "");
		for (const char *p = r->note[i]; *p; p++)
			fprintf(jf, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
		fprintf(jf, "\"");
	}
	fprintf(jf, "]\n}\n");
	if (r->nnote) {
		md("\nNotes from the guest:\n\n");
		for (int i = 0; i < r->nnote; i++)
			md("- %s\n", r->note[i]);
	}
}

int write_report(const struct report *r, const char *out)
{
	bool counts_ok;

	jf = open_out(out, ".json");
	mf = open_out(out, ".md");
	if (!jf || !mf)
		return -1;

	md("<!-- generated by gntlab-benchreport from one `make bench` -->\n");
	md("# gntlab benchmark\n\n");
	md("The machine is QEMU TCG (emulated x86), shared with other jobs: absolute "
	   "numbers vary from run to run and mean little. Only **ratios measured in "
	   "the same run**, with the variants interleaved inside every repetition "
	   "(random order each round), are worth comparing. Spread = (max - min) / median.\n\n");
	md("Guest environment: `%s`\n\n", r->env);
	fprintf(jf, "{\n\"env\":%s,\n\"done\":%s,\n", r->env, r->done);

	write_throughput(r, out);
	write_scaling(r, out);
	counts_ok = write_counts(r, jf, mf);
	write_boot(r);
	write_verdict_ratio(r);
	write_criteria(r, counts_ok);
	write_notes(r);
	md("\n![throughput and scaling](bench.png)\n");
	fclose(jf);
	fclose(mf);
	return 0;
}

/* gnuplot script: two panels, throughput per batch and ns/page vs N. */
int write_gnuplot(const char *out)
{
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	FILE *df = open_out(out, ".gp");

	if (!df)
		return -1;
	/* -tput.dat: batch, NIMPL medians, then NIMPL (min, max) pairs. */
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
		"plot '%1$s-tput.dat' u 1:2:6:7 w yerrorlines t 'ours special', \\\n"
		"     '' u 1:3:8:9 w yerrorlines t 'ours nohook', \\\n"
		"     '' u 1:4:10:11 w yerrorlines t 'ours pfnmap', \\\n"
		"     '' u 1:5:12:13 w yerrorlines t 'gntdev (libxengnttab)'\n"
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
	return 0;
}
