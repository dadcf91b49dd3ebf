// SPDX-License-Identifier: GPL-2.0
/* Unit tests of gntlab-soakreport's reader and writers (soakreport.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "soakreport.h"

static const char *const log_lines[] = {
	"start ioctls=3000 cycles=200 destroys=2 seconds=600 t=30.0 d0_free_kb=900000 d0_avail_kb=1000000 d0_slab_kb=50000 xen_free_kb=500000",
	"mem phase=baseline t=30.1 d0_free_kb=900000 d0_avail_kb=1000000 d0_slab_kb=50000 xen_free_kb=500000",
	"phase-start phase=ioctls t=30.2 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"rate phase=ioctls-gntlab count=1000 seconds=5.0 g_free_kb=100000 t=35.2 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"rate phase=ioctls-gntlab count=2000 seconds=10.0 g_free_kb=100000 t=40.2 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"errnos phase=ioctls-gntlab EINVAL=700 EFAULT=300 ENOTTY=5 t=41 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"summary phase=ioctls-gntlab count=2000 seconds=10.5 ok=400 mmaps=10 mmap_ok=2 forks=3 bad=0 goal=2000 g_free_kb=1 t=41 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"summary phase=ioctls-gntdev count=1000 seconds=4.0 t=45 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"summary phase=ioctls-probes count=750 seconds=3.0 bad=0 goal=750 g_free_kb=1 t=45.5 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"mem phase=after-ioctls grants_of_d0=0 grants_by_d0=0 domains=2 dying=0 t=46 d0_free_kb=1 d0_avail_kb=999000 d0_slab_kb=1 xen_free_kb=500000",
	"summary phase=cycles count=200 seconds=20.0 failed=0 t=70 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"destroy i=0 worker=0 ok=1 up=1 bringup_s=9.0 seconds=12.0 t=90 d0_free_kb=1 d0_avail_kb=990000 d0_slab_kb=1 xen_free_kb=300000",
	"destroy i=1 worker=1 ok=1 up=1 bringup_s=11.0 seconds=14.0 t=95 d0_free_kb=1 d0_avail_kb=990000 d0_slab_kb=1 xen_free_kb=300000",
	"phase-end phase=destroys seconds=30.0 done=2 failed=0 no_bringup=0 t=100 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
	"mem phase=end t=101 d0_free_kb=890000 d0_avail_kb=995000 d0_slab_kb=50500 xen_free_kb=499800",
	"end seconds=71.0 t=101 d0_free_kb=1 d0_avail_kb=1 d0_slab_kb=1 xen_free_kb=1",
};

static const char *const tap_lines[] = {
	"TAP version 13",
	"1..5",
	"ok 1 - boot/dom0-setup",
	"ok 2 - soak/baseline",
	"ok 3 - soak/ioctls_gntlab",
	"ok 4 - soak/ioctls_gntdev # SKIP no /dev/xen/gntdev",
	"not ok 5 - soak/destroy-cycles # only 2 of 3 destroy cycles",
};

static void load(struct soak *s)
{
	soak_init(s);
	for (size_t i = 0; i < sizeof(log_lines) / sizeof(log_lines[0]); i++)
		soak_parse_line(s, log_lines[i]);
	for (size_t i = 0; i < sizeof(tap_lines) / sizeof(tap_lines[0]); i++)
		soak_parse_tap(s, tap_lines[i]);
}

static char *render(const struct soak *s, void (*fn)(const struct soak *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NONNULL(f);
	fn(s, f);
	ASSERT_EQ(fclose(f), 0);
	return buf;
}

TH_DOC(soakreport, reads_records,
       "soak.log records (start, mem, rate, errnos, summary, destroy, phase-end, end)\n"
       "become the counts, the memory table, the rates and the errnos; the GNTLAB-LOG\n"
       "prefix is skipped; only soak/ verdicts of results.tap are kept.");
TEST(soakreport, reads_records)
{
	static struct soak s;

	load(&s);
	EXPECT_EQ(s.ask_ioctls, 3000);
	EXPECT_EQ(s.ask_seconds, 600);
	EXPECT_EQ(s.calls_gntlab, 2000);
	EXPECT_EQ(s.calls_gntdev, 1000);
	EXPECT_EQ(s.probes, 750);
	EXPECT_EQ(s.forks, 3);
	EXPECT_EQ(s.cycles, 200);
	EXPECT_EQ(s.destroys, 2);
	EXPECT_EQ(s.destroy_s_n, 2);
	EXPECT_EQ(s.nmem, 3);
	EXPECT_EQ(s.nerr, 3);
	EXPECT_STREQ(s.err[2].name, "ENOTTY");
	EXPECT_EQ(s.nrate, 4);		/* two rate records, two destroy cycles */
	EXPECT_EQ(s.nv, 4);
	EXPECT_STREQ(s.v[2].verdict, "skip");
	EXPECT_STREQ(s.v[3].verdict, "fail");
	EXPECT_EQ(s.bad_lines, 0);
	soak_init(&s);
	soak_parse_line(&s, "(XEN) noise GNTLAB-LOG soak summary phase=cycles count=7 seconds=1");
	soak_parse_line(&s, "what-is-this x=1");
	EXPECT_EQ(s.cycles, 7);
	EXPECT_EQ(s.bad_lines, 1);
}

TH_DOC(soakreport, leaks_counted,
       "Leaks: grant entries or dying domains after a phase count one each; Xen's free\n"
       "memory more than 1 MiB below the baseline at the end counts one; within the\n"
       "slack nothing counts.");
TEST(soakreport, leaks_counted)
{
	static struct soak s;

	load(&s);
	EXPECT_EQ(soak_leaks(&s), 0);	/* 200 KiB below: within the slack */
	EXPECT_EQ(soak_failed(&s), 1);
	soak_parse_line(&s, "mem phase=after-destroys grants_of_d0=2 grants_by_d0=0 dying=1 t=1");
	EXPECT_EQ(soak_leaks(&s), 3);
	load(&s);
	s.mem[2].xen_free_kb = 500000 - 4096;
	EXPECT_EQ(soak_leaks(&s), 1);
	load(&s);
	s.trend_first_kb = 100000;
	s.trend_last_kb = 90000;
	EXPECT_EQ(soak_leaks(&s), 1);
}

TH_DOC(soakreport, module_counters_name_the_phase,
       "A soak/ test that found the guest module's counters not zero (a page leaked on a\n"
       "teardown path) counts what they held as leaks, and the report names the first\n"
       "test (phase) that saw it; later tests seeing the same leak do not count it twice.");
TEST(soakreport, module_counters_name_the_phase)
{
	static struct soak s;

	load(&s);
	EXPECT_EQ(soak_leaks(&s), 0);
	soak_parse_tap(&s, "not ok 9 - soak/ioctls_gntlab # gt.c:89: ASSERT_EQ(...) failed: module "
			   "counters not zero after 5000 ms: maps 0, grants user 0 kernel 0, pages 1, "
			   "deferred 0; after-test check: module counters not zero after 5000 ms: maps 0, "
			   "grants user 0 kernel 0, pages 1, deferred 0\n");
	soak_parse_tap(&s, "not ok 13 - soak/cycles # after cycle 0 (nohook, munmap): module counters "
			   "not zero after 5000 ms: maps 0, grants user 0 kernel 0, pages 1, deferred 0\n");
	EXPECT_EQ(soak_leaks(&s), 1);
	EXPECT_STREQ(s.modleak.test, "soak/ioctls_gntlab");
	EXPECT_EQ(s.modleak.reports, 2);
	EXPECT_EQ(s.modleak.pages, 1);
}

TH_DOC(soakreport, json_and_md,
       "soak.json carries the counts, errors by errno, leaks, memory before/after, the\n"
       "rate samples and the verdicts, and is valid JSON by shape (balanced); soak.md\n"
       "says FAIL when a verdict failed and lists the refusals by errno.");
TEST(soakreport, json_and_md)
{
	static struct soak s;
	char *j, *m;
	int depth = 0, min = 0;

	load(&s);
	j = render(&s, soak_write_json);
	EXPECT_NONNULL(strstr(j, "\"calls\": {\"gntlab\": 2000, \"gntdev\": 1000, \"total\": 3000"));
	EXPECT_NONNULL(strstr(j, "\"probes\": 750, \"probes_seconds\": 3.0}"));
	EXPECT_NONNULL(strstr(j, "\"cycles\": 200,"));
	EXPECT_NONNULL(strstr(j, "\"destroys\": {\"done\": 2, \"failed\": 0"));
	EXPECT_NONNULL(strstr(j, "\"ioctls-gntlab\": {\"EINVAL\": 700, \"EFAULT\": 300, \"ENOTTY\": 5}"));
	EXPECT_NONNULL(strstr(j, "\"leaks\": 0,"));
	EXPECT_NONNULL(strstr(j, "\"before\": {\"t\": 30.1"));
	EXPECT_NONNULL(strstr(j, "\"xen_free_kb\": 499800}"));
	EXPECT_NONNULL(strstr(j, "\"per_s\": 200.00"));	/* 1000 calls in 5 s */
	EXPECT_NONNULL(strstr(j, "\"pass\": false"));
	for (const char *p = j; *p; p++) {
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		if (depth < min)
			min = depth;
	}
	EXPECT_EQ(depth, 0);
	EXPECT_EQ(min, 0);
	m = render(&s, soak_write_md);
	EXPECT_NONNULL(strstr(m, "# gntlab soak: FAIL"));
	EXPECT_NONNULL(strstr(m, "| ioctls-gntlab | EINVAL | 700 |"));
	EXPECT_NONNULL(strstr(m, "| soak/destroy-cycles | fail |"));
	EXPECT_NONNULL(strstr(m, "Xen's free memory after - before: -200 KiB"));
	free(j);
	free(m);
}

TH_MAIN
