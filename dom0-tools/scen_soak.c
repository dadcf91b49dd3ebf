// SPDX-License-Identifier: GPL-2.0
/*
 * `make soak` (docs/soak.md): one boot, three phases, a check after each.
 *   1. the guest's soak program fuzzes /dev/gntlab and the kernel's gntdev
 *      (soak/ioctls_*, tests/guest/soak_ioctls.c);
 *   2. it maps, uses and tears down dom0's grants many times over
 *      (soak/cycles, tests/guest/soak_cycles.c), dom0 revoking some;
 *   3. dom0 creates small guests through libvirt, maps both directions and
 *      destroys them while mapped (soak_destroy.c).
 * After each phase (soak/after-*): Xen's grant dump lists nothing of dom0
 * mapped by any guest and nothing mapped by dom0, no domain is dying, dom0's
 * kernel log is clean; at the end dom0's and Xen's free memory are back to
 * the baseline. Every figure goes to soak.log as a record (soak.h) for
 * tools/soak/, which writes soak.json and soak.md on the host.
 *
 * The scale comes from dom0's command line, gntlab.soak=I:C:D:S (ioctls,
 * map cycles, destroy cycles, time bound in seconds; the Makefile's soak
 * rule sets it from SOAK_IOCTLS, SOAK_CYCLES, SOAK_DESTROYS, SOAK_MINUTES).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <time.h>
#include <unistd.h>

#include "markers_out.h"
#include "scenarios.h"
#include "soak.h"
#include "xen_grants.h"
#include "../tests/crash_patterns.h"
#include "../tests/markers.h"

struct soak_params soak_p = {
	.ioctls = 1000000, .cycles = 10000, .destroys = 100, .seconds = 1800,
};
static struct soak_mem base;
static double t_start;
static size_t klog_seen;	/* dom0 kernel log bytes already checked */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double soak_elapsed(void)
{
	return now_s() - t_start;
}

/* gntlab.soak=I:C:D:S on dom0's command line (absent: the defaults). */
static int soak_params_read(char *err, size_t len)
{
	char line[4096] = "", *p;
	unsigned long v[4];
	FILE *f = fopen("/proc/cmdline", "re");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	p = strstr(line, "gntlab.soak=");
	if (!p)
		return 0;
	if (sscanf(p + 12, "%lu:%lu:%lu:%lu", &v[0], &v[1], &v[2], &v[3]) != 4 || v[3] < 60) {
		snprintf(err, len, "bad gntlab.soak= on dom0's command line: '%.60s' (want "
			 "ioctls:cycles:destroys:seconds, seconds >= 60)", p + 12);
		return -1;
	}
	soak_p.ioctls = v[0];
	soak_p.cycles = v[1];
	soak_p.destroys = v[2];
	soak_p.seconds = v[3];
	return 0;
}

static void baseline(struct scen_env *e, struct step_res *r)
{
	char err[200];

	report_phase(GNTLAB_PHASE_TESTS);
	t_start = now_s();
	if (soak_params_read(err, sizeof(err))) {
		step_error(r, "%s", err);
		return;
	}
	soak_mem_read(e->xc, &base);
	soak_logf(e->xc, "start ioctls=%lu cycles=%lu destroys=%lu seconds=%lu",
		  soak_p.ioctls, soak_p.cycles, soak_p.destroys, soak_p.seconds);
	soak_logf(e->xc, "mem phase=baseline");
	report_diag("soak: %lu ioctls, %lu map cycles, %lu destroy cycles, within %lu s",
		    soak_p.ioctls, soak_p.cycles, soak_p.destroys, soak_p.seconds);
}

/* The guest program, its tests selected by filter, within `share` of the time left. */
static void guest_phase(struct scen_env *e, struct step_res *r, const char *phase,
			const char *filter, unsigned long ioctls, unsigned long cycles,
			double share)
{
	double left = (double)soak_p.seconds - soak_elapsed();
	unsigned long bound = left * share > 30 ? (unsigned long)(left * share) : 30;
	char v[300], text[300];
	double t0 = now_s();
	int rc;

	soak_logf(e->xc, "phase-start phase=%s", phase);
	snprintf(v, sizeof(v), "%s %s %lu %lu %lu", gntlab_cmd_verbs[GNTLAB_CMD_SOAK].name, filter,
		 ioctls, cycles, bound);
	rc = run_guest_program(e, r, v, text, sizeof(text));
	soak_logf(e->xc, "phase-end phase=%s seconds=%.1f rc=%d", phase, now_s() - t0, rc);
	if (rc == 1)
		step_fail(r, "a soak test failed (reported by name): %s", text);
	else if (rc > 1)
		step_program_rc(r, "gntlab-soak", rc, text);
}

static void guest_ioctls(struct scen_env *e, struct step_res *r)
{
	/* Fuzzing is the fastest phase per unit: a third of the time at most. */
	guest_phase(e, r, "ioctls", "soak/ioctls_*", soak_p.ioctls, 0, 0.35);
}

static void guest_cycles(struct scen_env *e, struct step_res *r)
{
	/* The destroy cycles need most of what is left. */
	guest_phase(e, r, "cycles", "soak/cycles", 0, soak_p.cycles, 0.3);
}

/* Bad lines dom0's kernel logged since the last check. */
static int dom0_klog_new_bad(char *line, size_t len)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	struct crash_verdict v;

	if (n < 0)
		return 0;
	buf[n] = '\0';
	/* The ring keeps the newest; if it wrapped, look at all of it. */
	if ((size_t)n < klog_seen)
		klog_seen = 0;
	/* Known kernel reports (known_reports[]) are not the soak's findings. */
	if (crash_judge(buf + klog_seen, CRASH_KLOG, &v) == CRASH_UNKNOWN) {
		snprintf(line, len, "%s", v.line);
		klog_seen = (size_t)n;
		return 1;
	}
	klog_seen = (size_t)n;
	return 0;
}

static int soak_domains(struct scen_env *e, unsigned int *alive, unsigned int *dying, char *which,
		 size_t len)
{
	static xc_domaininfo_t info[256];
	int n = xc_domain_getinfolist(e->xc, 0, 256, info);

	*alive = *dying = 0;
	which[0] = '\0';
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (info[i].flags & XEN_DOMINF_dying) {
			(*dying)++;
			snprintf(which + strlen(which), len - strlen(which), " d%u", info[i].domain);
		} else {
			(*alive)++;
		}
	}
	return 0;
}

/*
 * Active grant entries: of dom0 mapped by anyone, and mapped by dom0. The
 * reserved entries of a guest's table (refs 0..7: console and xenstore
 * rings, which xenconsoled and xenstored map for every live guest) are not
 * counted.
 */
#define SOAK_RESERVED_REFS 8
static int soak_grants(struct scen_env *e, long *of_d0, long *by_d0, char *err, size_t len)
{
	static struct xen_grant_dump d;

	*of_d0 = *by_d0 = 0;
	if (xen_grant_snapshot(e->xc, &d, err, len))
		return -1;
	for (size_t i = 0; i < d.count; i++) {
		if (d.entry[i].granter == 0)
			(*of_d0)++;
		if (d.entry[i].mapper == 0 && d.entry[i].ref >= SOAK_RESERVED_REFS)
			(*by_d0)++;
	}
	return 0;
}

/* What every phase must leave behind: nothing. */
static void phase_clean(struct scen_env *e, struct step_res *r, const char *phase)
{
	char err[300] = "", which[200], line[300];
	unsigned int alive, dying;
	long of_d0 = -1, by_d0 = -1;

	/* Xen releases a dying domain's entries asynchronously: give it 5 s. */
	for (int t = 0; t < 20; t++) {
		if (soak_grants(e, &of_d0, &by_d0, err, sizeof(err))) {
			step_error(r, "Xen's grant dump: %s", err);
			return;
		}
		if (!of_d0 && !by_d0)
			break;
		usleep(250 * 1000);
	}
	if (soak_domains(e, &alive, &dying, which, sizeof(which))) {
		step_error(r, "xc_domain_getinfolist: %s", strerror(errno));
		return;
	}
	soak_logf(e->xc, "mem phase=after-%s grants_of_d0=%ld grants_by_d0=%ld domains=%u dying=%u",
		  phase, of_d0, by_d0, alive, dying);
	step_check(r, of_d0 == 0, "after %s: Xen lists %ld grants of dom0 mapped", phase, of_d0);
	step_check(r, by_d0 == 0, "after %s: Xen lists %ld grants mapped by dom0", phase, by_d0);
	step_check(r, dying == 0, "after %s: %u dying domain(s):%s", phase, dying, which);
	step_check(r, alive == 2, "after %s: %u live domains (want dom0 and the first guest)",
		   phase, alive);
	if (dom0_klog_new_bad(line, sizeof(line)))
		step_fail(r, "after %s: dom0 kernel log: %s", phase, line);
}

static void after_ioctls(struct scen_env *e, struct step_res *r)
{
	phase_clean(e, r, "ioctls");
}

static void after_cycles(struct scen_env *e, struct step_res *r)
{
	phase_clean(e, r, "cycles");
}

static void after_destroys(struct scen_env *e, struct step_res *r)
{
	phase_clean(e, r, "destroys");
}

/*
 * Xen's free memory is exact (it changes only when a domain, its grant
 * table or maptrack grows): back to the baseline within 1 MiB once every
 * soak guest is gone. dom0's MemAvailable moves with its logs and caches:
 * within 32 MiB.
 */
#define SOAK_XEN_SLACK_KB 1024
#define SOAK_D0_SLACK_KB (32 * 1024)

static void memory_returned(struct scen_env *e, struct step_res *r)
{
	struct soak_mem m;

	soak_mem_read(e->xc, &m);
	soak_logf(e->xc, "mem phase=end");
	soak_logf(e->xc, "end seconds=%.1f", soak_elapsed());
	step_check(r, m.xen_free_kb >= base.xen_free_kb - SOAK_XEN_SLACK_KB,
		   "Xen's free memory %lld KiB, %lld KiB below the baseline (slack %d)",
		   m.xen_free_kb, base.xen_free_kb - m.xen_free_kb, SOAK_XEN_SLACK_KB);
	step_check(r, m.d0_avail_kb >= base.d0_avail_kb - SOAK_D0_SLACK_KB,
		   "dom0's MemAvailable %ld KiB, %ld KiB below the baseline (slack %d)",
		   m.d0_avail_kb, base.d0_avail_kb - m.d0_avail_kb, SOAK_D0_SLACK_KB);
}

static const struct step soak[] = {
	{ "soak/baseline",
	  "`make soak` only (docs/soak.md). Reads the scale from dom0's command line\n"
	  "(`gntlab.soak=ioctls:cycles:destroys:seconds`) and records dom0's and Xen's free\n"
	  "memory as the baseline. Expected: pass; ERROR on a malformed scale.", baseline, NULL },
	{ "soak/guest-ioctls",
	  "The guest's `gntlab-soak` runs `soak/ioctls_*` (random ioctls against /dev/gntlab\n"
	  "and the kernel's gntdev, racing mmap/munmap/fork/exit), each test reported by\n"
	  "name. Expected: pass; FAIL if one of them failed; ERROR if the program died.",
	  guest_ioctls, "soak/baseline" },
	{ "soak/after-ioctls",
	  "After the ioctl phase: Xen's grant dump lists no grant of dom0 mapped and none\n"
	  "mapped by dom0 (within 5 s; the first guest's console and xenstore rings, its\n"
	  "reserved refs 0-7, which xenconsoled and xenstored map, excepted), no domain is dying, only dom0 and the first guest\n"
	  "live, and dom0's kernel log has no new crash pattern (tests/crash_patterns.c).\n"
	  "Expected: pass.", after_ioctls, "soak/baseline" },
	{ "soak/guest-cycles",
	  "The guest's `gntlab-soak` runs `soak/cycles` (map, use and tear down dom0's grants\n"
	  "in every way, dom0 revoking some while mapped). Expected: pass.", guest_cycles,
	  "soak/baseline" },
	{ "soak/after-cycles", "The checks of `soak/after-ioctls`, after the map cycles.",
	  after_cycles, "soak/baseline" },
	{ "soak/destroy-cycles",
	  "dom0 creates a small guest through libvirt, shares 2 pages with it which it maps\n"
	  "through /dev/gntlab, maps 2 pages the guest grants (kernel gntdev), destroys it\n"
	  "while both are mapped, then checks Xen dropped the guest's mappings, revokes,\n"
	  "unmaps, and the domain disappears within 10 s (not stuck dying); the guest's console\n"
	  "has no crash pattern. Meanwhile the first guest unmaps every 60 s (nothing is\n"
	  "mapped: its module counters must be zero; it also keeps its agent, which ends\n"
	  "after 900 s without a command, alive). Expected: every cycle clean, the asked number of cycles\n"
	  "within the time bound; FAIL names the first bad cycle. A guest that does not come\n"
	  "up is counted (ERROR if more than a tenth of them).", soak_destroy_cycles,
	  "soak/baseline" },
	{ "soak/after-destroys", "The checks of `soak/after-ioctls`, after the destroy cycles.",
	  after_destroys, "soak/baseline" },
	{ "soak/memory-returned",
	  "At the end, Xen's free memory is back to the baseline within 1 MiB (every soak\n"
	  "guest is gone, so every page Xen handed out must be back), and dom0's MemAvailable\n"
	  "within 32 MiB (logs and caches move it). Expected: pass. A leak of one page per\n"
	  "destroy cycle in Xen shows here.", memory_returned, "soak/baseline" },
};
const struct scenario scen_soak = SCENARIO("soak", SCEN_ALWAYS, "boot/guest-agent-ready", soak,
					   NULL, NULL);
