// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "scenarios.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "gntlab_proto.h"
#include "guest.h"
#include "report.h"
#include "xen_grants.h"
#include "xs_wait.h"

extern char **environ;

/* ---- helpers --------------------------------------------------------- */

/* Xen's count of active grant entries with this granter and mapper. */
static long xen_count(struct scen_env *e, long granter, long mapper, char *err,
		      size_t len)
{
	static struct xen_grant_dump d;
	long n = 0;

	if (xen_grant_snapshot(e->xc, &d, err, len))
		return -1;
	for (size_t i = 0; i < d.count; i++)
		if ((granter < 0 || d.entry[i].granter == (uint32_t)granter) &&
		    (mapper < 0 || d.entry[i].mapper == (uint32_t)mapper))
			n++;
	return n;
}

static long xen_count_refs(struct scen_env *e, uint32_t granter, uint32_t mapper,
			   const uint32_t *refs, uint32_t n, char *err, size_t len)
{
	static struct xen_grant_dump d;

	if (xen_grant_snapshot(e->xc, &d, err, len))
		return -1;
	return (long)xen_grant_dump_count_refs(&d, granter, mapper, refs, n);
}

/* Poll Xen's view (a hypervisor dump, not an event source) until n == want. */
static long xen_count_settle(struct scen_env *e, long granter, long mapper,
			     long want, int ms, char *err, size_t len)
{
	long n = -1;

	for (int t = 0; t <= ms; t += 250) {
		n = xen_count(e, granter, mapper, err, len);
		if (n == want || n < 0)
			break;
		usleep(250 * 1000);
	}
	return n;
}

/* Run gntlab-tool with args; capture exit status and stderr. */
static int run_tool(struct scen_env *e, char *const argv[], char *err, size_t len)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = -1;
	size_t used = 0;
	pid_t pid;

	err[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, e->tool, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	for (;;) {
		ssize_t n = read(pipefd[0], err + used, len - 1 - used);

		if (n <= 0)
			break;
		used += (size_t)n;
		if (used >= len - 1)
			break;
	}
	err[used] = '\0';
	/* Libraries may print their own line first: keep all, on one line. */
	for (char *c = err; *c; c++)
		if (*c == '\n')
			*c = ' ';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ---- the tools reject bad input with exit 2 and a message ------------ */

void scenario_tool_badinput(struct scen_env *e)
{
	char g1[16], missing[192], out[512];
	struct {
		const char *name;
		const char *want;	/* substring the message must contain */
		char *argv[10];
	} c[] = {
		{ "tools/share-unknown-domid", "no domain 31999",
		  { "gntlab-tool", "share", "--domid", "31999", "--pages", "1", NULL } },
		{ "tools/share-zero-pages", "bad --pages",
		  { "gntlab-tool", "share", "--domid", g1, "--pages", "0", NULL } },
		{ "tools/share-huge-count", "bad --pages",
		  { "gntlab-tool", "share", "--domid", g1, "--pages", "100000000", NULL } },
		{ "tools/share-bad-domid", "bad --domid",
		  { "gntlab-tool", "share", "--domid", "-3", "--pages", "1", NULL } },
		{ "tools/map-ref-out-of-range", "xengnttab_map_domain_grant_refs",
		  { "gntlab-tool", "map", "--domid", g1, "--refs", "4000000000", NULL } },
		{ "tools/map-malformed-refs", "bad ref",
		  { "gntlab-tool", "map", "--domid", g1, "--refs", "12,x", NULL } },
		{ "tools/wait-missing-xenstore-path", "did not appear",
		  { "gntlab-tool", "wait", "--path", missing, "--timeout", "1", NULL } },
		{ "tools/libvirtd-not-running", "libvirtd running",
		  { "gntlab-tool", "guest", "--uri", "xen+unix:///system?socket=/run/gntlab-no-libvirtd",
		    "--name", "x", "list", NULL } },
		{ "tools/unknown-guest", "no guest",
		  { "gntlab-tool", "guest", "--uri", (char *)e->uri, "--name", "no-such-guest",
		    "list", NULL } },
		{ "tools/unknown-command", "unknown command",
		  { "gntlab-tool", "frobnicate", NULL } },
	};

	snprintf(g1, sizeof(g1), "%u", e->g1->domid);
	snprintf(missing, sizeof(missing), "%s/no-such-key", e->g1->dir);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = run_tool(e, c[i].argv, out, sizeof(out));

		report_diag("%s: exit %d: %s", c[i].argv[1], rc, out);
		report_test(rc == 2 && strstr(out, c[i].want), c[i].name,
			    "want exit 2 and a message with '%s'; got exit %d: %s",
			    c[i].want, rc, out);
	}
	/* And the good path of the same tool works: no false alarms. */
	{
		char *argv[] = { "gntlab-tool", "share", "--domid", g1, "--pages", "2", NULL };
		int rc = run_tool(e, argv, out, sizeof(out));

		report_test(rc == 0, "tools/share-good-input", "exit %d: %s", rc, out);
	}
}

/* ---- dom0 maps the guest's grants (kernel gntdev) ------------------- */

static int read_grefs(struct agent_conn *a, struct gntlab_refs *r)
{
	char *v = agent_get(a, "grefs");
	int rc = v ? gntlab_refs_parse(v, r) : -1;

	free(v);
	return rc;
}

void scenario_dom0_maps_guest(struct scen_env *e)
{
	static struct gntlab_refs r;
	const uint32_t seed = 0x6e0000a1, n = 4;
	xengnttab_handle *gt = NULL;
	char text[300], cmd[64], err[256];
	uint8_t *p = NULL;
	long act;
	bool ok;

	snprintf(cmd, sizeof(cmd), "grant %u %u", n, seed);
	if (!report_test(agent_command(e->g1, cmd, text, sizeof(text)) == 0 &&
			 read_grefs(e->g1, &r) == 0 && r.count == n,
			 "reverse/guest-grants-to-dom0", "guest: %s", text))
		return;
	gt = xengnttab_open(NULL, 0);
	if (gt)
		p = xengnttab_map_domain_grant_refs(gt, n, e->g1->domid, r.ref,
						    PROT_READ | PROT_WRITE);
	if (!report_test(p != NULL, "reverse/dom0-maps-guest-grants",
			 "xengnttab_map_domain_grant_refs(d%u, %u): %s", e->g1->domid,
			 n, strerror(errno)))
		goto out;
	ok = true;
	for (uint32_t i = 0; i < n && ok; i++)
		ok = gntlab_pattern_check(p + (size_t)i * GNTLAB_PAGE_SIZE, seed, i, 0,
					  GNTLAB_PAGE_SIZE) < 0;
	report_test(ok, "reverse/pattern-intact-in-dom0",
		    "dom0 reads something else than the guest's pattern");
	act = xen_count_refs(e, e->g1->domid, 0, r.ref, n, err, sizeof(err));
	report_test(act == n, "reverse/xen-lists-dom0-mapping",
		    "Xen lists %ld of the guest's grants mapped by d0 (want %u) %s", act, n,
		    act < 0 ? err : "");
	for (uint32_t i = 0; i < n; i++)
		gntlab_pattern_fill(p + (size_t)i * GNTLAB_PAGE_SIZE + 2048, seed + 1, i,
				    2048, 2048);
	snprintf(cmd, sizeof(cmd), "check-grant %u 2048 2048", seed + 1);
	report_test(agent_command(e->g1, cmd, text, sizeof(text)) == 0,
		    "reverse/dom0-write-seen-by-guest", "guest: %s", text);
	report_test(xengnttab_unmap(gt, p, n) == 0, "reverse/dom0-unmap",
		    "xengnttab_unmap: %s", strerror(errno));
	p = NULL;

	/*
	 * Unmap notify, dom0 -> guest: map one ref again with
	 * xengnttab_map_grant_ref_notify (clear byte 100 on unmap); the guest
	 * must see the byte cleared once dom0 unmaps (gntdev clears it through
	 * its own mapping before the grant is unmapped).
	 */
	{
		uint8_t *q = xengnttab_map_grant_ref_notify(gt, e->g1->domid, r.ref[0],
							   PROT_READ | PROT_WRITE, 100,
							   (evtchn_port_t)-1);
		int before = -1, after = -1;

		if (agent_command(e->g1, "peek 0 100", text, sizeof(text)) == 0)
			before = atoi(text);
		if (q && gntlab_pattern_byte(seed, 0, 100) != 0) {
			xengnttab_unmap(gt, q, 1);
			if (agent_command(e->g1, "peek 0 100", text, sizeof(text)) == 0)
				after = atoi(text);
		}
		report_test(q && before != 0 && after == 0,
			    "reverse/unmap-notify-clears-guest-byte",
			    "map_notify %s; byte before %d, after dom0's unmap %d (want 0)",
			    q ? "ok" : strerror(errno), before, after);
	}
	act = xen_count_refs(e, e->g1->domid, 0, r.ref, n, err, sizeof(err));
	report_test(act == 0, "reverse/xen-no-mapping-after-unmap",
		    "Xen still lists %ld grants of d%u mapped by d0 %s", act,
		    e->g1->domid, act < 0 ? err : "");
out:
	if (p)
		xengnttab_unmap(gt, p, n);
	if (gt)
		xengnttab_close(gt);
	report_test(agent_command(e->g1, "ungrant", text, sizeof(text)) == 0,
		    "reverse/guest-revokes", "guest: %s", text);
}

/* ---- two guests; one destroyed while grants are mapped both ways ----- */

/* Names of running guests according to libvirt, and according to xl. */
static int libvirt_names(struct scen_env *e, char *buf, size_t len)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(e->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	buf[0] = '\0';
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *nm = virDomainGetName(doms[i]);

		if (nm && strcmp(nm, "Domain-0"))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", nm);
		virDomainFree(doms[i]);
	}
	free(doms);
	return 0;
}

static int xl_names(char *buf, size_t len)
{
	char line[256];
	FILE *f = popen("xl list 2>&1", "r");
	bool header = true;

	buf[0] = '\0';
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];

		if (header) {
			header = false;
			continue;
		}
		if (sscanf(line, "%127s", name) == 1 && strcmp(name, "Domain-0"))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", name);
	}
	return pclose(f) == 0 ? 0 : -1;
}

/* Is the domain still known to Xen (e.g. dying, kept by mapped pages)? */
static bool xen_domain_exists(struct scen_env *e, unsigned int domid, bool *dying)
{
	xc_domaininfo_t info;

	if (xc_domain_getinfolist(e->xc, domid, 1, &info) != 1 || info.domain != domid)
		return false;
	*dying = info.flags & XEN_DOMINF_dying;
	return true;
}

static void *create_second_guest(void *arg)
{
	struct scen_env *e = arg;
	struct guest_spec s = {
		.name = "gntlab-guest2", .kernel = e->kernel, .initrd = e->initrd,
		.cmdline = "console=hvc0 clocksource=xen", .memory_mib = 256, .vcpus = 1,
	};

	/* libvirt connections may be used from several threads at once. */
	e->dom2 = guest_create(e->conn, &s, e->dom2_err, sizeof(e->dom2_err));
	return NULL;
}

void scenario_two_guests_start(struct scen_env *e)
{
	if (e->dom2_started)
		return;
	e->dom2_started = true;
	if (pthread_create(&e->dom2_thread, NULL, create_second_guest, e)) {
		e->dom2_started = false;
		create_second_guest(e);
	}
}

/* Wait for the background creation; returns the domain (or NULL). */
static virDomainPtr second_guest(struct scen_env *e)
{
	virDomainPtr d;

	if (!e->dom2_started)
		scenario_two_guests_start(e);
	if (e->dom2_started) {
		pthread_join(e->dom2_thread, NULL);
		e->dom2_started = false;
	}
	d = e->dom2;
	e->dom2 = NULL;
	return d;
}

void scenario_two_guests(struct scen_env *e)
{
	static struct gntlab_refs r2, refs_msg;
	const uint32_t n = 2, seed1 = 0x7a000001, seed2 = 0x7a000002;
	uint32_t refs1[2], refs2[2];
	uint8_t *sh1 = NULL, *sh2 = NULL, *p = NULL;
	xengnttab_handle *gt = NULL;
	struct agent_conn g2;
	virDomainPtr dom2;
	char text[300], err[512], val[256], cmd[64], a[512], b[512];
	long act;
	int id;
	bool dying = false, ok;

	dom2 = second_guest(e);
	id = dom2 ? (int)virDomainGetID(dom2) : -1;
	if (!report_test(id > 0, "multi/second-guest-via-libvirt", "%s", e->dom2_err))
		return;
	agent_init(&g2, e->xs, (unsigned int)id, e->timeout_s);
	if (!report_test(agent_wait_ready(&g2) == 0, "multi/second-guest-ready",
			 "gntlab-guest2 (d%d) agent not ready in %d s", id, e->timeout_s))
		goto destroy;

	/* Both guests map their own share of dom0 at the same time. */
	sh1 = xengntshr_share_pages(e->gs, e->g1->domid, n, refs1, 1);
	sh2 = xengntshr_share_pages(e->gs, g2.domid, n, refs2, 1);
	if (!report_test(sh1 && sh2, "multi/dom0-shares-with-both",
			 "xengntshr_share_pages: %s", strerror(errno)))
		goto destroy;
	for (uint32_t i = 0; i < n; i++) {
		gntlab_pattern_fill(sh1 + i * GNTLAB_PAGE_SIZE, seed1, i, 0, GNTLAB_PAGE_SIZE);
		gntlab_pattern_fill(sh2 + i * GNTLAB_PAGE_SIZE, seed2, i, 0, GNTLAB_PAGE_SIZE);
	}
	refs_msg.domid = 0;
	refs_msg.count = n;
	memcpy(refs_msg.ref, refs1, sizeof(refs1));
	gntlab_refs_format(&refs_msg, val, sizeof(val));
	agent_put(e->g1, GNTLAB_XS_REFS, val);
	memcpy(refs_msg.ref, refs2, sizeof(refs2));
	gntlab_refs_format(&refs_msg, val, sizeof(val));
	agent_put(&g2, GNTLAB_XS_REFS, val);
	snprintf(cmd, sizeof(cmd), "map rw %u", seed1);
	ok = agent_command(e->g1, cmd, text, sizeof(text)) == 0;
	snprintf(cmd, sizeof(cmd), "map rw %u", seed2);
	ok = ok && agent_command(&g2, cmd, text, sizeof(text)) == 0;
	report_test(ok, "multi/both-guests-map", "%s", text);
	act = xen_count(e, 0, g2.domid, err, sizeof(err));
	report_test(act == n && xen_count(e, 0, e->g1->domid, err, sizeof(err)) == n,
		    "multi/xen-lists-both-mappers", "Xen lists %ld grants mapped by d%u", act,
		    g2.domid);

	/* And dom0 maps guest2's grants, the other direction. */
	snprintf(cmd, sizeof(cmd), "grant %u %u", n, seed2 + 7);
	gt = xengnttab_open(NULL, 0);
	if (gt && agent_command(&g2, cmd, text, sizeof(text)) == 0 &&
	    read_grefs(&g2, &r2) == 0)
		p = xengnttab_map_domain_grant_refs(gt, n, g2.domid, r2.ref,
						    PROT_READ | PROT_WRITE);
	report_test(p != NULL, "multi/dom0-maps-second-guest", "%s", text);

	/* Destroy guest2 while it maps dom0's pages and dom0 maps its pages. */
	report_test(virDomainDestroy(dom2) == 0, "multi/destroy-while-mapped",
		    "virDomainDestroy: %s", virGetLastErrorMessage());
	act = xen_count_settle(e, 0, g2.domid, 0, 5000, err, sizeof(err));
	report_test(act == 0, "multi/destroy-drops-guest-mappings",
		    "Xen still lists %ld grants of d0 mapped by the destroyed d%u %s", act,
		    g2.domid, act < 0 ? err : "");
	report_test(xengntshr_unshare(e->gs, sh2, n) == 0,
		    "multi/dom0-revokes-after-destroy", "xengntshr_unshare: %s",
		    strerror(errno));
	sh2 = NULL;
	if (p) {
		/* dom0 still maps guest2's memory: Xen must keep it, dying. */
		bool exists = xen_domain_exists(e, g2.domid, &dying);

		report_test(exists && dying, "multi/destroyed-guest-kept-while-dom0-maps",
			    "d%u %s while dom0 maps its pages", g2.domid,
			    exists ? "is not dying" : "is already gone");
		xengnttab_unmap(gt, p, n);
		p = NULL;
		for (int t = 0; t < 50 && xen_domain_exists(e, g2.domid, &dying); t++)
			usleep(100 * 1000);
		report_test(!xen_domain_exists(e, g2.domid, &dying),
			    "multi/destroyed-guest-freed-after-dom0-unmaps",
			    "d%u still exists 5 s after dom0 unmapped its pages (stuck)",
			    g2.domid);
	}

	/* The first guest did not notice. */
	report_test(agent_command(e->g1, "unmap", text, sizeof(text)) == 0,
		    "multi/other-guest-unaffected", "guest1: %s", text);
	report_test(xengntshr_unshare(e->gs, sh1, n) == 0, "multi/dom0-revokes-first",
		    "xengntshr_unshare: %s", strerror(errno));
	sh1 = NULL;

	/* libvirt and xl agree on who is left. */
	ok = libvirt_names(e, a, sizeof(a)) == 0 && xl_names(b, sizeof(b)) == 0;
	report_diag("libvirt: '%s', xl list: '%s'", a, b);
	report_test(ok && !strcmp(a, b) && !strcmp(a, e->g1_name),
		    "multi/virsh-and-xl-agree", "libvirt lists '%s', xl lists '%s'", a, b);
destroy:
	if (p)
		xengnttab_unmap(gt, p, n);
	if (gt)
		xengnttab_close(gt);
	if (sh1)
		xengntshr_unshare(e->gs, sh1, n);
	if (sh2)
		xengntshr_unshare(e->gs, sh2, n);
	if (dom2) {
		if (virDomainIsActive(dom2) > 0)
			virDomainDestroy(dom2);
		virDomainFree(dom2);
	}
}

void scenario_two_guests_cleanup(struct scen_env *e)
{
	virDomainPtr d = e->dom2_started || e->dom2 ? second_guest(e) : NULL;

	if (d) {
		virDomainDestroy(d);
		virDomainFree(d);
	}
}
