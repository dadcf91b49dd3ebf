// SPDX-License-Identifier: GPL-2.0
/*
 * The counts section of the report: per mapped page, what a map + touch +
 * unmap cycle asks of Xen, for each variant and batch size (counted in the
 * guest by tests/guest/bench_count.c), and the criterion: ours (the module's
 * default path, `special`) never more than gntdev.
 */
#include <stdio.h>

#include "benchreport.h"

/* Per mapped page (a record holds cycles x batch pages). */
static double per_page(const struct report *r, int i, int b, double v)
{
	return v / (r->cnt[i][b][C_CYCLES] * batches[b]);
}

/* The figures compared, per mapped page. */
enum { F_HCALLS, F_GOPS, F_TLB, F_XFLUSH, F_PT, NFIG };
static const char *const fig_key[NFIG] = {
	"hypercalls", "grant_ops", "tlb_flush_requests", "xen_unmap_flushes", "pt_pages",
};

static double fig(const struct report *r, int i, int b, int f)
{
	const double *c = r->cnt[i][b];

	switch (f) {
	case F_HCALLS:
		return per_page(r, i, b, c[C_MAP_CALLS] + c[C_UNMAP_CALLS] + c[C_MC_CALLS]);
	case F_GOPS:
		return per_page(r, i, b, c[C_MAP_ENTRIES] + c[C_UNMAP_ENTRIES]);
	case F_TLB:
		return per_page(r, i, b, c[C_TLB_MULTI] + c[C_TLB_ONE]);
	case F_XFLUSH:
		return per_page(r, i, b, c[C_XEN_FLUSHES]);
	default:
		return per_page(r, i, b, c[C_PT_ALLOC] + c[C_PT_RELEASE]);
	}
}

bool write_counts(const struct report *r, FILE *jf, FILE *mf)
{
	bool any = false, ok = true, first = true;

	for (int i = 0; i < NIMPL; i++)
		for (int b = 0; b < NBATCH; b++)
			any = any || r->have_cnt[i][b];
	fprintf(mf, "\n## 4. Counts per mapped page (deterministic)\n\n");
	fprintf(jf, "\"counts\":{");
	if (!any) {
		fprintf(mf, "No counts in this run (see the notes: tracefs or kprobes missing).\n");
		fprintf(jf, "},\n");
		return false;
	}
	fprintf(mf,
		"What one map + touch + unmap cycle asks of Xen, per mapped page, counted in the "
		"guest with kprobes and tracepoints (tests/guest/bench_count.h, docs/bench.md "
		"\"Counts\"): hypercalls = grant-table hypercalls (map, unmap) + non-empty "
		"multicall flushes; grant ops = map + unmap entries; TLB flush requests = the "
		"guest's xen_mmu_flush_tlb_multi + _one_user; Xen unmap flushes = one per group "
		"of up to 32 ops of each unmap hypercall (Xen 4.17); page-table pages allocated "
		"+ released.\n\n"
		"| batch | variant | hypercalls | grant ops | TLB flush requests | Xen unmap flushes "
		"| page-table pages | raw (map calls/entries, unmap calls/entries, multicalls/ops, "
		"cycles) |\n|---:|---|---:|---:|---:|---:|---:|---|\n");
	for (int b = 0; b < NBATCH; b++)
		for (int i = 0; i < NIMPL; i++) {
			const double *c = r->cnt[i][b];

			if (!r->have_cnt[i][b])
				continue;
			fprintf(jf, "%s\n\"%s/%u\":{", first ? "" : ",", impls[i], batches[b]);
			first = false;
			for (int f = 0; f < NFIG; f++)
				fprintf(jf, "\"%s_per_page\":%.6g,", fig_key[f], fig(r, i, b, f));
			for (int k = 0; k < NCOUNT; k++)
				fprintf(jf, "%s\"%s\":%.0f", k ? "," : "", count_keys[k], c[k]);
			fprintf(jf, "}");
			fprintf(mf, "| %u | %s%s | %.3g | %.3g | %.3g | %.3g | %.3g | %.0f/%.0f, %.0f/%.0f, "
				"%.0f/%.0f, %.0f |\n", batches[b], impls[i],
				c[C_COMPLETE] ? "" : " (incomplete)", fig(r, i, b, F_HCALLS),
				fig(r, i, b, F_GOPS), fig(r, i, b, F_TLB), fig(r, i, b, F_XFLUSH),
				fig(r, i, b, F_PT), c[C_MAP_CALLS], c[C_MAP_ENTRIES],
				c[C_UNMAP_CALLS], c[C_UNMAP_ENTRIES], c[C_MC_CALLS], c[C_MC_OPS],
				c[C_CYCLES]);
		}
	fprintf(jf, "\n},\n");
	/* The criterion: special (the default path) <= gntdev, every figure, every batch. */
	fprintf(mf, "\nOurs (`special`, the default path) against gntdev:");
	for (int b = 0; b < NBATCH; b++) {
		if (!r->have_cnt[I_SPECIAL][b] || !r->have_cnt[I_GNTDEV][b] ||
		    !r->cnt[I_SPECIAL][b][C_COMPLETE]) {
			ok = false;
			fprintf(mf, " batch %u not counted;", batches[b]);
			continue;
		}
		for (int f = 0; f < NFIG - 1; f++)
			if (fig(r, I_SPECIAL, b, f) > fig(r, I_GNTDEV, b, f) + 1e-9) {
				ok = false;
				fprintf(mf, " **more %s at batch %u** (%.3f > %.3f);", fig_key[f],
					batches[b], fig(r, I_SPECIAL, b, f), fig(r, I_GNTDEV, b, f));
			}
	}
	fprintf(mf, " %s\n", ok ? "never more, at any batch size." : "(see above).");
	return ok;
}
