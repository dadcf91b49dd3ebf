// SPDX-License-Identifier: GPL-2.0
/*
 * The first guest: bringing it up, the end-to-end grant, the guest test
 * program, module lifetime, shutdown, and the exit of our own programs.
 * Every step's catalogue text is beside it (docs/tests/dom0.md is made
 * from `gntlab-conductor --list --verbose`).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "guest.h"
#include "guest_requests.h"
#include "markers_out.h"
#include "scenarios.h"
#include "xen_grants.h"
#include "xen_own_grants.h"
#include "th_filter.h"
#include "xs_wait.h"
#include "../tests/crash_patterns.h"
#include "../tests/markers.h"

#define SEED 0x5eed0001u

int step_agent(struct step_res *r, struct agent_conn *a, char *text, size_t len,
	       enum gntlab_cmd_id verb, const char *fmt, ...)
{
	char args[1000], cmd[1100];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s%s%s", gntlab_cmd_verbs[verb].name, args[0] ? " " : "", args);
	rc = agent_command(a, cmd, text, len);
	if (rc < 0)
		step_error(r, "agent unreachable: %s", text);
	return rc;
}

int xen_active_count(struct scen_env *e, size_t *active, char *err, size_t len)
{
	static struct xen_grant_dump dump;

	if (xen_grant_snapshot(e->xc, &dump, err, len))
		return -1;
	*active = xen_grant_dump_count_refs(&dump, 0, -1, e->refs, e->o.pages);
	return 0;
}

/*
 * Both of Xen's views of the first guest's share: the 'g' dump's active
 * entries and the GTF_reading/writing flags Xen keeps in dom0's entries
 * (what the per-test leak checks read, xen_own_grants.h). Checked equal to
 * `want` each, so a run shows the cheap view agrees with the dump.
 */
static void both_views(struct scen_env *e, struct step_res *r, size_t want)
{
	char text[300];
	size_t active = 0, flagged = 0;

	if (xen_active_count(e, &active, text, sizeof(text)) ||
	    xen_own_grants_mapped_refs(e->xc, e->refs, e->o.pages, &flagged, text, sizeof(text)))
		step_error(r, "%s", text);
	else
		step_check(r, active == want && flagged == want,
			   "Xen lists %zu of %u refs of d0 as active, %zu by the entries' flags "
			   "(expected %zu)", active, e->o.pages, flagged, want);
}

/* ---- reported by dom0's /init (images/dom0/init), listed here ---------- */

static const struct step init_begin[] = {
	{ "boot/dom0-setup",
	  "Checks: dom0's `/init` loaded the Xen drivers and started xenstored, xen-init-dom0,\n"
	  "xenconsoled, virtlogd and libvirtd. Reported by `/init` itself.\n"
	  "Expected: pass. ERROR names the daemon that did not start.", NULL, NULL },
};
const struct scenario scen_init_begin = SCENARIO("init", SCEN_ALWAYS, NULL, init_begin, NULL, NULL);

static const struct step init_end[] = {
	{ "program/gntlab-conductor",
	  "Checks: the conductor itself ended normally: exit 0 (all passed) or 1 (some test\n"
	  "did not, reported by name). Reported by dom0's `/init` after it.\n"
	  "Expected: pass. ERROR: it died on a signal or exited otherwise; the tests it did\n"
	  "not report are then named `missing` by the runner.", NULL, NULL },
};
const struct scenario scen_init_end = SCENARIO("init-end", SCEN_ALWAYS, NULL, init_end, NULL, NULL);

/* ---- setup: dom0's libraries, libvirt, the first guest, its grant ------ */

static void dom0_libraries(struct scen_env *e, struct step_res *r)
{
	e->xs = xs_open(0);
	e->xc = xc_interface_open(NULL, NULL, 0);
	e->gs = xengntshr_open(NULL, 0);
	if (!e->xs || !e->xc || !e->gs)
		step_error(r, "%s failed: %s",
			   !e->xs ? "xs_open" : !e->xc ? "xc_interface_open" : "xengntshr_open",
			   strerror(errno));
}

static void libvirt_connect(struct scen_env *e, struct step_res *r)
{
	e->conn = guest_connect(e->o.uri, 60);
	if (!e->conn) {
		step_error(r, "cannot connect to %s within 60 s: %s", e->o.uri,
			   virGetLastErrorMessage());
		return;
	}
	report_phase(GNTLAB_PHASE_DOM0_READY);
}

/*
 * How much of the machine stayed idle in a phase, by Xen's accounting of
 * its physical CPUs' idle time (a DIAG at the end: whether a phase was
 * bound by the CPUs or by waiting).
 */
enum { IDLE_GUEST_BOOT, IDLE_TESTS, IDLE_PHASES };
static struct { double t0, idle0, wall, idle; int cpus; bool started, done; } idle_meter[IDLE_PHASES];

static double idle_now(xc_interface *xc, int *cpus)
{
	xc_cpuinfo_t info[64];
	int nr = 0;
	double s = 0;

	if (!xc || xc_getcpuinfo(xc, 64, info, &nr) || nr <= 0)
		return -1;
	for (int i = 0; i < nr; i++)
		s += info[i].idletime / 1e9;
	*cpus = nr;
	return s;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void idle_mark(xc_interface *xc, int phase, bool start)
{
	int cpus = 0;
	double idle = idle_now(xc, &cpus);

	if (idle < 0)
		return;
	if (start) {
		idle_meter[phase].t0 = mono_s();
		idle_meter[phase].idle0 = idle;
		idle_meter[phase].started = true;
	} else if (idle_meter[phase].started && !idle_meter[phase].done) {
		idle_meter[phase].wall = mono_s() - idle_meter[phase].t0;
		idle_meter[phase].idle = idle - idle_meter[phase].idle0;
		idle_meter[phase].cpus = cpus;
		idle_meter[phase].done = true;
	}
}

static void idle_report(void)
{
	static const char *const name[IDLE_PHASES] = { "the first guest's boot", "the tests phase" };

	for (int i = 0; i < IDLE_PHASES; i++)
		if (idle_meter[i].done)
			report_diag("%s: %.1f s; the %d host CPUs idle %.1f of %.1f CPU-seconds "
				    "(Xen's accounting)", name[i], idle_meter[i].wall, idle_meter[i].cpus,
				    idle_meter[i].idle, idle_meter[i].wall * idle_meter[i].cpus);
}

static void start_guest(struct scen_env *e, struct step_res *r)
{
	struct guest_spec s = {
		.name = e->o.name, .kernel = e->o.kernel, .initrd = e->o.initrd,
		/*
		 * tsc=reliable: no clocksource watchdog, whose "Marking
		 * clocksource 'tsc' as unstable" (7.x under TCG) lands in the
		 * middle of the guest's console lines.
		 */
		.cmdline = "console=hvc0 clocksource=xen tsc=reliable",
		/* Two vCPUs: the concurrency tests then run truly in parallel. */
		.memory_mib = e->o.guest_mem ? e->o.guest_mem : 256, .vcpus = 2,
	};
	char err[512] = "";
	int id;

	report_phase(GNTLAB_PHASE_GUEST_START);
	idle_mark(e->xc, IDLE_GUEST_BOOT, true);
	e->dom = guest_create(e->conn, &s, err, sizeof(err));
	id = e->dom ? (int)virDomainGetID(e->dom) : -1;
	if (e->dom && id <= 0)
		snprintf(err, sizeof(err), "virDomainGetID: %s", virGetLastErrorMessage());
	if (id <= 0) {
		step_error(r, "%s", err);
		return;
	}
	report_diag("guest %s is domain %d (libvirt %s)", e->o.name, id, e->o.uri);
	/* What the guest booted, for the results' summary.txt (guest-boot:). */
	snprintf(err, sizeof(err), "guest %s: kernel=%s initrd=%s cmdline='%s' memory=%uMiB vcpus=%u",
		 e->o.name, s.kernel, s.initrd, s.cmdline, s.memory_mib, s.vcpus);
	report_log("run", err);
	e->domid = (unsigned int)id;
	agent_init(&e->ag, e->xs, e->domid, e->o.timeout_s);
}

static void grant_create(struct scen_env *e, struct step_res *r)
{
	e->shared = xengntshr_share_pages(e->gs, e->domid, (int)e->o.pages, e->refs, 1);
	if (!step_check(r, e->shared != NULL, "xengntshr_share_pages(d%u, %u pages, rw): %s",
			e->domid, e->o.pages, strerror(errno)))
		return;
	report_diag("dom0 shares %u pages with d%u, first ref %u", e->o.pages, e->domid,
		    e->refs[0]);
	for (unsigned int i = 0; i < e->o.pages; i++)
		gntlab_pattern_fill(e->shared + (size_t)i * GNTLAB_PAGE_SIZE, SEED, i, 0,
				    GNTLAB_PAGE_SIZE);
}

static void grant_publish(struct scen_env *e, struct step_res *r)
{
	static struct gntlab_refs g;
	static char val[GNTLAB_PROTO_MAX_LINE];

	g.domid = 0;
	g.count = e->o.pages;
	memcpy(g.ref, e->refs, e->o.pages * sizeof(g.ref[0]));
	if (gntlab_refs_format(&g, val, sizeof(val)) || agent_put(&e->ag, GNTLAB_XS_REFS, val))
		step_error(r, "xs_write(%s/" GNTLAB_XS_REFS "): %s", e->ag.dir, strerror(errno));
}

static bool guest_running(void *arg)
{
	struct scen_env *e = arg;

	return virDomainIsActive(e->dom) == 1;
}

/* The last max lines of a file, as GNTLAB-LOG <domain> lines. */
static void relay_tail(const char *domain, const char *path, int max)
{
	char line[1024];
	long skip;
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		report_log(domain, "(no such log)");
		return;
	}
	while (fgets(line, sizeof(line), f))
		n++;
	if (n == 0) {
		snprintf(line, sizeof(line), "(%s is empty)", path);
		report_log(domain, line);
	}
	skip = n > max ? n - max : 0;
	if (skip) {
		snprintf(line, sizeof(line), "(%s: the last %d of %ld lines)", path, max, n);
		report_log(domain, line);
	}
	rewind(f);
	for (long i = 0; fgets(line, sizeof(line), f); i++) {
		if (i < skip)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		report_log(domain, line);
	}
	fclose(f);
}

/*
 * The guest did not come up: what it printed (xenconsoled's log of its
 * console: a kernel panic, a module that did not load, an agent that
 * failed) and what libvirt's libxl driver and libxl said of it go to the
 * results now, while the runner still reads the serial line
 * (guest.log, guest-libxl.log, libxl-driver.log).
 */
static void relay_guest_failure_logs(struct scen_env *e)
{
	char path[256];

	if (e->dom && virDomainIsActive(e->dom) == 1 && virDomainDestroy(e->dom) != 0)
		report_diag("virDomainDestroy(%s): %s", e->o.name, virGetLastErrorMessage());
	/*
	 * libxl's logs first: a panic in the guest's console is a crash to
	 * the runner, which stops QEMU a few seconds after it.
	 */
	snprintf(path, sizeof(path), "/var/log/libvirt/libxl/%s.log", e->o.name);
	relay_tail("guest-libxl", path, 200);
	relay_tail("libxl-driver", "/var/log/libvirt/libxl/libxl-driver.log", 100);
	guest_console_log(e->o.name, path, sizeof(path));
	report_log_file("guest", path);
	e->logs_relayed = true;
}

static void agent_ready(struct scen_env *e, struct step_res *r)
{
	int waited = 0;
	enum agent_ready_rc rc;

	if (e->first_guest_booting)
		e->first_guest_booting(e);
	rc = agent_wait_ready_while(&e->ag, e->o.ready_timeout_s, guest_running, e, &waited);

	if (rc == AGENT_GONE) {
		step_error(r, "the guest domain %s ended after %d s without its agent writing %s/"
			   GNTLAB_XS_READY " (kernel panic, or /init gave up: guest.log, "
			   "guest-libxl.log)", e->o.name, waited, e->ag.dir);
		relay_guest_failure_logs(e);
		return;
	}
	if (rc != AGENT_READY) {
		step_error(r, "guest agent did not write %s/" GNTLAB_XS_READY " within %d s; the "
			   "guest was destroyed (its console: guest.log; libxl: guest-libxl.log)",
			   e->ag.dir, waited);
		relay_guest_failure_logs(e);
		return;
	}
	e->ready = true;
	idle_mark(e->xc, IDLE_GUEST_BOOT, false);
	report_phase(GNTLAB_PHASE_GUEST_READY);
}

static const struct step setup[] = {
	{ "boot/dom0-libraries",
	  "Checks: dom0 can open xenstore, libxenctrl and the gntalloc sharing device.\n"
	  "Expected: pass; ERROR otherwise (nothing else can run without the control plane).",
	  dom0_libraries, NULL },
	{ "boot/libvirt-connect",
	  "Checks: `virConnectOpen(\"xen:///system\")` succeeds within 60 s of starting libvirtd.\n"
	  "Expected: pass. Why: guests are managed through libvirt's libxl driver, as users do.",
	  libvirt_connect, "boot/dom0-libraries" },
	{ "boot/guest-via-libvirt",
	  "Checks: `virDomainCreateXML` of a PV guest (direct kernel boot, `machine='xenpv'`)\n"
	  "returns a domain with an id.\n"
	  "Expected: pass. Why: the guest under test comes up the way users' guests do.",
	  start_guest, "boot/libvirt-connect" },
	{ "grant/create",
	  "Checks: `xengntshr_share_pages` (gntalloc) grants 4 writable pages to the guest's domid.\n"
	  "Expected: pass.", grant_create, "boot/guest-via-libvirt" },
	{ "grant/publish",
	  "Checks: dom0 writes the refs to the guest's xenstore directory.\n"
	  "Expected: pass; ERROR when xenstore refuses.", grant_publish, "grant/create" },
	{ "boot/guest-agent-ready",
	  "Checks: the guest agent writes `data/gntlab/ready` (xenstore watch) while the guest\n"
	  "domain runs, within the ready timeout (`--ready-timeout`: the runner passes its phase\n"
	  "timeout less a margin, so that dom0 gives up first).\n"
	  "Expected: pass. ERROR means the guest kernel, the module load or the agent failed\n"
	  "(the message says whether the domain ended or hung); the guest's console\n"
	  "(guest.log) and libxl's logs of it (guest-libxl.log, libxl-driver.log) are then\n"
	  "in the results.", agent_ready, "boot/guest-via-libvirt" },
};
const struct scenario scen_setup = SCENARIO("setup", SCEN_ALWAYS, NULL, setup, NULL, NULL);

/* ---- the end-to-end grant (issue #2 path) ------------------------------ */

struct dom0_cpu;
static struct dom0_cpu *dom0_cpu_at_tests(void);
static void dom0_cpu_take(struct dom0_cpu *c);

/* What libxenctrl says of the guest: a running 64-bit PV domain of our size. */
static void domain_info(struct scen_env *e, struct step_res *r)
{
	xc_domaininfo_t info;
	unsigned long kib, mib;

	report_phase(GNTLAB_PHASE_TESTS);
	dom0_cpu_take(dom0_cpu_at_tests());
	idle_mark(e->xc, IDLE_TESTS, true);
	if (xc_domain_getinfolist(e->xc, e->domid, 1, &info) != 1 || info.domain != e->domid) {
		step_error(r, "xc_domain_getinfolist(d%u): %s", e->domid, strerror(errno));
		return;
	}
	kib = (unsigned long)info.tot_pages * 4;
	mib = e->o.guest_mem ? e->o.guest_mem : 256;
	report_diag("d%u: flags %#x, %lu KiB, max vcpu id %u", e->domid, info.flags, kib,
		    info.max_vcpu_id);
	step_check(r, !(info.flags & XEN_DOMINF_hvm_guest) && !(info.flags & XEN_DOMINF_dying) &&
			      kib > mib * 1024 * 3 / 4 && kib <= mib * 1024 &&
			      info.max_vcpu_id == 1,
		   "d%u flags %#x (want PV, alive), %lu KiB (want <= %lu MiB, > 3/4 of it), max vcpu id %u (want 1)",
		   e->domid, info.flags, kib, mib, info.max_vcpu_id);
}

static void map_pattern(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc;

	rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_MAP, "rw %u", SEED);
	step_check(r, rc == 0, "guest: %s", text);
}

static void active_while_mapped(struct scen_env *e, struct step_res *r)
{
	both_views(e, r, e->o.pages);
}

/* What the guest wrote through its mapping is in dom0's own pages. */
static void guest_write_seen(struct scen_env *e, struct step_res *r)
{
	const uint32_t half = GNTLAB_PAGE_SIZE / 2;

	for (unsigned int i = 0; i < e->o.pages; i++) {
		long bad = gntlab_pattern_check(e->shared + (size_t)i * GNTLAB_PAGE_SIZE + half,
						SEED + 1, i, half, half);

		if (bad >= 0) {
			step_fail(r, "page %u (ref %u) offset %ld differs from the guest's reply pattern",
				  i, e->refs[i], bad + half);
			return;
		}
	}
}

static void guest_unmap(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_UNMAP, "%s", "");

	step_check(r, rc == 0, "guest: %s", text);
}

static void xen_no_active(struct scen_env *e, struct step_res *r)
{
	both_views(e, r, 0);
}

static void dom0_revoke(struct scen_env *e, struct step_res *r)
{
	int rc = xengntshr_unshare(e->gs, e->shared, e->o.pages);

	e->shared = NULL;
	step_check(r, rc == 0, "xengntshr_unshare: %s", strerror(errno));
}

static void revoked_refused(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_PROBE_REVOKED, "%s", "");

	step_check(r, rc == 0, "guest: %s", text);
}

/* dom0's kernel log has no sign of trouble since boot (tests/crash_patterns.h). */
static void dom0_log_clean(struct scen_env *e, struct step_res *r)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	struct crash_verdict v;

	(void)e;
	if (n < 0) {
		step_error(r, "klogctl: %s", strerror(errno));
		return;
	}
	buf[n] = '\0';
	switch (crash_judge(buf, CRASH_KLOG, &v)) {
	case CRASH_UNKNOWN:
		step_fail(r, "dom0 kernel log: %s", v.line);
		break;
	case CRASH_KNOWN:
		step_xfail(r, v.first_known->ref, "dom0 kernel log: known kernel report %s: %s",
			   v.first_known->id, v.first_known->title);
		break;
	}
}

static const struct step core[] = {
	{ "xen/guest-domain-info",
	  "Checks: libxenctrl's `xc_domain_getinfolist` for the guest: a PV domain (no\n"
	  "`XEN_DOMINF_hvm_guest`), not dying, with at most the memory libvirt was asked\n"
	  "for (256 MiB by default) and more than 3/4 of it, and two vCPUs (max vcpu id 1).\n"
	  "Expected: pass.", domain_info, NULL },
	{ "map/pattern-intact",
	  "Checks: the guest maps the 4 refs through /dev/gntlab (mode `special`) and every byte\n"
	  "of every page equals dom0's pattern(seed, page, offset).\n"
	  "Expected: pass. Why: the mapping reaches the granted frames, in order, whole. A wrong\n"
	  "PTE flag or a wrong frame fails here.", map_pattern, "grant/publish" },
	{ "xen/grants-active-while-mapped",
	  "Checks: Xen's view lists each of the 4 refs as active (pinned) while the guest maps them:\n"
	  "its 'g' dump, and the GTF_reading/GTF_writing flags Xen keeps in dom0's grant entries\n"
	  "(what the per-test leak checks read).\n"
	  "Expected: 4 of 4 in both. Why: proves the mapping is a real grant mapping made by Xen,\n"
	  "not a copy, and that the cheap view agrees with the dump.",
	  active_while_mapped, "map/pattern-intact" },
	{ "map/guest-write-seen-by-dom0",
	  "Checks: what the guest wrote through its mapping (pattern(seed+1) in the second half of\n"
	  "each page) is in dom0's own pages.\n"
	  "Expected: pass. Why: writable grants are shared memory, both ways.",
	  guest_write_seen, "map/pattern-intact" },
	{ "e2e/guest-unmap",
	  "Checks: the guest's munmap + GNTLAB_IOC_UNMAP leave the module's counters at zero.\n"
	  "Expected: pass.", guest_unmap, "map/pattern-intact" },
	{ "e2e/xen-no-active-mapping",
	  "Checks: after the guest unmapped, Xen lists none of the refs as active (its 'g' dump\n"
	  "and its flags in dom0's entries).\n"
	  "Expected: 0 in both. Why: a grant left pinned is a leak Debian's release Xen does not report\n"
	  "(debug Xen would #GP on an implicit unmap).", xen_no_active, "e2e/guest-unmap" },
	{ "e2e/dom0-revoke",
	  "Checks: `xengntshr_unshare` succeeds.\n"
	  "Expected: pass (no deferred free: nothing maps the pages any more).",
	  dom0_revoke, "grant/create" },
	{ "e2e/revoked-grant-refused",
	  "Checks: the guest tries to map the revoked refs again: the mmap must fail, and the\n"
	  "failure leaves no counter non-zero.\n"
	  "Expected: refused (Xen returns GNTST_general_error/permission for an entry that is no\n"
	  "longer GTF_permit_access).\n"
	  "Why: proves the revoke really ended the grant in Xen (gnttab_end_foreign_access cleared\n"
	  "the entry), the XSA-396 concern.", revoked_refused, "e2e/dom0-revoke,grant/publish" },
	{ "e2e/dom0-log-clean",
	  "Checks: dom0's kernel log has no line with a kernel-log crash pattern of\n"
	  "tests/crash_patterns.c: WARNING, BUG (KASAN, lockdep, VM_BUG_ON...), Oops, panic,\n"
	  "\"Bad page\", \"Bad rss-counter\", a general protection fault, a call trace, or the\n"
	  "grant table's \"still pending\" / \"leaking g.e.\".\n"
	  "Expected: clean. A known kernel report (tests/crash_patterns.c's known_reports[],\n"
	  "e.g. a lockdep report in the kernel's own gntdev) and nothing else: XFAIL with its\n"
	  "reference.", dom0_log_clean, NULL },
};
const struct scenario scen_core = SCENARIO("core", SCEN_ALWAYS, "boot/guest-agent-ready", core,
					   NULL, NULL);

/* ---- the guest test program (run_guest_program: guest_run.c) ---------- */

/* The agent's ack rc of a program it ran (agent.c): 128 + n is signal n. */
void step_program_rc(struct step_res *r, const char *prog, int rc, const char *text)
{
	if (rc >= 128 && rc < 128 + NSIG)
		step_error(r, "%s exited on SIG%s (%s)", prog, sigabbrev_np(rc - 128) ?
			   sigabbrev_np(rc - 128) : "?", text);
	else
		step_error(r, "%s exited with %d (%s)", prog, rc, text);
}

/*
 * The guest tests that run in the second guest, beside the first guest's
 * suites, when a run boots one anyway (scen_multi): long, self-contained
 * and busy on the guest's CPUs, while the other suites mostly wait for
 * dom0. Each guest has its own module counters and its own leak check
 * (Xen lists mappings by mapper), which a second test process in the same
 * guest would share.
 */
static const char *const beside_tests[] = {
	"fuzz/ioctl", "gntdev_badinput/fuzz", "probe/fuzz",
};

/* The beside_tests the filter selects: ','-separated, and one "suite <name>" each. */
static int beside_selected(const char *filter, char *list, size_t len,
			   char cmds[][64])
{
	int n = 0;

	list[0] = '\0';
	for (size_t i = 0; i < sizeof(beside_tests) / sizeof(beside_tests[0]); i++)
		if (th_filter_match(filter, beside_tests[i])) {
			snprintf(list + strlen(list), len - strlen(list), "%s%s",
				 list[0] ? "," : "", beside_tests[i]);
			snprintf(cmds[n++], 64, "%s %s", gntlab_cmd_verbs[GNTLAB_CMD_SUITE].name,
				 beside_tests[i]);
		}
	return n;
}

static void guest_tests(struct scen_env *e, struct step_res *r)
{
	static struct guest_prog p[2];
	static char cmds[sizeof(beside_tests) / sizeof(beside_tests[0])][64];
	const char *queue[sizeof(beside_tests) / sizeof(beside_tests[0])];
	const char *filter = e->o.tests ? e->o.tests : "*", *suite;
	struct agent_conn *g2 = NULL;
	char beside[200];
	int n = 1, nq = 0, runs = 0, none = 0;

	suite = gntlab_cmd_verbs[GNTLAB_CMD_SUITE].name;
	memset(p, 0, sizeof(p));
	p[0].ag = &e->ag;
	nq = beside_selected(e->o.tests, beside, sizeof(beside), cmds);
	if (nq)
		g2 = multi_second_agent(e);
	if (g2) {
		/*
		 * The first guest: everything else, then what is left of the
		 * queue; the second: the queue, from the time its agent is up.
		 */
		snprintf(p[0].verb_args, sizeof(p[0].verb_args), "%s %s %s", suite, filter, beside);
		p[1].ag = g2;
		p[1].wait_ready = true;
		for (int i = 0; i < nq; i++)
			queue[i] = cmds[i];
		n = 2;
	} else {
		snprintf(p[0].verb_args, sizeof(p[0].verb_args), "%s %s", suite, filter);
		nq = 0;
	}
	run_guest_programs(e, r, p, n, queue, nq);
	for (int i = 0; i < n; i++) {
		runs += p[i].runs;
		none += p[i].none;
	}
	for (int i = 0; i < n; i++)
		if (p[i].bad_rc) {
			step_program_rc(r, "gntlab-guest-tests", p[i].bad_rc, p[i].bad_text);
			return;
		}
	if (runs && none == runs)
		step_skip(r, "%s", p[0].text);
}

static const struct step guest[] = {
	{ "program/gntlab-guest-tests",
	  "Checks: the guest test program (`gntlab-guest-tests`, the suites documented in\n"
	  "docs/tests/*.md) ran to its end: exit 0 or 1 (its failures are reported test by\n"
	  "test), and sent a request or finished within the timeout of each step.\n"
	  "When the run boots a second guest (multi/*), the fuzz tests (fuzz/ioctl,\n"
	  "gntdev_badinput/fuzz, probe/fuzz) run one program each, in whichever guest is free\n"
	  "first: the second from the time it is up, beside the first guest's other suites, and\n"
	  "the first once those are done (the same tests and checks). The first time the first\n"
	  "guest is between programs while the second runs one, the scenarios that need only\n"
	  "the first guest (reverse/*, gntalloc/*) run meanwhile, so their verdicts come first.\n"
	  "Skipped when the filter selects no guest test.\n"
	  "Expected: pass. ERROR: it died on a signal, exited otherwise, or fell silent.",
	  guest_tests, NULL },
};
const struct scenario scen_guest = SCENARIO("guest", SCEN_ALWAYS, "boot/guest-agent-ready",
					    guest, NULL, NULL);

/* ---- module lifetime: refused while mapped, unloads when idle ---------- */

static void module_unload(struct scen_env *e, struct step_res *r)
{
	struct gntlab_refs g = { .domid = 0, .count = 1 };
	char text[300], val[64];
	uint8_t *p;
	int rc;

	/* A fresh grant so the busy check has something real to map. */
	p = xengntshr_share_pages(e->gs, e->domid, 1, g.ref, 0);
	if (!p || gntlab_refs_format(&g, val, sizeof(val)) ||
	    agent_put(&e->ag, GNTLAB_XS_REFS, val)) {
		step_error(r, "cannot share a page: %s", strerror(errno));
		if (p)
			xengntshr_unshare(e->gs, p, 1);
		return;
	}
	rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_UNLOAD, "%s", "");
	step_check(r, rc == 0, "guest: %s", text);
	xengntshr_unshare(e->gs, p, 1);
}

static const struct step lifetime[] = {
	{ "e2e/module-unload",
	  "Checks: `delete_module(\"gntlab\", O_NONBLOCK)` is refused while a map is live\n"
	  "(the open fd holds a module reference: EWOULDBLOCK), succeeds once nothing is\n"
	  "mapped or open, and the module loads again (`finit_module`).\n"
	  "Expected: refused, then unloaded, then reloaded. Why: unload with live maps\n"
	  "must be refused or drain safely, never crash.", module_unload, NULL },
};
const struct scenario scen_lifetime = SCENARIO("lifetime", SCEN_ALWAYS, "boot/guest-agent-ready",
					       lifetime, NULL, NULL);

/* ---- the end: shutdown, and how our guest programs exited -------------- */

static void guest_shutdown(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int gone;

	if (e->ready &&
	    agent_command(&e->ag, gntlab_cmd_verbs[GNTLAB_CMD_QUIT].name, text, sizeof(text)) < 0)
		report_diag("quit: %s", text);
	gone = guest_wait_gone(e->conn, e->dom, 20);
	step_check(r, gone == 0, "%s", gone > 0 ? "guest did not power off in 20 s; destroyed" :
						  "virDomainDestroy failed");
}

/*
 * The guest's /init prints "gntlab guest: agent exited with <status>"; a
 * sanitizer report of any program is a line of its own. xenconsoled may
 * still be writing the log: look for up to 3 s.
 */
static void agent_exit(struct scen_env *e, struct step_res *r)
{
	static const char *const bad[] = {
		"AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
		"ThreadSanitizer", "runtime error:", "must be installed for pthread_cancel",
	};
	const char *mark = "gntlab guest: agent exited with ";
	char path[256], line[1024], trouble[600] = "";
	int status = -1;

	guest_console_log(e->o.name, path, sizeof(path));
	for (int t = 0; t < 30 && status < 0; t++) {
		FILE *f = fopen(path, "r");

		if (t)
			usleep(100 * 1000);
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *m = strstr(line, mark);

			line[strcspn(line, "\r\n")] = '\0';
			if (m)
				status = atoi(m + strlen(mark));
			for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) && !trouble[0]; i++)
				if (strstr(line, bad[i]))
					snprintf(trouble, sizeof(trouble), "%.500s", line);
		}
		fclose(f);
	}
	if (status < 0)
		step_error(r, "no \"%s<status>\" line in %s: the agent never ended (guest destroyed?)",
			   mark, path);
	else if (status)
		step_program_rc(r, "gntlab-agent", status, trouble[0] ? trouble : "see guest.log");
	else if (trouble[0])
		step_error(r, "the guest console has a sanitizer/runtime report: %s", trouble);
}

/*
 * Where dom0's CPU went (DIAGs, for profiling the run): its kernel's totals
 * from /proc/stat, and the processes that used most (utime + stime, with
 * what their reaped children used), summed by name. Taken once when the
 * tests start and once at the end: the end reports both since boot and in
 * the tests phase (the part a bare boot does not have).
 */
#define CPU_NAMES 256
struct dom0_cpu {
	bool valid;
	double user, system, irq;
	size_t n;
	struct { char name[32]; double s; } top[CPU_NAMES];
};

static struct dom0_cpu cpu_at_tests;

static struct dom0_cpu *dom0_cpu_at_tests(void)
{
	return &cpu_at_tests;
}

static void dom0_cpu_take(struct dom0_cpu *c)
{
	unsigned long long us = 0, ni = 0, sy = 0, irq = 0, sirq = 0;
	double tck = (double)sysconf(_SC_CLK_TCK);
	char buf[1024];
	struct dirent *de;
	DIR *d = opendir("/proc");
	FILE *f = fopen("/proc/stat", "r");

	memset(c, 0, sizeof(*c));
	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %*u %*u %llu %llu", &us, &ni, &sy, &irq, &sirq) != 5)
			us = ni = sy = irq = sirq = 0;
		fclose(f);
	}
	c->user = (us + ni) / tck;
	c->system = sy / tck;
	c->irq = (irq + sirq) / tck;
	while (d && (de = readdir(d))) {
		unsigned long long ut, st, cut, cst;
		char path[300], *open, *close;
		size_t i;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		open = strchr(buf, '(');
		close = strrchr(buf, ')');
		if (!open || !close || close < open ||
		    sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
			   &ut, &st, &cut, &cst) != 4)
			continue;
		*close = '\0';
		open[1 + strcspn(open + 1, "/")] = '\0';	/* kworker/0:1 -> kworker */
		for (i = 0; i < c->n && strcmp(c->top[i].name, open + 1); i++)
			;
		if (i == c->n) {
			if (c->n == CPU_NAMES)
				continue;
			snprintf(c->top[c->n].name, sizeof(c->top[c->n].name), "%s", open + 1);
			c->top[c->n++].s = 0;
		}
		c->top[i].s += (ut + st + cut + cst) / tck;
	}
	if (d)
		closedir(d);
	c->valid = true;
}

/* One DIAG: `what`, the totals, the ten names that used most (of `c` less `base`). */
static void dom0_cpu_report(const char *what, struct dom0_cpu *c, const struct dom0_cpu *base)
{
	char line[900];
	size_t off;

	if (base) {
		c->user -= base->user;
		c->system -= base->system;
		c->irq -= base->irq;
		for (size_t i = 0; i < c->n; i++)
			for (size_t j = 0; j < base->n; j++)
				if (!strcmp(c->top[i].name, base->top[j].name))
					c->top[i].s -= base->top[j].s;
	}
	off = (size_t)snprintf(line, sizeof(line),
			       "dom0 CPU %s: user %.1f s, system %.1f s, irq %.1f s; by process:",
			       what, c->user, c->system, c->irq);
	for (int k = 0; k < 10 && off < sizeof(line); k++) {
		size_t best = c->n;

		for (size_t i = 0; i < c->n; i++)
			if (c->top[i].s >= 0.05 && (best == c->n || c->top[i].s > c->top[best].s))
				best = i;
		if (best == c->n)
			break;
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s %.1f s,",
					c->top[best].name, c->top[best].s);
		c->top[best].s = -1;
	}
	if (off < sizeof(line))
		line[off - 1] = '\0';	/* the last comma */
	report_diag("%s", line);
}

static void report_dom0_cpu(void)
{
	static struct dom0_cpu now;

	dom0_cpu_take(&now);
	dom0_cpu_report("since boot", &now, NULL);
	if (cpu_at_tests.valid) {
		dom0_cpu_take(&now);
		dom0_cpu_report("in the tests phase", &now, &cpu_at_tests);
	}
	{
		struct rusage self, kids;

		getrusage(RUSAGE_SELF, &self);
		getrusage(RUSAGE_CHILDREN, &kids);
		report_diag("gntlab-conductor itself: user %.1f s, system %.1f s; its children: "
			    "user %.1f s, system %.1f s",
			    self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6,
			    self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6,
			    kids.ru_utime.tv_sec + kids.ru_utime.tv_usec / 1e6,
			    kids.ru_stime.tv_sec + kids.ru_stime.tv_usec / 1e6);
	}
}

static void end_cleanup(struct scen_env *e)
{
	char log[256];

	if (e->dom) {
		virDomainFree(e->dom);
		e->dom = NULL;
	}
	if (e->shared)
		xengntshr_unshare(e->gs, e->shared, e->o.pages);
	e->shared = NULL;
	idle_mark(e->xc, IDLE_TESTS, false);
	idle_report();
	report_dom0_cpu();
	report_phase(GNTLAB_PHASE_TESTS_DONE);
	if (e->logs_relayed)
		return;
	guest_console_log(e->o.name, log, sizeof(log));
	report_log_file("guest", log);
}

static const struct step end[] = {
	{ "e2e/guest-shutdown",
	  "The first guest powers off by itself after `quit` (on_poweroff=destroy) within 20 s;\n"
	  "destroyed otherwise. Expected: pass.", guest_shutdown, "boot/guest-via-libvirt" },
	{ "program/gntlab-agent",
	  "Checks: the guest agent exited with status 0 (the guest's `/init` writes its exit\n"
	  "status to the console, which xenconsoled keeps in dom0), and the guest console holds\n"
	  "no sanitizer or runtime-library report.\n"
	  "Expected: pass. ERROR: it died on a signal (it once ended every run in SIGABRT:\n"
	  "glibc's pthread_cancel needs libgcc_s, which the guest lacks), exited non-zero, or\n"
	  "never ended.", agent_exit, "boot/guest-via-libvirt" },
};
const struct scenario scen_end = SCENARIO("end", SCEN_ALWAYS, NULL, end, NULL, end_cleanup);
