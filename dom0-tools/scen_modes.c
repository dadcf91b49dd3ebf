// SPDX-License-Identifier: GPL-2.0
/* The plans that replace the test run: `make demo` and `make bench`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markers_out.h"
#include "scenarios.h"
#include "../tests/markers.h"

/*
 * `make demo`: one foreign mapping, narrated for a person watching. dom0
 * writes a message into a granted page, the guest maps it and prints it,
 * then shows what the PTE, P2M and M2P say and which GUP users are refused,
 * then everything is torn down and both sides show nothing leaked.
 */
static void demo_map(struct scen_env *e, struct step_res *r)
{
	char text[300], msg[120];
	int rc, lines;

	report_phase(GNTLAB_PHASE_TESTS);
	snprintf(msg, sizeof(msg), "Hello from dom0! This page belongs to domain 0; ref %u grants it to d%u.",
		 e->refs[0], e->domid);
	memcpy(e->shared, msg, strlen(msg) + 1);
	report_narrate("--- gntlab demo: one grant, mapped across domains ---");
	report_narrate("dom0 started guest '%s' (domain %u) through libvirt (%s)", e->o.name,
		       e->domid, e->o.uri);
	report_narrate("dom0 granted one of its pages to d%u (grant ref %u) and wrote into it:",
		       e->domid, e->refs[0]);
	report_narrate("    \"%s\"", msg);
	report_narrate("the guest maps ref %u through /dev/gntlab: Xen writes the PTE itself ...",
		       e->refs[0]);
	rc = step_agent(r, &e->ag, text, sizeof(text), "demo");
	lines = rc == 0 ? atoi(text) : 0;
	for (int i = 0; i < lines; i++) {
		char key[64], *v;

		snprintf(key, sizeof(key), GNTLAB_XS_OBS "/demo/%d", i);
		v = agent_get(&e->ag, key);
		report_narrate("  %s", v ? v : "?");
		free(v);
	}
	step_check(r, rc == 0 && lines > 0, "guest: %s", text);
}

static void demo_unmap(struct scen_env *e, struct step_res *r)
{
	char text[300];
	size_t active = 0;
	int rc;

	if (xen_active_count(e, &active, text, sizeof(text)) == 0)
		report_narrate("Xen's own grant table dump: %zu of dom0's grants mapped by d%u",
			       active, e->domid);
	rc = step_agent(r, &e->ag, text, sizeof(text), "unmap");
	report_narrate("the guest unmapped: %s", text);
	step_check(r, rc == 0, "guest: %s", text);
}

static void demo_leaks(struct scen_env *e, struct step_res *r)
{
	char text[300] = "";
	size_t active = 0;
	int rc = xen_active_count(e, &active, text, sizeof(text));

	if (rc)
		step_error(r, "%s", text);
	report_narrate("Xen's view after the unmap: %zu grants of dom0 mapped", active);
	step_check(r, active == 0, "Xen lists %zu grants still mapped", active);
	rc = xengntshr_unshare(e->gs, e->shared, e->o.pages);
	e->shared = NULL;
	report_narrate("dom0 revoked the grant: %s", rc ? strerror(errno) : "done, nothing pending");
	report_narrate("--- end of demo ---");
}

static const struct step demo[] = {
	{ "demo/guest-maps-and-reads",
	  "The guest maps dom0's page read-only, reads the message dom0 wrote, and\n"
	  "publishes the introspection and GUP-probe table that the demo prints.\n"
	  "Expected: pass.", demo_map, "grant/publish" },
	{ "demo/guest-unmaps-clean",
	  "The guest unmaps; its module counters return to zero. Expected: pass.",
	  demo_unmap, "demo/guest-maps-and-reads" },
	{ "demo/nothing-leaked",
	  "Xen's view after the unmap: no grant of dom0 mapped. Expected: 0.",
	  demo_leaks, "demo/guest-unmaps-clean" },
};
const struct scenario scen_demo = SCENARIO("demo", SCEN_ALWAYS, "boot/guest-agent-ready", demo,
					   NULL, NULL);

/*
 * `make bench`: dom0 lets the guest share up to 2^16 pages through its
 * gntalloc, whose `limit` parameter (Linux 6.1 default 1024 grants, all
 * gntalloc users together) would refuse more; Xen's own limit on dom0's
 * grant table is gnttab_max_frames= on Xen's command line (the Makefile's
 * bench target passes it).
 */
static void bench_raise_limits(struct scen_env *e)
{
	const char *p = "/sys/module/xen_gntalloc/parameters/limit";
	char old[32] = "?";
	FILE *f = fopen(p, "r");

	(void)e;
	if (f) {
		if (!fgets(old, sizeof(old), f))
			snprintf(old, sizeof(old), "?");
		old[strcspn(old, "\n")] = '\0';
		fclose(f);
	}
	f = fopen(p, "w");
	if (!f || fprintf(f, "%u\n", 1u << 20) < 0 || fclose(f))
		report_diag("bench: cannot raise %s: %s", p, strerror(errno));
	else
		report_diag("bench: %s raised from %s to %u", p, old, 1u << 20);
}

static void bench_run(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc;

	report_phase(GNTLAB_PHASE_TESTS);
	rc = run_guest_program(e, r, "bench", text, sizeof(text));
	if (rc == 1)
		step_fail(r, "guest: rc 1 %s", text);
	else if (rc > 1)
		step_program_rc(r, "gntlab-bench", rc, text);
}

static const struct step bench[] = {
	{ "bench/completed",
	  "Not a test of behaviour: `make bench` boots once, dom0 raises its gntalloc\n"
	  "`limit` and the guest runs `/bin/gntlab-bench` (tests/guest/bench.c) in place\n"
	  "of the suites; see [../bench.md](../bench.md).\n"
	  "What: the guest benchmark ran to its end. Expected: ok: the agent acks with\n"
	  "the program's exit status 0, which it returns only when every map of every\n"
	  "variant succeeded and every touched byte held dom0's pattern (a mapping that\n"
	  "silently gives the wrong frame would fail it). Why: figures from a run whose\n"
	  "mappings failed or read wrong data must not be reported as throughput.\n"
	  "ERROR: the program died on a signal or fell silent.", bench_run, NULL },
};
const struct scenario scen_bench = SCENARIO("bench", SCEN_ALWAYS, "boot/guest-agent-ready", bench,
					    bench_raise_limits, NULL);
