// SPDX-License-Identifier: GPL-2.0
/* gntlab-soakreport: soak.json and soak.md (soakreport.h). */
#include <string.h>

#include "soakreport.h"

/* JSON string body: the names here are plain, but quotes and backslashes are escaped. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static const struct soak_memrec *mem_find(const struct soak *s, const char *phase)
{
	for (int i = 0; i < s->nmem; i++)
		if (!strcmp(s->mem[i].phase, phase))
			return &s->mem[i];
	return NULL;
}

/* Rate of sample i against the previous one of its phase (per second; -1: none). */
static double rate_at(const struct soak *s, int i)
{
	const struct soak_rate *r = &s->rate[i];

	for (int k = i - 1; k >= 0; k--) {
		const struct soak_rate *p = &s->rate[k];

		if (strcmp(p->phase, r->phase))
			continue;
		if (r->t > p->t && r->count >= p->count)
			return (double)(r->count - p->count) / (r->t - p->t);
		return -1;
	}
	if (r->seconds > 0)
		return (double)r->count / r->seconds;
	return -1;
}

static void mem_json(FILE *f, const struct soak_memrec *m)
{
	if (!m) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"t\": %.1f, \"d0_free_kb\": %ld, \"d0_avail_kb\": %ld, \"d0_slab_kb\": %ld, "
		"\"xen_free_kb\": %lld}", m->t, m->d0_free_kb, m->d0_avail_kb, m->d0_slab_kb,
		m->xen_free_kb);
}

void soak_write_json(const struct soak *s, FILE *f)
{
	fprintf(f, "{\n  \"asked\": {\"ioctls\": %ld, \"cycles\": %ld, \"destroys\": %ld, \"seconds\": %ld},\n",
		s->ask_ioctls, s->ask_cycles, s->ask_destroys, s->ask_seconds);
	fprintf(f, "  \"calls\": {\"gntlab\": %lu, \"gntdev\": %lu, \"total\": %lu, \"forks\": %lu, "
		"\"gntlab_seconds\": %.1f, \"gntdev_seconds\": %.1f, \"probes\": %lu, "
		"\"probes_seconds\": %.1f},\n", s->calls_gntlab,
		s->calls_gntdev, s->calls_gntlab + s->calls_gntdev, s->forks, s->sec_gntlab,
		s->sec_gntdev, s->probes, s->sec_probes);
	fprintf(f, "  \"cycles\": %lu,\n  \"cycles_seconds\": %.1f,\n", s->cycles, s->sec_cycles);
	fprintf(f, "  \"destroys\": {\"done\": %lu, \"failed\": %lu, \"no_bringup\": %lu, "
		"\"seconds\": %.1f, \"mean_cycle_s\": %.1f, \"mean_bringup_s\": %.1f},\n",
		s->destroys, s->destroy_failed, s->no_bringup, s->sec_destroys,
		s->destroy_s_n ? s->destroy_s_sum / (double)s->destroy_s_n : 0,
		s->destroy_s_n ? s->bringup_s_sum / (double)s->destroy_s_n : 0);
	fputs("  \"errors_by_errno\": {", f);
	for (int i = 0; i < s->nerr; i++) {
		bool first = i == 0 || strcmp(s->err[i - 1].phase, s->err[i].phase);

		if (first) {
			fputs(i ? "}, " : "", f);
			jstr(f, s->err[i].phase);
			fputs(": {", f);
		} else {
			fputs(", ", f);
		}
		jstr(f, s->err[i].name);
		fprintf(f, ": %lu", s->err[i].count);
	}
	fputs(s->nerr ? "}},\n" : "},\n", f);
	fprintf(f, "  \"leaks\": %lu,\n", soak_leaks(s));
	fputs("  \"module_counters_left\": ", f);
	if (s->modleak.reports) {
		fputs("{\"first_test\": ", f);
		jstr(f, s->modleak.test);
		fprintf(f, ", \"reports\": %d, \"maps\": %ld, \"grants_user\": %ld, "
			"\"grants_kernel\": %ld, \"pages\": %ld, \"deferred\": %ld},\n",
			s->modleak.reports, s->modleak.maps, s->modleak.grants_user,
			s->modleak.grants_kernel, s->modleak.pages, s->modleak.deferred);
	} else {
		fputs("null,\n", f);
	}
	fputs("  \"memory\": {\"before\": ", f);
	mem_json(f, mem_find(s, "baseline"));
	fputs(", \"after\": ", f);
	mem_json(f, mem_find(s, "end"));
	fputs(", \"phases\": [", f);
	for (int i = 0; i < s->nmem; i++) {
		const struct soak_memrec *m = &s->mem[i];

		fprintf(f, "%s\n    {\"phase\": ", i ? "," : "");
		jstr(f, m->phase);
		fprintf(f, ", \"t\": %.1f, \"d0_avail_kb\": %ld, \"xen_free_kb\": %lld, "
			"\"grants_of_d0\": %ld, \"grants_by_d0\": %ld, \"dying\": %ld}", m->t,
			m->d0_avail_kb, m->xen_free_kb, m->grants_of_d0, m->grants_by_d0, m->dying);
	}
	fprintf(f, "]},\n  \"guest_free_trend_kb\": {\"first\": %.0f, \"last\": %.0f},\n",
		s->trend_first_kb, s->trend_last_kb);
	fprintf(f, "  \"dom0_avail_trend_kb\": {\"first\": %.0f, \"last\": %.0f},\n",
		s->d0_destroy_first_kb, s->d0_destroy_last_kb);
	fputs("  \"rate\": [", f);
	for (int i = 0; i < s->nrate; i++) {
		const struct soak_rate *r = &s->rate[i];

		fprintf(f, "%s\n    {\"phase\": ", i ? "," : "");
		jstr(f, r->phase);
		fprintf(f, ", \"t\": %.1f, \"count\": %lu, \"per_s\": %.2f, \"g_free_kb\": %ld, "
			"\"d0_avail_kb\": %ld, \"xen_free_kb\": %lld}", r->t, r->count, rate_at(s, i),
			r->g_free_kb, r->d0_avail_kb, r->xen_free_kb);
	}
	fputs("],\n  \"verdicts\": [", f);
	for (int i = 0; i < s->nv; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		jstr(f, s->v[i].name);
		fputs(", \"verdict\": ", f);
		jstr(f, s->v[i].verdict);
		fputs(", \"why\": ", f);
		jstr(f, s->v[i].why);
		fputc('}', f);
	}
	fprintf(f, "],\n  \"failed\": %d,\n  \"unreadable_records\": %d,\n  \"pass\": %s\n}\n",
		soak_failed(s), s->bad_lines,
		!soak_failed(s) && !soak_leaks(s) && s->nv ? "true" : "false");
}

static void mem_md(FILE *f, const char *what, const struct soak_memrec *m)
{
	if (m)
		fprintf(f, "| %s | %.0f | %ld | %ld | %ld | %lld |\n", what, m->t, m->d0_free_kb,
			m->d0_avail_kb, m->d0_slab_kb, m->xen_free_kb);
	else
		fprintf(f, "| %s | - | - | - | - | - |\n", what);
}

void soak_write_md(const struct soak *s, FILE *f)
{
	const struct soak_memrec *b = mem_find(s, "baseline"), *e = mem_find(s, "end");
	const char *last = "";

	fprintf(f, "# gntlab soak: %s\n\n", !soak_failed(s) && !soak_leaks(s) && s->nv ?
							"PASS" : "FAIL");
	fprintf(f, "Asked: %ld ioctls, %ld map cycles, %ld destroy cycles within %ld s.\n"
		"Whole soak (dom0's clock): %.0f s.\n\n", s->ask_ioctls, s->ask_cycles,
		s->ask_destroys, s->ask_seconds, s->sec_total);
	fputs("| phase | done | seconds | rate (/s) |\n|---|---:|---:|---:|\n", f);
	fprintf(f, "| ioctls, /dev/gntlab (%lu forks racing) | %lu | %.0f | %.0f |\n", s->forks,
		s->calls_gntlab, s->sec_gntlab, s->sec_gntlab > 0 ? s->calls_gntlab / s->sec_gntlab : 0);
	fprintf(f, "| ioctls, gntdev | %lu | %.0f | %.0f |\n", s->calls_gntdev, s->sec_gntdev,
		s->sec_gntdev > 0 ? s->calls_gntdev / s->sec_gntdev : 0);
	fprintf(f, "| probes (INTROSPECT_ANY, GUP_PROBE_ANY) under churning maps | %lu | %.0f | %.0f |\n",
		s->probes, s->sec_probes, s->sec_probes > 0 ? s->probes / s->sec_probes : 0);
	fprintf(f, "| map -> use -> teardown cycles | %lu | %.0f | %.1f |\n", s->cycles,
		s->sec_cycles, s->sec_cycles > 0 ? s->cycles / s->sec_cycles : 0);
	fprintf(f, "| guest create -> map both ways -> destroy | %lu (%lu failed, %lu not up) | %.0f | %.3f |\n\n",
		s->destroys, s->destroy_failed, s->no_bringup, s->sec_destroys,
		s->sec_destroys > 0 ? s->destroys / s->sec_destroys : 0);
	fprintf(f, "Leaks: **%lu** (grant entries left after a phase, dying domains, Xen's free\n"
		"memory more than 1 MiB or dom0's MemAvailable more than 32 MiB below the\n"
		"baseline, the guest's MemFree falling more than 4 MiB over the cycles,\n"
		"what the module's counters held when a test found them not zero).\n\n",
		soak_leaks(s));
	if (s->modleak.reports)
		fprintf(f, "**The module's counters were not zero**, first after `%s` (the phase\n"
			"that leaked; %d test(s) saw it): maps %ld, grants user %ld kernel %ld,\n"
			"pages %ld, deferred %ld.\n\n", s->modleak.test, s->modleak.reports,
			s->modleak.maps, s->modleak.grants_user, s->modleak.grants_kernel,
			s->modleak.pages, s->modleak.deferred);
	fputs("## Memory\n\n| when | dom0 uptime (s) | dom0 MemFree (KiB) | dom0 MemAvailable | dom0 Slab | Xen free (KiB) |\n"
	      "|---|---:|---:|---:|---:|---:|\n", f);
	mem_md(f, "before", b);
	for (int i = 0; i < s->nmem; i++)
		if (strcmp(s->mem[i].phase, "baseline") && strcmp(s->mem[i].phase, "end"))
			mem_md(f, s->mem[i].phase, &s->mem[i]);
	mem_md(f, "after", e);
	if (b && e)
		fprintf(f, "\nXen's free memory after - before: %lld KiB; dom0's MemAvailable: %ld KiB.\n",
			e->xen_free_kb - b->xen_free_kb, e->d0_avail_kb - b->d0_avail_kb);
	if (s->trend_first_kb >= 0)
		fprintf(f, "Guest MemFree, first thousand map cycles: %.0f KiB, last thousand: %.0f KiB.\n",
			s->trend_first_kb, s->trend_last_kb);
	if (s->d0_destroy_first_kb >= 0)
		fprintf(f, "dom0 MemAvailable, first ten destroy cycles: %.0f KiB, last ten: %.0f KiB.\n",
			s->d0_destroy_first_kb, s->d0_destroy_last_kb);
	fputs("\n## Refusals by errno\n\n| phase | errno | count |\n|---|---|---:|\n", f);
	for (int i = 0; i < s->nerr; i++)
		fprintf(f, "| %s | %s | %lu |\n", s->err[i].phase, s->err[i].name, s->err[i].count);
	fputs("\n## Rate over time\n\n| phase | dom0 uptime (s) | count | rate (/s) | guest MemFree (KiB) | Xen free (KiB) |\n"
	      "|---|---:|---:|---:|---:|---:|\n", f);
	for (int i = 0; i < s->nrate; i++) {
		const struct soak_rate *r = &s->rate[i];
		double per = rate_at(s, i);

		/* Every sample of the short phases; one in ten of the destroy cycles. */
		if (!strcmp(r->phase, "destroys") && r->count % 10 && strcmp(last, r->phase))
			last = r->phase;
		else if (!strcmp(r->phase, "destroys") && r->count % 10)
			continue;
		fprintf(f, "| %s | %.0f | %lu | ", r->phase, r->t, r->count);
		if (per >= 0)
			fprintf(f, "%.1f", per);
		fprintf(f, " | %ld | %lld |\n", r->g_free_kb, r->xen_free_kb);
	}
	fputs("\n## Verdicts\n\n| test | verdict | why |\n|---|---|---|\n", f);
	for (int i = 0; i < s->nv; i++)
		fprintf(f, "| %s | %s | %s |\n", s->v[i].name, s->v[i].verdict, s->v[i].why);
}
