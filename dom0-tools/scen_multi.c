// SPDX-License-Identifier: GPL-2.0
/* Two guests at once; one destroyed while grants are mapped both ways. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "guest.h"
#include "markers_out.h"
#include "scenarios.h"
#include "xen_grants.h"

#define N 2u
#define SEED1 0x7a000001u
#define SEED2 0x7a000002u

static struct {
	virDomainPtr dom2;
	struct agent_conn g2;
	uint32_t refs1[N], refs2[N];
	uint8_t *sh1, *sh2;	/* dom0's pages shared with guest 1 and 2 */
	xengnttab_handle *gt;
	uint8_t *p;		/* dom0's mapping of guest 2's pages */
	bool taken;		/* multi_second_agent() took the created domain */
} mu;

/* Xen's count of active grant entries with this granter and mapper. */
static long xen_count(struct scen_env *e, long granter, long mapper, char *err, size_t len)
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

/* Poll Xen's view (a hypervisor dump, not an event source) until n == want. */
static long xen_count_settle(struct scen_env *e, long granter, long mapper, long want, int ms,
			     char *err, size_t len)
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
		.name = "gntlab-guest2", .kernel = e->o.kernel, .initrd = e->o.initrd,
		.cmdline = "console=hvc0 clocksource=xen tsc=reliable", .memory_mib = 256,
		/* Two, like the first: it also runs the fuzz suites (multi_second_agent). */
		.vcpus = 2,
	};

	/* libvirt connections may be used from several threads at once. */
	e->dom2 = guest_create(e->conn, &s, e->dom2_err, sizeof(e->dom2_err));
	return NULL;
}

static void start_second_guest(struct scen_env *e)
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
		start_second_guest(e);
	if (e->dom2_started) {
		pthread_join(e->dom2_thread, NULL);
		e->dom2_started = false;
	}
	d = e->dom2;
	e->dom2 = NULL;
	return d;
}


struct agent_conn *multi_second_agent(struct scen_env *e)
{
	int id;

	if (!mu.taken && (e->dom2_started || e->dom2)) {
		mu.taken = true;
		mu.dom2 = second_guest(e);
		id = mu.dom2 ? (int)virDomainGetID(mu.dom2) : -1;
		if (id > 0)
			agent_init(&mu.g2, e->xs, (unsigned int)id, e->o.timeout_s);
	}
	return mu.g2.domid ? &mu.g2 : NULL;
}

static void second_via_libvirt(struct scen_env *e, struct step_res *r)
{
	if (!mu.taken && !e->dom2_started && !e->dom2)
		start_second_guest(e);
	if (!multi_second_agent(e))
		step_error(r, "%s", e->dom2_err[0] ? e->dom2_err : "virDomainGetID failed");
}

static void second_ready(struct scen_env *e, struct step_res *r)
{
	if (agent_wait_ready(&mu.g2))
		step_error(r, "gntlab-guest2 (d%u) agent not ready in %d s", mu.g2.domid,
			   e->o.timeout_s);
}

static void shares_with_both(struct scen_env *e, struct step_res *r)
{
	mu.sh1 = xengntshr_share_pages(e->gs, e->domid, N, mu.refs1, 1);
	mu.sh2 = xengntshr_share_pages(e->gs, mu.g2.domid, N, mu.refs2, 1);
	if (!step_check(r, mu.sh1 && mu.sh2, "xengntshr_share_pages: %s", strerror(errno)))
		return;
	for (uint32_t i = 0; i < N; i++) {
		gntlab_pattern_fill(mu.sh1 + i * GNTLAB_PAGE_SIZE, SEED1, i, 0, GNTLAB_PAGE_SIZE);
		gntlab_pattern_fill(mu.sh2 + i * GNTLAB_PAGE_SIZE, SEED2, i, 0, GNTLAB_PAGE_SIZE);
	}
}

static int publish(struct agent_conn *a, const uint32_t *refs)
{
	struct gntlab_refs g = { .domid = 0, .count = N };
	char val[256];

	memcpy(g.ref, refs, N * sizeof(refs[0]));
	return gntlab_refs_format(&g, val, sizeof(val)) || agent_put(a, GNTLAB_XS_REFS, val);
}

/* Both guests map their own share of dom0 at the same time. */
static void both_map(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc;

	if (publish(&e->ag, mu.refs1) || publish(&mu.g2, mu.refs2)) {
		step_error(r, "xs_write(refs): %s", strerror(errno));
		return;
	}
	rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_MAP, "rw %u", SEED1);
	if (!step_check(r, rc == 0, "guest1: %s", text))
		return;
	rc = step_agent(r, &mu.g2, text, sizeof(text), GNTLAB_CMD_MAP, "rw %u", SEED2);
	step_check(r, rc == 0, "guest2: %s", text);
}

static void both_mappers(struct scen_env *e, struct step_res *r)
{
	char err[512] = "";
	long a2 = xen_count(e, 0, mu.g2.domid, err, sizeof(err));
	long a1 = xen_count(e, 0, e->domid, err, sizeof(err));

	if (a1 < 0 || a2 < 0)
		step_error(r, "%s", err);
	step_check(r, a1 == N && a2 == N, "Xen lists %ld grants mapped by d%u, %ld by d%u (want %u)",
		   a1, e->domid, a2, mu.g2.domid, N);
}

/* And dom0 maps guest2's grants, the other direction. */
static void dom0_maps_second(struct scen_env *e, struct step_res *r)
{
	static struct gntlab_refs r2;
	char text[300], *v;
	int rc;

	(void)e;
	mu.gt = xengnttab_open(NULL, 0);
	if (!mu.gt) {
		step_error(r, "xengnttab_open: %s", strerror(errno));
		return;
	}
	rc = step_agent(r, &mu.g2, text, sizeof(text), GNTLAB_CMD_GRANT, "%u %u", N, SEED2 + 7);
	if (!step_check(r, rc == 0, "guest2: %s", text))
		return;
	v = agent_get(&mu.g2, "grefs");
	if (!step_check(r, v && gntlab_refs_parse(v, &r2) == 0 && r2.count == N,
			"guest2's grefs '%.60s' are not %u refs", v ? v : "(none)", N)) {
		free(v);
		return;
	}
	free(v);
	mu.p = xengnttab_map_domain_grant_refs(mu.gt, N, mu.g2.domid, r2.ref,
					       PROT_READ | PROT_WRITE);
	step_check(r, mu.p != NULL, "xengnttab_map_domain_grant_refs(d%u): %s", mu.g2.domid,
		   strerror(errno));
}

/* Destroy guest2 while it maps dom0's pages and dom0 maps its pages. */
static void destroy_while_mapped(struct scen_env *e, struct step_res *r)
{
	(void)e;
	step_check(r, virDomainDestroy(mu.dom2) == 0, "virDomainDestroy: %s",
		   virGetLastErrorMessage());
}

static void destroy_drops(struct scen_env *e, struct step_res *r)
{
	char err[512] = "";
	long act = xen_count_settle(e, 0, mu.g2.domid, 0, 5000, err, sizeof(err));

	if (act < 0)
		step_error(r, "%s", err);
	step_check(r, act == 0, "Xen still lists %ld grants of d0 mapped by the destroyed d%u",
		   act, mu.g2.domid);
}

static void revokes_after_destroy(struct scen_env *e, struct step_res *r)
{
	int rc = xengntshr_unshare(e->gs, mu.sh2, N);

	mu.sh2 = NULL;
	step_check(r, rc == 0, "xengntshr_unshare: %s", strerror(errno));
}

/* dom0 still maps guest2's memory: Xen must keep it, dying. */
static void kept_while_mapped(struct scen_env *e, struct step_res *r)
{
	bool dying = false, exists = xen_domain_exists(e, mu.g2.domid, &dying);

	step_check(r, exists && dying, "d%u %s while dom0 maps its pages", mu.g2.domid,
		   exists ? "is not dying" : "is already gone");
}

static void freed_after_unmap(struct scen_env *e, struct step_res *r)
{
	bool dying;

	xengnttab_unmap(mu.gt, mu.p, N);
	mu.p = NULL;
	for (int t = 0; t < 50 && xen_domain_exists(e, mu.g2.domid, &dying); t++)
		usleep(100 * 1000);
	step_check(r, !xen_domain_exists(e, mu.g2.domid, &dying),
		   "d%u still exists 5 s after dom0 unmapped its pages (stuck)", mu.g2.domid);
}

/* The first guest did not notice. */
static void other_unaffected(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_UNMAP, "%s", "");

	step_check(r, rc == 0, "guest1: %s", text);
}

static void revokes_first(struct scen_env *e, struct step_res *r)
{
	int rc = xengntshr_unshare(e->gs, mu.sh1, N);

	mu.sh1 = NULL;
	step_check(r, rc == 0, "xengntshr_unshare: %s", strerror(errno));
}

/* libvirt and xl agree on who is left. */
static void virsh_xl_agree(struct scen_env *e, struct step_res *r)
{
	char a[512] = "", b[512] = "";

	if (libvirt_names(e, a, sizeof(a)) || xl_names(b, sizeof(b))) {
		step_error(r, "cannot list domains: libvirt '%s', xl '%s'", a, b);
		return;
	}
	report_diag("libvirt: '%s', xl list: '%s'", a, b);
	step_check(r, !strcmp(a, b) && !strcmp(a, e->o.name), "libvirt lists '%s', xl lists '%s'",
		   a, b);
}

static void cleanup(struct scen_env *e)
{
	virDomainPtr d;

	if (mu.p)
		xengnttab_unmap(mu.gt, mu.p, N);
	if (mu.gt)
		xengnttab_close(mu.gt);
	if (mu.sh1)
		xengntshr_unshare(e->gs, mu.sh1, N);
	if (mu.sh2)
		xengntshr_unshare(e->gs, mu.sh2, N);
	/* The second guest: used, or started but never used. */
	d = mu.dom2 ? mu.dom2 : e->dom2_started || e->dom2 ? second_guest(e) : NULL;
	if (d) {
		if (virDomainIsActive(d) > 0)
			virDomainDestroy(d);
		virDomainFree(d);
	}
	memset(&mu, 0, sizeof(mu));
}

static const struct step multi[] = {
	{ "multi/second-guest-via-libvirt",
	  "A second PV guest (gntlab-guest2) is created through libvirt while the first runs.\n"
	  "Expected: pass.", second_via_libvirt, NULL },
	{ "multi/second-guest-ready", "Its agent answers. Expected: pass.", second_ready,
	  "multi/second-guest-via-libvirt" },
	{ "multi/dom0-shares-with-both", "dom0 shares 2 pages with each guest. Expected: pass.",
	  shares_with_both, "multi/second-guest-ready" },
	{ "multi/both-guests-map",
	  "Both guests map their share at the same time, each checking its own pattern.\n"
	  "Expected: pass.", both_map, "multi/dom0-shares-with-both" },
	{ "multi/xen-lists-both-mappers",
	  "Xen lists 2 grants of d0 mapped by each guest. Expected: pass.", both_mappers,
	  "multi/both-guests-map" },
	{ "multi/dom0-maps-second-guest",
	  "dom0 maps 2 pages the second guest granted to it (kernel gntdev). Expected: pass.",
	  dom0_maps_second, "multi/second-guest-ready" },
	{ "multi/destroy-while-mapped",
	  "`virDomainDestroy` of the second guest while it maps dom0's grants and dom0 maps its\n"
	  "grants. Expected: pass.", destroy_while_mapped, "multi/second-guest-via-libvirt" },
	{ "multi/destroy-drops-guest-mappings",
	  "Xen's view: no grant of d0 is mapped by the destroyed domain any more (Xen releases a\n"
	  "dying domain's maptrack entries). Expected: 0 within 5 s.", destroy_drops,
	  "multi/destroy-while-mapped" },
	{ "multi/dom0-revokes-after-destroy",
	  "`xengntshr_unshare` of the pages that were mapped by the destroyed guest succeeds (no\n"
	  "deferred free). Expected: pass.", revokes_after_destroy,
	  "multi/dom0-shares-with-both,multi/destroy-while-mapped" },
	{ "multi/destroyed-guest-kept-while-dom0-maps",
	  "While dom0 still maps the destroyed guest's pages, Xen keeps the domain, dying\n"
	  "(`XEN_DOMINF_dying`): its memory cannot be freed while mapped.\n"
	  "Expected: dying. Why: the other half of \"destroy while mapped\": who holds whom.",
	  kept_while_mapped, "multi/dom0-maps-second-guest,multi/destroy-while-mapped" },
	{ "multi/destroyed-guest-freed-after-dom0-unmaps",
	  "Once dom0 unmaps, the domain disappears within 5 s. Expected: pass. Failure means a\n"
	  "stuck (zombie) domain.", freed_after_unmap,
	  "multi/dom0-maps-second-guest,multi/destroy-while-mapped" },
	{ "multi/other-guest-unaffected",
	  "The first guest unmaps its own share normally. Expected: pass.", other_unaffected,
	  "multi/both-guests-map" },
	{ "multi/dom0-revokes-first", "dom0 revokes the first guest's share. Expected: pass.",
	  revokes_first, "multi/dom0-shares-with-both" },
	{ "multi/virsh-and-xl-agree",
	  "libvirt's list of active domains and `xl list` name the same guests: only the first.\n"
	  "Expected: pass. Failure means a domain stuck in one toolstack's view.", virsh_xl_agree,
	  "multi/destroy-while-mapped" },
};
const struct scenario scen_multi = SCENARIO("multi", SCEN_BY_NAME, "boot/guest-agent-ready", multi,
					    start_second_guest, cleanup);
