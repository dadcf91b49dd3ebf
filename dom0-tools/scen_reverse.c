// SPDX-License-Identifier: GPL-2.0
/* dom0 maps the guest's grants with the kernel's gntdev (the other direction). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "markers_out.h"
#include "scenarios.h"
#include "xen_grants.h"

#include <xenevtchn.h>

#define N 4u
#define SEED 0x6e0000a1u

static struct {
	struct gntlab_refs r;
	xengnttab_handle *gt;
	uint8_t *p;		/* dom0's mapping of the guest's pages */
	xenevtchn_handle *xce;	/* unmap notify by event */
} rv;

static long xen_count_refs(struct scen_env *e, char *err, size_t len)
{
	static struct xen_grant_dump d;

	if (xen_grant_snapshot(e->xc, &d, err, len))
		return -1;
	return (long)xen_grant_dump_count_refs(&d, e->domid, 0, rv.r.ref, N);
}

static void guest_grants(struct scen_env *e, struct step_res *r)
{
	char text[300], *v;
	int rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GRANT, "%u %u", N, SEED);

	if (!step_check(r, rc == 0, "guest: %s", text))
		return;
	v = agent_get(&e->ag, "grefs");
	step_check(r, v && gntlab_refs_parse(v, &rv.r) == 0 && rv.r.count == N,
		   "guest's grefs '%.60s' are not %u refs", v ? v : "(none)", N);
	free(v);
}

static void dom0_maps(struct scen_env *e, struct step_res *r)
{
	rv.gt = xengnttab_open(NULL, 0);
	if (!rv.gt) {
		step_error(r, "xengnttab_open: %s", strerror(errno));
		return;
	}
	rv.p = xengnttab_map_domain_grant_refs(rv.gt, N, e->domid, rv.r.ref,
					       PROT_READ | PROT_WRITE);
	step_check(r, rv.p != NULL, "xengnttab_map_domain_grant_refs(d%u, %u): %s", e->domid, N,
		   strerror(errno));
}

static void pattern_in_dom0(struct scen_env *e, struct step_res *r)
{
	(void)e;
	for (uint32_t i = 0; i < N; i++)
		if (gntlab_pattern_check(rv.p + (size_t)i * GNTLAB_PAGE_SIZE, SEED, i, 0,
					 GNTLAB_PAGE_SIZE) >= 0) {
			step_fail(r, "dom0 reads something else than the guest's pattern in page %u", i);
			return;
		}
}

static void xen_lists(struct scen_env *e, struct step_res *r)
{
	char err[256] = "";
	long act = xen_count_refs(e, err, sizeof(err));

	if (act < 0)
		step_error(r, "%s", err);
	step_check(r, act == N, "Xen lists %ld of the guest's grants mapped by d0 (want %u)", act, N);
}

static void dom0_write(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc;

	for (uint32_t i = 0; i < N; i++)
		gntlab_pattern_fill(rv.p + (size_t)i * GNTLAB_PAGE_SIZE + 2048, SEED + 1, i, 2048,
				    2048);
	rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_CHECK_GRANT, "%u 2048 2048",
			SEED + 1);
	step_check(r, rc == 0, "guest: %s", text);
}

static void dom0_unmap(struct scen_env *e, struct step_res *r)
{
	int rc = xengnttab_unmap(rv.gt, rv.p, N);

	(void)e;
	rv.p = NULL;
	step_check(r, rc == 0, "xengnttab_unmap: %s", strerror(errno));
}

/*
 * Unmap notify, dom0 -> guest: map one ref again with
 * xengnttab_map_grant_ref_notify (clear byte 100 on unmap); the guest must
 * see the byte cleared once dom0 unmaps (gntdev clears it through its own
 * mapping before the grant is unmapped).
 */
static void unmap_notify(struct scen_env *e, struct step_res *r)
{
	uint8_t *q = xengnttab_map_grant_ref_notify(rv.gt, e->domid, rv.r.ref[0],
						   PROT_READ | PROT_WRITE, 100,
						   (evtchn_port_t)-1);
	int before = -1, after = -1, err = errno;
	char text[300];

	if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_PEEK, "0 100") == 0)
		before = atoi(text);
	if (q && gntlab_pattern_byte(SEED, 0, 100) != 0) {
		xengnttab_unmap(rv.gt, q, 1);
		if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_PEEK, "0 100") == 0)
			after = atoi(text);
	}
	step_check(r, q && before != 0 && after == 0,
		   "map_notify %s; byte before %d, after dom0's unmap %d (want 0)",
		   q ? "ok" : strerror(err), before, after);
}

/* "fired F waited W other O" from the agent's gevwait; fired, or -1. */
static int guest_event(struct scen_env *e, struct step_res *r, int ms, char *text, size_t len)
{
	int fired = -1;

	if (step_agent(r, &e->ag, text, len, GNTLAB_CMD_GEVWAIT, "%d", ms) == 0 &&
	    sscanf(text, "fired %d", &fired) != 1)
		fired = -1;
	return fired;
}

/*
 * Unmap notify by event, dom0 -> guest: the guest allocates a port for d0,
 * dom0 binds it and maps ref 1 with xengnttab_map_grant_ref_notify (event
 * only); the guest must receive the event once dom0 unmaps.
 */
static void unmap_notify_event(struct scen_env *e, struct step_res *r)
{
	char text[300], before_t[300] = "", after_t[300] = "";
	xenevtchn_port_or_error_t local;
	int before, after, gport;
	uint8_t *q;

	if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GEVBIND, "%s", "") != 0) {
		if (r->v == D0_PASS)
			step_error(r, "guest's event channel: %s", text);
		return;
	}
	gport = atoi(text);
	rv.xce = xenevtchn_open(NULL, 0);
	local = rv.xce ? xenevtchn_bind_interdomain(rv.xce, e->domid, (evtchn_port_t)gport) : -1;
	if (local < 0) {
		step_error(r, "binding d%u's port %d: %s", e->domid, gport, strerror(errno));
		return;
	}
	q = xengnttab_map_grant_ref_notify(rv.gt, e->domid, rv.r.ref[1], PROT_READ | PROT_WRITE,
					   (uint32_t)-1, (evtchn_port_t)local);
	if (!step_check(r, q != NULL, "map_notify (event on port %d): %s", local, strerror(errno)))
		return;
	before = guest_event(e, r, 0, before_t, sizeof(before_t));
	xengnttab_unmap(rv.gt, q, 1);
	after = guest_event(e, r, 2000, after_t, sizeof(after_t));
	step_check(r, before == 0 && after == 1,
		   "guest's port %d: before dom0's unmap '%s' (want fired 0), after '%s' (want "
		   "fired 1)", gport, before_t, after_t);
}

static void xen_none_after(struct scen_env *e, struct step_res *r)
{
	char err[256] = "";
	long act = xen_count_refs(e, err, sizeof(err));

	if (act < 0)
		step_error(r, "%s", err);
	step_check(r, act == 0, "Xen still lists %ld grants of d%u mapped by d0", act, e->domid);
}

static void guest_revokes(struct scen_env *e, struct step_res *r)
{
	char text[300];
	int rc;

	if (rv.p)
		xengnttab_unmap(rv.gt, rv.p, N);
	rv.p = NULL;
	rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_UNGRANT, "%s", "");
	step_check(r, rc == 0, "guest: %s", text);
}

static void cleanup(struct scen_env *e)
{
	(void)e;
	if (rv.p)
		xengnttab_unmap(rv.gt, rv.p, N);
	if (rv.gt)
		xengnttab_close(rv.gt);
	if (rv.xce)
		xenevtchn_close(rv.xce);
	rv.p = NULL;
	rv.gt = NULL;
	rv.xce = NULL;
}

static const struct step reverse[] = {
	{ "reverse/guest-grants-to-dom0",
	  "Checks: the guest shares 4 pages with dom0 through its own gntalloc (libxengnttab in\n"
	  "the guest) and publishes the refs.\nExpected: pass.", guest_grants, NULL },
	{ "reverse/dom0-maps-guest-grants",
	  "Checks: `xengnttab_map_domain_grant_refs` (dom0's kernel gntdev) maps them.\n"
	  "Expected: pass. Why: the same grant path, driven by upstream's driver, for comparison\n"
	  "with ours.", dom0_maps, "reverse/guest-grants-to-dom0" },
	{ "reverse/pattern-intact-in-dom0",
	  "Checks: dom0 reads the guest's pattern in every page. Expected: pass.",
	  pattern_in_dom0, "reverse/dom0-maps-guest-grants" },
	{ "reverse/xen-lists-dom0-mapping",
	  "Checks: Xen's view lists exactly our 4 refs of the guest's table as mapped by d0 (the\n"
	  "toolstack's own console/xenstore grant mappings are excluded by ref).\nExpected: 4.",
	  xen_lists, "reverse/dom0-maps-guest-grants" },
	{ "reverse/dom0-write-seen-by-guest",
	  "Checks: dom0 writes pattern(seed+1) into the second half of each page; the guest reads\n"
	  "it in its own memory. Expected: pass.", dom0_write, "reverse/dom0-maps-guest-grants" },
	{ "reverse/dom0-unmap", "Checks: `xengnttab_unmap` succeeds. Expected: pass.", dom0_unmap,
	  "reverse/dom0-maps-guest-grants" },
	{ "reverse/unmap-notify-clears-guest-byte",
	  "Checks: dom0 maps one of the guest's grants with\n"
	  "`xengnttab_map_grant_ref_notify` (clear byte 100 on unmap); after dom0's\n"
	  "unmap, the guest reads 0 at that byte of its own page (it held the pattern\n"
	  "before). Expected: pass. Why: the unmap-notify contract of gntdev, in the\n"
	  "dom0 → guest direction (the guest → dom0 direction, with our module, is in\n"
	  "the teardown suite).", unmap_notify, "reverse/dom0-maps-guest-grants" },
	{ "reverse/unmap-notify-event-seen-by-guest",
	  "Checks: the guest allocates an event channel port for d0\n"
	  "(`IOCTL_EVTCHN_BIND_UNBOUND_PORT`), dom0 binds it and maps one of the guest's grants\n"
	  "with `xengnttab_map_grant_ref_notify` (event only); no event before dom0's unmap, one\n"
	  "within 2 s after it, read by the guest from `/dev/xen/evtchn`. Expected: pass (gntdev.c\n"
	  "`gntdev_put_map`: once the map's last user is gone and its grants are unmapped,\n"
	  "`notify_remote_via_evtchn` for `UNMAP_NOTIFY_SEND_EVENT`). The granter's own notify (gntalloc) is `gntalloc/notify-seen-by-dom0`.",
	  unmap_notify_event, "reverse/dom0-maps-guest-grants" },
	{ "reverse/xen-no-mapping-after-unmap",
	  "Checks: Xen lists none of the 4 refs as mapped after dom0's unmap. Expected: 0.",
	  xen_none_after, "reverse/dom0-unmap" },
	{ "reverse/guest-revokes",
	  "Checks: the guest's `xengntshr_unshare` succeeds once dom0 unmapped. Expected: pass.",
	  guest_revokes, "reverse/guest-grants-to-dom0" },
};
const struct scenario scen_reverse = SCENARIO("reverse", SCEN_BY_NAME, "boot/guest-agent-ready",
					      reverse, NULL, cleanup);
