// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-conductor: runs in dom0 and conducts the cross-domain grant test.
 *
 * dom0 is the granter: it shares pages with the guest through
 * libxengnttab's sharing API (gntalloc), hands the refs to the guest agent
 * over xenstore (gntlab_proto.h), and checks each step from its own side and
 * from Xen's (the hypervisor's grant-table dump). Results go to the console
 * as serial markers (tests/markers.h) that the host runner collects.
 *
 * Exit status: 0 all tests passed, 1 a check failed, 2 usage/environment.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <libvirt/virterror.h>

#include "gntlab_proto.h"
#include "agent_client.h"
#include "guest.h"
#include "peer_server.h"
#include "scenarios.h"
#include "report.h"
#include "xen_grants.h"
#include "xs_wait.h"
#include "../tests/crash_patterns.h"
#include "../tests/markers.h"

struct opts {
	const char *tests;	/* filter for the guest suites, NULL = all */
	const char *kernel;
	const char *initrd;
	const char *name;
	const char *uri;
	unsigned int pages;
	unsigned int guest_mem;	/* MiB; 0 = 256, or 512 for bench */
	int timeout_s;
};

struct ctx {
	struct opts o;
	virConnectPtr conn;
	virDomainPtr dom;
	unsigned int domid;
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xc_interface *xc;
	uint8_t *shared;	/* dom0's view of the granted pages */
	uint32_t refs[GNTLAB_PROTO_MAX_REFS];
	struct agent_conn ag;	/* the first guest's agent */
	bool ready;		/* the agent answered; it can take commands */
	char dir[128];		/* /local/domain/<id>/data/gntlab */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gntlab-conductor --kernel FILE --initrd FILE [options]\n"
		"  Starts a PV guest through libvirt, grants it pages from dom0 and\n"
		"  conducts the grant-mapping checks, reporting serial markers.\n"
		"  --kernel FILE     guest kernel\n"
		"  --initrd FILE     guest initramfs (with gntlab-agent)\n"
		"  --name NAME       guest name (default gntlab-guest1)\n"
		"  --uri URI         libvirt URI (default xen:///system)\n"
		"  --pages N         pages to grant, 1..%u (default 4)\n"
		"  --timeout S       timeout of each wait on the guest (default 120)\n"
		"  --guest-mem MiB   guest memory (default 256; 512 for bench/*)\n"
		"  --tests FILTER    comma-separated suite/test patterns (default all)\n"
		"  --list            print the names of the tests dom0 reports, exit\n"
		"exit: 0 ok, 1 a check failed, 2 usage or environment error\n",
		GNTLAB_PROTO_MAX_REFS);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "uri", required_argument, NULL, 'u' },
		{ "pages", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "guest-mem", required_argument, NULL, 'm' },
		{ "tests", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	char *end;
	unsigned long v;

	*o = (struct opts){ .name = "gntlab-guest1", .uri = "xen:///system",
			    .pages = 4, .timeout_s = 120 };
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'n': o->name = optarg; break;
		case 'u': o->uri = optarg; break;
		case 'T': o->tests = optarg; break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v < 64 || v > 65536) {
				fprintf(stderr, "gntlab-conductor: bad --guest-mem '%s'\n", optarg);
				return -1;
			}
			o->guest_mem = (unsigned int)v;
			break;
		case 'p':
		case 't':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 ||
			    (c == 'p' && v > GNTLAB_PROTO_MAX_REFS) ||
			    (c == 't' && v > 3600)) {
				fprintf(stderr, "gntlab-conductor: bad --%s '%s'\n",
					c == 'p' ? "pages" : "timeout", optarg);
				return -1;
			}
			if (c == 'p')
				o->pages = (unsigned int)v;
			else
				o->timeout_s = (int)v;
			break;
		case 'h': usage(stdout); exit(0);
		case 'l':
			for (size_t i = 0; conductor_tests[i]; i++)
				printf("%s\n", conductor_tests[i]);
			exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!o->kernel || !o->initrd || optind != argc) {
		usage(stderr);
		return -1;
	}
	if (access(o->kernel, R_OK) || access(o->initrd, R_OK)) {
		fprintf(stderr, "gntlab-conductor: cannot read %s: %s\n",
			access(o->kernel, R_OK) ? o->kernel : o->initrd,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* xenstore path under the guest's gntlab directory. */
static const char *gpath(struct ctx *c, const char *key, char *buf, size_t len)
{
	return agent_path(&c->ag, key, buf, len);
}

static int command(struct ctx *c, const char *verb_args, char *text, size_t len)
{
	return agent_command(&c->ag, verb_args, text, len);
}

/* Ask Xen for its grant-table dump and count d0's active entries for our refs. */
static int xen_active_count(struct ctx *c, size_t *active, char *err, size_t len)
{
	static struct xen_grant_dump dump;

	if (xen_grant_snapshot(c->xc, &dump, err, len))
		return -1;
	*active = xen_grant_dump_count_refs(&dump, 0, -1, c->refs, c->o.pages);
	return 0;
}

/* Scan dom0's kernel log for signs of trouble since boot (tests/crash_patterns.h). */
static bool dmesg_clean(char *bad, size_t len)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	const char *s;
	size_t l;

	if (n < 0) {
		snprintf(bad, len, "klogctl: %s", strerror(errno));
		return false;
	}
	buf[n] = '\0';
	if (crash_find(buf, CRASH_KLOG, &s, &l)) {
		snprintf(bad, len, "dom0 kernel log: %.*s", (int)l, s);
		return false;
	}
	return true;
}

static int start_guest(struct ctx *c)
{
	struct guest_spec s = {
		.name = c->o.name, .kernel = c->o.kernel, .initrd = c->o.initrd,
		.cmdline = "console=hvc0 clocksource=xen",
		/* Two vCPUs: the concurrency tests then run truly in parallel. */
		.memory_mib = c->o.guest_mem ? c->o.guest_mem : 256, .vcpus = 2,
	};
	char err[512];
	int id;

	report_phase(GNTLAB_PHASE_GUEST_START);
	c->dom = guest_create(c->conn, &s, err, sizeof(err));
	id = c->dom ? (int)virDomainGetID(c->dom) : -1;
	if (c->dom && id <= 0)
		snprintf(err, sizeof(err), "virDomainGetID: %s", virGetLastErrorMessage());
	if (id > 0)
		report_diag("guest %s is domain %d (libvirt %s)", c->o.name, id,
			    c->o.uri);
	if (!report_test(id > 0, "boot/guest-via-libvirt", "%s", err))
		return -1;
	c->domid = (unsigned int)id;
	agent_init(&c->ag, c->xs, c->domid, c->o.timeout_s);
	snprintf(c->dir, sizeof(c->dir), "%s", c->ag.dir);
	return 0;
}

static int grant_pages(struct ctx *c, uint32_t seed)
{
	struct gntlab_refs r = { .domid = 0, .count = c->o.pages };
	static char val[GNTLAB_PROTO_MAX_LINE];
	char p[160];

	c->shared = xengntshr_share_pages(c->gs, c->domid, (int)c->o.pages,
					  c->refs, 1);
	if (c->shared)
		report_diag("dom0 shares %u pages with d%u, first ref %u",
			    c->o.pages, c->domid, c->refs[0]);
	if (!report_test(c->shared != NULL, "grant/create",
			 "xengntshr_share_pages(d%u, %u pages, rw): %s",
			 c->domid, c->o.pages, strerror(errno)))
		return -1;
	for (unsigned int i = 0; i < c->o.pages; i++) {
		gntlab_pattern_fill(c->shared + (size_t)i * GNTLAB_PAGE_SIZE,
				    seed, i, 0, GNTLAB_PAGE_SIZE);
		r.ref[i] = c->refs[i];
	}
	gntlab_refs_format(&r, val, sizeof(val));
	if (!xs_write(c->xs, XBT_NULL, gpath(c, GNTLAB_XS_REFS, p, sizeof(p)),
		      val, strlen(val))) {
		report_test(false, "grant/publish", "xs_write(%s): %s", p,
			    strerror(errno));
		return -1;
	}
	return 0;
}

static int wait_ready(struct ctx *c)
{
	char p[160];
	char *v = xs_wait_for(c->xs, gpath(c, GNTLAB_XS_READY, p, sizeof(p)),
			      c->o.timeout_s * 1000, NULL, NULL);

	if (!report_test(v != NULL, "boot/guest-agent-ready",
			 "guest agent did not write %s within %d s (guest console log follows)",
			 p, c->o.timeout_s))
		return -1;
	free(v);
	c->ready = true;
	report_phase(GNTLAB_PHASE_GUEST_READY);
	return 0;
}

static void run_tests(struct ctx *c)
{
	const uint32_t seed = 0x5eed0001;
	char text[300], cmd[64];
	size_t active = 0;
	int rc;
	bool ok;

	report_phase(GNTLAB_PHASE_TESTS);

	/* The guest maps dom0's grants and checks the pattern dom0 wrote. */
	snprintf(cmd, sizeof(cmd), "map rw %u", seed);
	rc = command(c, cmd, text, sizeof(text));
	if (!report_test(rc == 0, "map/pattern-intact", "guest: %s", text))
		return;

	/* Xen must show every ref pinned (mapped) by the guest. */
	rc = xen_active_count(c, &active, text, sizeof(text));
	if (rc)
		report_test(false, "xen/grants-active-while-mapped", "%s", text);
	else
		report_test(active == c->o.pages, "xen/grants-active-while-mapped",
			    "Xen lists %zu of %u refs of d0 as active", active,
			    c->o.pages);

	/* What the guest wrote through its mapping is in dom0's own pages. */
	ok = true;
	for (unsigned int i = 0; i < c->o.pages && ok; i++) {
		long bad = gntlab_pattern_check(c->shared + (size_t)i * GNTLAB_PAGE_SIZE +
							GNTLAB_PAGE_SIZE / 2,
						seed + 1, i, GNTLAB_PAGE_SIZE / 2,
						GNTLAB_PAGE_SIZE / 2);
		if (bad >= 0) {
			report_test(false, "map/guest-write-seen-by-dom0",
				    "page %u (ref %u) offset %ld differs from the guest's reply pattern",
				    i, c->refs[i], bad + GNTLAB_PAGE_SIZE / 2);
			ok = false;
		}
	}
	if (ok)
		report_test(true, "map/guest-write-seen-by-dom0",
			    "reply pattern seen in all %u pages", c->o.pages);

	/* Guest unmaps; its module counters must return to zero. */
	rc = command(c, "unmap", text, sizeof(text));
	report_test(rc == 0, "teardown/guest-unmap", "guest: %s", text);

	/* Xen's view: nothing of ours is mapped any more. */
	rc = xen_active_count(c, &active, text, sizeof(text));
	if (rc)
		report_test(false, "teardown/xen-no-active-mapping", "%s", text);
	else
		report_test(active == 0, "teardown/xen-no-active-mapping",
			    "Xen lists %zu of our refs as active", active);

	/* dom0 revokes: the grants end at once (no deferred free). */
	rc = xengntshr_unshare(c->gs, c->shared, c->o.pages);
	c->shared = NULL;
	report_test(rc == 0, "teardown/dom0-revoke", "xengntshr_unshare: %s",
		    strerror(errno));

	/* A revoked grant must no longer be mappable by the guest. */
	rc = command(c, "probe-revoked", text, sizeof(text));
	report_test(rc == 0, "teardown/revoked-grant-refused", "guest: %s", text);

	ok = dmesg_clean(text, sizeof(text));
	report_test(ok, "teardown/dom0-log-clean", "%s", text);
}

/* Module lifetime: refused while mapped, unloads when idle (then reloaded). */
static void run_unload_test(struct ctx *c)
{
	char text[300];
	int rc;

	struct gntlab_refs r = { .domid = 0, .count = 1 };
	uint8_t *p;
	char val[64];

	/* A fresh grant so the busy check has something real to map. */
	p = xengntshr_share_pages(c->gs, c->domid, 1, r.ref, 0);
	if (!p || gntlab_refs_format(&r, val, sizeof(val)) ||
	    agent_put(&c->ag, GNTLAB_XS_REFS, val)) {
		report_test(false, "teardown/module-unload", "cannot share a page: %s",
			    strerror(errno));
		if (p)
			xengntshr_unshare(c->gs, p, 1);
		return;
	}
	rc = command(c, "unload", text, sizeof(text));
	report_test(rc == 0, "teardown/module-unload", "guest: %s", text);
	xengntshr_unshare(c->gs, p, 1);
}

/* What libxenctrl says of the guest: a running 64-bit PV domain of our size. */
static void check_domain_info(struct ctx *c)
{
	xc_domaininfo_t info;
	unsigned long kib, mib;

	if (xc_domain_getinfolist(c->xc, c->domid, 1, &info) != 1 ||
	    info.domain != c->domid) {
		report_test(false, "xen/guest-domain-info", "xc_domain_getinfolist(d%u): %s",
			    c->domid, strerror(errno));
		return;
	}
	kib = (unsigned long)info.tot_pages * 4;
	mib = c->o.guest_mem ? c->o.guest_mem : 256;
	report_diag("d%u: flags %#x, %lu KiB, max vcpu id %u", c->domid, info.flags, kib,
		    info.max_vcpu_id);
	report_test(!(info.flags & XEN_DOMINF_hvm_guest) && !(info.flags & XEN_DOMINF_dying) &&
			    kib > mib * 1024 * 3 / 4 && kib <= mib * 1024 &&
			    info.max_vcpu_id == 1,
		    "xen/guest-domain-info",
		    "d%u flags %#x (want PV, alive), %lu KiB (want <= %lu MiB, > 3/4 of it), max vcpu id %u (want 1)",
		    c->domid, info.flags, kib, mib, info.max_vcpu_id);
}

/*
 * `make demo`: one foreign mapping, narrated for a person watching. dom0
 * writes a message into a granted page, the guest maps it and prints it,
 * then shows what the PTE, P2M and M2P say and which GUP users are refused,
 * then everything is torn down and both sides show nothing leaked.
 */
static void run_demo(struct ctx *c)
{
	char text[300], msg[120];
	size_t active = 0;
	int rc, lines;

	report_phase(GNTLAB_PHASE_TESTS);
	snprintf(msg, sizeof(msg), "Hello from dom0! This page belongs to domain 0; ref %u grants it to d%u.",
		 c->refs[0], c->domid);
	memcpy(c->shared, msg, strlen(msg) + 1);
	report_narrate("--- gntlab demo: one grant, mapped across domains ---");
	report_narrate("dom0 started guest '%s' (domain %u) through libvirt (%s)", c->o.name,
		       c->domid, c->o.uri);
	report_narrate("dom0 granted one of its pages to d%u (grant ref %u) and wrote into it:",
		       c->domid, c->refs[0]);
	report_narrate("    \"%s\"", msg);
	report_narrate("the guest maps ref %u through /dev/gntlab: Xen writes the PTE itself ...",
		       c->refs[0]);
	rc = command(c, "demo", text, sizeof(text));
	lines = rc == 0 ? atoi(text) : 0;
	for (int i = 0; i < lines; i++) {
		char key[64], *v;

		snprintf(key, sizeof(key), GNTLAB_XS_OBS "/demo/%d", i);
		v = agent_get(&c->ag, key);
		report_narrate("  %s", v ? v : "?");
		free(v);
	}
	report_test(rc == 0 && lines > 0, "demo/guest-maps-and-reads", "guest: %s", text);
	if (xen_active_count(c, &active, text, sizeof(text)) == 0)
		report_narrate("Xen's own grant table dump: %zu of dom0's grants mapped by d%u",
			       active, c->domid);
	rc = command(c, "unmap", text, sizeof(text));
	report_narrate("the guest unmapped: %s", text);
	report_test(rc == 0, "demo/guest-unmaps-clean", "guest: %s", text);
	rc = xen_active_count(c, &active, text, sizeof(text));
	report_narrate("Xen's view after the unmap: %zu grants of dom0 mapped", active);
	report_test(rc == 0 && active == 0, "demo/nothing-leaked",
		    "Xen lists %zu grants still mapped %s", active, rc ? text : "");
	rc = xengntshr_unshare(c->gs, c->shared, c->o.pages);
	c->shared = NULL;
	report_narrate("dom0 revoked the grant: %s", rc ? strerror(errno) : "done, nothing pending");
	report_narrate("--- end of demo ---");
}

/* Does a comma-separated pattern list select something in this suite? */
static bool fnmatch_any(const char *patterns, const char *suite_probe)
{
	char buf[1024], *save = NULL;
	size_t slash = strcspn(suite_probe, "/");

	snprintf(buf, sizeof(buf), "%s", patterns);
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		/* a pattern naming the suite ("multi/...") or matching the probe selects it */
		if (!fnmatch(p, suite_probe, 0) ||
		    (!strncmp(p, suite_probe, slash) && p[slash] == '/'))
			return true;
	}
	return false;
}

/*
 * Run the guest's test program and serve its requests until it acks.
 * The deadline moves with every request served: a suite may be long, but
 * a silent guest is reported after --timeout seconds.
 */
static void run_guest_program(struct ctx *c, const char *verb_args, const char *name)
{
	struct peer_server ps;
	char p_req[192], p_ack[192], v[1200], text[300];
	long long deadline;
	uint32_t seq = ++c->ag.seq;

	peer_server_init(&ps, c->xs, c->xc, c->gs, c->domid, c->dir);
	gpath(c, GNTLAB_XS_REQ, p_req, sizeof(p_req));
	gpath(c, GNTLAB_XS_ACK, p_ack, sizeof(p_ack));
	if (!xs_watch(c->xs, p_req, "req") || !xs_watch(c->xs, p_ack, "ack")) {
		report_test(false, name, "xs_watch: %s", strerror(errno));
		return;
	}
	snprintf(v, sizeof(v), "%u %s", seq, verb_args);
	if (!xs_write(c->xs, XBT_NULL, gpath(c, GNTLAB_XS_CMD, text, sizeof(text)),
		      v, strlen(v))) {
		report_test(false, name, "xs_write(cmd): %s", strerror(errno));
		return;
	}
	deadline = xs_now_ms() + c->o.timeout_s * 1000LL;
	/*
	 * Look at the request or the ack only when its watch fired (the token
	 * says which): every xenstore round trip from dom0 costs milliseconds
	 * under emulation, and the guest sends hundreds of requests. Both
	 * watches fire once when set, so both are read at the start.
	 */
	bool want_req = true, want_ack = true;

	for (;;) {
		unsigned int len, n;
		struct gntlab_ack a;
		char *ack = NULL, **ev;
		struct pollfd pfd = { .fd = xs_fileno(c->xs), .events = POLLIN };
		long long left;

		if (want_req) {
			want_req = false;
			while (peer_server_poll(&ps))
				deadline = xs_now_ms() + c->o.timeout_s * 1000LL;
		}
		if (want_ack) {
			want_ack = false;
			ack = xs_read(c->xs, XBT_NULL, p_ack, &len);
		}
		if (ack && !gntlab_ack_parse(ack, &a) && a.seq == seq) {
			free(ack);
			report_diag("guest test program exited with %d after %u requests",
				    a.rc, ps.requests);
			if (a.rc == 3 && !strncmp(verb_args, "suite", 5))
				/* the agent's SUITE_NONE_SELECTED */
				report_skip(name, "%s", a.text);
			else if (!strncmp(verb_args, "suite", 5))
				report_test(a.rc == 0 || a.rc == 1, name,
					    "guest test program failed to run: rc %d %s",
					    a.rc, a.text);
			else
				report_test(a.rc == 0, name, "guest: rc %d %s", a.rc, a.text);
			break;
		}
		free(ack);
		left = deadline - xs_now_ms();
		if (left <= 0) {
			report_test(false, "timeout/guest-suites",
				    "no request or ack from the guest test program for %d s",
				    c->o.timeout_s);
			break;
		}
		/* An event libxenstore already queued would not wake poll(). */
		ev = xs_check_watch(c->xs);
		if (!ev && poll(&pfd, 1, (int)left) > 0)
			ev = xs_read_watch(c->xs, &n);
		if (ev) {
			if (!strcmp(ev[XS_WATCH_TOKEN], "req"))
				want_req = true;
			else if (!strcmp(ev[XS_WATCH_TOKEN], "ack"))
				want_ack = true;
			free(ev);
		} else {
			/* Timed out or an error: look at both once more. */
			want_req = want_ack = true;
		}
	}
	xs_unwatch(c->xs, p_req, "req");
	xs_unwatch(c->xs, p_ack, "ack");
	if (peer_server_release_all(&ps))
		report_diag("revoked shares the guest tests left open");
}

static void run_guest_suites(struct ctx *c)
{
	char v[1100];

	snprintf(v, sizeof(v), "suite %s", c->o.tests ? c->o.tests : "*");
	run_guest_program(c, v, "guest/suites-completed");
}

/*
 * `make bench`: dom0 lets the guest share up to 2^16 pages through its
 * gntalloc, whose `limit` parameter (Linux 6.1 default 1024 grants, all
 * gntalloc users together) would refuse more; Xen's own limit on dom0's
 * grant table is gnttab_max_frames= on Xen's command line (the Makefile's
 * bench target passes it).
 */
static void bench_raise_limits(void)
{
	const char *p = "/sys/module/xen_gntalloc/parameters/limit";
	char old[32] = "?";
	FILE *f = fopen(p, "r");

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

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	char text[300], log[256];
	int gone;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &c.o))
		return 2;

	c.xs = xs_open(0);
	c.xc = xc_interface_open(NULL, NULL, 0);
	c.gs = xengntshr_open(NULL, 0);
	if (!c.xs || !c.xc || !c.gs) {
		fprintf(stderr, "gntlab-conductor: %s failed: %s\n",
			!c.xs ? "xs_open" : !c.xc ? "xc_interface_open" : "xengntshr_open",
			strerror(errno));
		report_test(false, "boot/dom0-libraries", "cannot open xenstore/xenctrl/gntshr");
		return 2;
	}
	c.conn = guest_connect(c.o.uri, 60);
	if (!report_test(c.conn != NULL, "boot/libvirt-connect",
			 "cannot connect to %s within 60 s: %s", c.o.uri,
			 virGetLastErrorMessage()))
		return 2;
	report_phase(GNTLAB_PHASE_DOM0_READY);

	/* The demo narrates one page. */
	if (c.o.tests && fnmatch_any(c.o.tests, "demo/x"))
		c.o.pages = 1;
	/* The bench maps 2^16 grants: more guest memory, higher gntalloc limit. */
	if (c.o.tests && fnmatch_any(c.o.tests, "bench/x")) {
		if (!c.o.guest_mem)
			c.o.guest_mem = 512;
		bench_raise_limits();
	}
	if (start_guest(&c) == 0 && grant_pages(&c, 0x5eed0001) == 0 &&
	    wait_ready(&c) == 0) {
		struct scen_env e = {
			.conn = c.conn, .xs = c.xs, .xc = c.xc, .gs = c.gs,
			.kernel = c.o.kernel, .initrd = c.o.initrd, .uri = c.o.uri,
			.timeout_s = c.o.timeout_s, .g1 = &c.ag, .g1_name = c.o.name,
			.tool = "/opt/gntlab/bin/gntlab-tool",
		};

		if (c.o.tests && fnmatch_any(c.o.tests, "demo/x")) {
			run_demo(&c);
			goto done;
		}
		if (c.o.tests && fnmatch_any(c.o.tests, "bench/x")) {
			report_phase(GNTLAB_PHASE_TESTS);
			run_guest_program(&c, "bench", "bench/completed");
			goto done;
		}
		/* The second guest boots while the first one's tests run. */
		if (!c.o.tests || fnmatch_any(c.o.tests, "multi/x"))
			scenario_two_guests_start(&e);
		check_domain_info(&c);
		run_tests(&c);
		run_guest_suites(&c);
		if (!c.o.tests || fnmatch_any(c.o.tests, "reverse/x"))
			scenario_dom0_maps_guest(&e);
		if (!c.o.tests || fnmatch_any(c.o.tests, "tools/x"))
			scenario_tool_badinput(&e);
		if (!c.o.tests || fnmatch_any(c.o.tests, "multi/x"))
			scenario_two_guests(&e);
		run_unload_test(&c);
		scenario_two_guests_cleanup(&e);
	}

done:
	if (c.dom) {
		if (c.ready)
			command(&c, "quit", text, sizeof(text));
		gone = guest_wait_gone(c.conn, c.dom, 20);
		report_test(gone == 0, "teardown/guest-shutdown",
			    gone > 0 ? "guest did not power off in 20 s; destroyed" :
				       "virDomainDestroy failed");
		virDomainFree(c.dom);
	}
	if (c.shared)
		xengntshr_unshare(c.gs, c.shared, c.o.pages);
	report_phase(GNTLAB_PHASE_TESTS_DONE);
	guest_console_log(c.o.name, log, sizeof(log));
	report_log_file("guest", log);
	virConnectClose(c.conn);
	xengntshr_close(c.gs);
	xc_interface_close(c.xc);
	xs_close(c.xs);
	return report_failures() ? 1 : 0;
}
