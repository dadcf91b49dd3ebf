// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's kernel gntalloc as the subject (issue #11 item 4): the guest
 * grants with raw /dev/xen/gntalloc ioctls and with libxengnttab's xengntshr,
 * dom0 maps with its kernel gntdev, the guest revokes while dom0 still maps,
 * and Xen's own grant dump judges who maps what. The code paths named in the
 * descriptions are Linux 6.1's drivers/xen/gntalloc.c and grant-table.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "markers_out.h"
#include "scenarios.h"
#include "xen_grants.h"
#include "xs_wait.h"

#include <xenevtchn.h>

#define NS 4			/* slots: sets of pages the guest grants */
#define MAXP 8
#define NOTIFY_SLOT 3		/* raw, 1 page, unmap notify armed */
#define NOTIFY_OFF 100u
#define GTF_PERMIT_ACCESS 1u	/* xen/include/public/grant_table.h */
#define GTF_READING 8u
#define GTF_WRITING 16u

/* Each slot: how the guest grants it, how many pages, how it revokes it. */
static const struct {
	const char *api, *how;
	unsigned int n;
} slot_def[NS] = {
	{ "raw", "dealloc-munmap", 2 },	/* release at munmap (gntalloc_vma_close) */
	{ "shr", "unshare", 2 },		/* xengntshr_unshare: munmap, vma_close too */
	{ "raw", "close", 1 },			/* release at close (gntalloc_release) */
	{ "raw", "munmap-dealloc", 1 },	/* release in IOCTL_GNTALLOC_DEALLOC_GREF */
};

static struct {
	unsigned int n[NS];
	uint32_t ref[NS][MAXP];
	bool granted[NS];
	xengnttab_handle *gt;
	uint8_t *p[NS];		/* dom0's mapping of slot i */
	xenevtchn_handle *xce;
	evtchn_port_t port;	/* dom0's end of the notify channel */
	long long t_revoke, t_unmap;	/* ms, monotonic */
} ga;

static uint32_t seed_of(int i)
{
	return 0x6a110c00u + (uint32_t)i * 16u;
}

static void grant_slots(struct scen_env *e, struct step_res *r, const char *api)
{
	char text[300];

	for (int i = 0; i < NS; i++) {
		const char *p;
		char *end;

		if (strcmp(slot_def[i].api, api))
			continue;
		int rc = step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GALLOC, "%d %s %u %u",
				    i, api, slot_def[i].n, seed_of(i));

		if (rc == ENOENT && r->v == D0_PASS)	/* no device, no libxengnttab */
			step_error(r, "galloc %d %s: %s", i, api, text);
		if (rc != 0) {
			if (r->v == D0_PASS)
				step_fail(r, "galloc %d %s: %s", i, api, text);
			return;
		}
		p = text + strlen("refs");
		for (ga.n[i] = 0; ga.n[i] < slot_def[i].n; ga.n[i]++) {
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			ga.ref[i][ga.n[i]] = (uint32_t)v;
			p = end;
		}
		if (!step_check(r, strncmp(text, "refs", 4) == 0 && ga.n[i] == slot_def[i].n,
				"galloc %d: '%s' is not %u refs", i, text, slot_def[i].n))
			return;
		ga.granted[i] = true;
	}
}

static void grants_raw(struct scen_env *e, struct step_res *r)
{
	grant_slots(e, r, "raw");
}

static void grants_shr(struct scen_env *e, struct step_res *r)
{
	grant_slots(e, r, "shr");
}

static void dom0_maps(struct scen_env *e, struct step_res *r)
{
	ga.gt = xengnttab_open(NULL, 0);
	if (!ga.gt) {
		step_error(r, "xengnttab_open: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < NS; i++) {
		ga.p[i] = xengnttab_map_domain_grant_refs(ga.gt, ga.n[i], e->domid, ga.ref[i],
							  PROT_READ | PROT_WRITE);
		if (!step_check(r, ga.p[i] != NULL, "map of slot %d (%s, %u refs): %s", i,
				slot_def[i].api, ga.n[i], strerror(errno)))
			return;
	}
}

/* Does every page of every slot still hold the guest's pattern in [0, len)? */
static void check_pattern(struct step_res *r, size_t len)
{
	for (int i = 0; i < NS; i++)
		for (uint32_t k = 0; k < ga.n[i]; k++)
			if (gntlab_pattern_check(ga.p[i] + (size_t)k * GNTLAB_PAGE_SIZE, seed_of(i), k,
						 0, len) >= 0) {
				step_fail(r, "dom0 reads something else than the guest's pattern: "
					  "slot %d page %u", i, k);
				return;
			}
}

static void pattern_in_dom0(struct scen_env *e, struct step_res *r)
{
	(void)e;
	check_pattern(r, GNTLAB_PAGE_SIZE);
}

/*
 * Xen's view of the guest's refs: how many are mapped by d0, and how many
 * of those have a shared entry still permitting access.
 */
static int xen_view(struct scen_env *e, struct step_res *r, size_t *mapped, size_t *permitted,
		    unsigned int *flags0)
{
	static struct xen_grant_dump d;
	char err[256] = "";

	*mapped = *permitted = 0;
	if (xen_grant_snapshot(e->xc, &d, err, sizeof(err))) {
		step_error(r, "%s", err);
		return -1;
	}
	for (size_t k = 0; k < d.count; k++) {
		const struct xen_active_grant *g = &d.entry[k];

		if (g->granter != e->domid || g->mapper != 0)
			continue;
		for (int i = 0; i < NS; i++)
			for (uint32_t j = 0; j < ga.n[i]; j++)
				if (g->ref == ga.ref[i][j]) {
					(*mapped)++;
					if (g->flags & GTF_PERMIT_ACCESS)
						(*permitted)++;
					if (i == 0 && j == 0)
						*flags0 = g->flags;
				}
	}
	return 0;
}

static unsigned int nrefs(void)
{
	unsigned int t = 0;

	for (int i = 0; i < NS; i++)
		t += ga.n[i];
	return t;
}

static void xen_lists(struct scen_env *e, struct step_res *r)
{
	size_t m, p;
	unsigned int f = 0;

	if (xen_view(e, r, &m, &p, &f))
		return;
	step_check(r, m == nrefs() && p == m,
		   "Xen lists %zu of the guest's %u refs mapped by d0, %zu permitted (flags of the "
		   "first %#x)", m, nrefs(), p, f);
}

static void dom0_write(struct scen_env *e, struct step_res *r)
{
	char text[300];

	for (int i = 0; i < NS; i++) {
		for (uint32_t k = 0; k < ga.n[i]; k++)
			gntlab_pattern_fill(ga.p[i] + (size_t)k * GNTLAB_PAGE_SIZE + 2048,
					    seed_of(i) + 1, k, 2048, 2048);
		if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GCHECK, "%d %u 2048 2048", i,
			       seed_of(i) + 1) != 0 && r->v == D0_PASS) {
			step_fail(r, "slot %d: guest: %s", i, text);
			return;
		}
	}
}

static int peek(struct scen_env *e, struct step_res *r, int slot, unsigned int off)
{
	char text[300];

	if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GPEEK, "%d 0 %u", slot, off))
		return -1;
	return atoi(text);
}

/* Wait up to ms for an event on dom0's notify port; 1 fired, 0 not, -1 error. */
static int event_wait(int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(ga.xce), .events = POLLIN };
	long long end = xs_now_ms() + ms;

	for (;;) {
		long long left = end - xs_now_ms();
		xenevtchn_port_or_error_t port;

		if (poll(&pfd, 1, left > 0 ? (int)left : 0) <= 0)
			return 0;
		port = xenevtchn_pending(ga.xce);
		if (port < 0)
			return -1;
		xenevtchn_unmask(ga.xce, (evtchn_port_t)port);
		if ((evtchn_port_t)port == ga.port)
			return 1;
	}
}

static void notify_armed(struct scen_env *e, struct step_res *r)
{
	char text[300];
	xenevtchn_port_or_error_t port;

	ga.xce = xenevtchn_open(NULL, 0);
	if (!ga.xce) {
		step_error(r, "xenevtchn_open: %s", strerror(errno));
		return;
	}
	port = xenevtchn_bind_unbound_port(ga.xce, e->domid);
	if (port < 0) {
		step_error(r, "xenevtchn_bind_unbound_port(d%u): %s", e->domid, strerror(errno));
		return;
	}
	ga.port = (evtchn_port_t)port;
	if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GNOTIFY, "%d %u %u", NOTIFY_SLOT,
		       NOTIFY_OFF, ga.port) != 0) {
		if (r->v == D0_PASS)
			step_fail(r, "guest: %s", text);
		return;
	}
	event_wait(0);	/* nothing is expected yet; drain a stray one */
	step_check(r, ga.p[NOTIFY_SLOT][NOTIFY_OFF] != 0 &&
			      ga.p[NOTIFY_SLOT][NOTIFY_OFF] ==
				      gntlab_pattern_byte(seed_of(NOTIFY_SLOT), 0, NOTIFY_OFF),
		   "byte %u reads %u in dom0 before any unmap, want the pattern's %u", NOTIFY_OFF,
		   ga.p[NOTIFY_SLOT][NOTIFY_OFF],
		   gntlab_pattern_byte(seed_of(NOTIFY_SLOT), 0, NOTIFY_OFF));
}

static void mapper_unmap_no_notify(struct scen_env *e, struct step_res *r)
{
	uint8_t *q = xengnttab_map_grant_ref(ga.gt, e->domid, ga.ref[NOTIFY_SLOT][0],
					     PROT_READ | PROT_WRITE);
	int err = errno, fired, byte;

	if (!step_check(r, q != NULL, "second map of the notify grant: %s", strerror(err)))
		return;
	xengnttab_unmap(ga.gt, q, 1);
	fired = event_wait(200);
	byte = peek(e, r, NOTIFY_SLOT, NOTIFY_OFF);
	step_check(r, fired == 0 && byte == gntlab_pattern_byte(seed_of(NOTIFY_SLOT), 0, NOTIFY_OFF),
		   "after dom0 unmapped a second mapping: event %d, guest's byte %d (want no event, "
		   "the pattern's %u)", fired, byte,
		   gntlab_pattern_byte(seed_of(NOTIFY_SLOT), 0, NOTIFY_OFF));
}

static void guest_revokes(struct scen_env *e, struct step_res *r)
{
	char text[300];

	for (int i = 0; i < NS; i++) {
		if (step_agent(r, &e->ag, text, sizeof(text), GNTLAB_CMD_GREVOKE, "%d %s", i,
			       slot_def[i].how) != 0) {
			if (r->v == D0_PASS)
				step_fail(r, "slot %d %s: %s", i, slot_def[i].how, text);
			return;
		}
		report_diag("revoke slot %d: %s", i, text);
	}
	ga.t_revoke = xs_now_ms();
}

static void notify_seen(struct scen_env *e, struct step_res *r)
{
	int fired = event_wait(2000);

	(void)e;
	step_check(r, fired == 1 && ga.p[NOTIFY_SLOT][NOTIFY_OFF] == 0,
		   "after the guest's revoke: event %d (want 1), byte %u in dom0's mapping %u "
		   "(want 0)", fired, NOTIFY_OFF, ga.p[NOTIFY_SLOT][NOTIFY_OFF]);
}

static void dom0_still_reads(struct scen_env *e, struct step_res *r)
{
	(void)e;
	/* The first half holds the guest's pattern, byte NOTIFY_OFF of the
	 * notify slot excepted (cleared by the notify). */
	ga.p[NOTIFY_SLOT][NOTIFY_OFF] = gntlab_pattern_byte(seed_of(NOTIFY_SLOT), 0, NOTIFY_OFF);
	check_pattern(r, 2048);
	for (int i = 0; i < NS && r->v == D0_PASS; i++)
		for (uint32_t k = 0; k < ga.n[i]; k++)
			if (!step_check(r, gntlab_pattern_check(ga.p[i] + (size_t)k * GNTLAB_PAGE_SIZE +
									2048, seed_of(i) + 1, k, 2048,
								2048) < 0,
					"slot %d page %u: dom0's own reply is gone", i, k))
				return;
}

static void xen_still_lists(struct scen_env *e, struct step_res *r)
{
	size_t m, p;
	unsigned int f = 0;

	if (xen_view(e, r, &m, &p, &f))
		return;
	report_diag("after the revoke: shared-entry flags of the first ref %#x", f);
	step_check(r, m == nrefs() && p == m,
		   "after the guest's revoke Xen lists %zu of %u refs mapped by d0, %zu with "
		   "GTF_permit_access (flags of the first %#x)", m, nrefs(), p, f);
}

/* The guest kernel's account of a slot: "deferred D freed F pending P leaked L ...". */
static int kstate(struct scen_env *e, struct step_res *r, int slot, int ms, unsigned int v[4],
		  char *text, size_t len)
{
	int rc = step_agent(r, &e->ag, text, len, GNTLAB_CMD_GKMSG, "%d %d", slot, ms);

	if (rc == ENOTSUP) {
		step_skip(r, "guest: %s", text);
		return -1;
	}
	if (rc) {
		if (r->v == D0_PASS)
			step_error(r, "gkmsg %d: %s", slot, text);
		return -1;
	}
	if (sscanf(text, "deferred %u freed %u pending %u leaked %u", &v[0], &v[1], &v[2], &v[3]) !=
	    4) {
		step_error(r, "gkmsg %d: unreadable answer '%s'", slot, text);
		return -1;
	}
	return 0;
}

static void guest_defers(struct scen_env *e, struct step_res *r)
{
	char text[300];
	unsigned int v[4];

	for (int i = 0; i < NS; i++) {
		if (kstate(e, r, i, 0, v, text, sizeof(text)))
			return;
		report_diag("guest kernel, slot %d: %s", i, text);
		if (!step_check(r, v[0] == ga.n[i] && v[1] == 0 && v[3] == 0,
				"slot %d (%s): %s; want every ref deferred, none freed or leaked", i,
				slot_def[i].how, text))
			return;
	}
}

static void remap_during_deferral(struct scen_env *e, struct step_res *r)
{
	uint8_t *q = xengnttab_map_grant_ref(ga.gt, e->domid, ga.ref[2][0], PROT_READ);
	int err = errno;

	if (!step_check(r, q != NULL, "mapping the revoked, still deferred ref %u again: %s",
			ga.ref[2][0], strerror(err)))
		return;
	step_check(r, gntlab_pattern_check(q, seed_of(2), 0, 0, 2048) < 0,
		   "the new mapping does not show the guest's pattern");
	xengnttab_unmap(ga.gt, q, 1);
}

static void dom0_unmaps(struct scen_env *e, struct step_res *r)
{
	(void)e;
	for (int i = 0; i < NS; i++) {
		int rc = ga.p[i] ? xengnttab_unmap(ga.gt, ga.p[i], ga.n[i]) : 0;

		ga.p[i] = NULL;
		step_check(r, rc == 0, "xengnttab_unmap of slot %d: %s", i, strerror(errno));
	}
	ga.t_unmap = xs_now_ms();
}

static void xen_none_after(struct scen_env *e, struct step_res *r)
{
	size_t m, p;
	unsigned int f = 0;

	if (xen_view(e, r, &m, &p, &f))
		return;
	step_check(r, m == 0, "Xen still lists %zu of the guest's refs mapped by d0", m);
}

static void free_completes(struct scen_env *e, struct step_res *r)
{
	char text[300];
	unsigned int v[4];

	for (int i = 0; i < NS; i++) {
		if (kstate(e, r, i, 5000, v, text, sizeof(text)))
			return;
		report_diag("guest kernel, slot %d: %s (%lld ms after dom0's unmap, %lld ms "
			    "after the revoke)", i, text, xs_now_ms() - ga.t_unmap,
			     xs_now_ms() - ga.t_revoke);
		if (!step_check(r, v[1] == ga.n[i] && v[2] == 0 && v[3] == 0,
				"slot %d (%s): %s; want every ref freed, none pending or leaked", i,
				slot_def[i].how, text))
			return;
	}
}

static void ended_refused(struct scen_env *e, struct step_res *r)
{
	for (int i = 0; i < NS; i++)
		for (uint32_t k = 0; k < ga.n[i]; k++) {
			uint8_t *q = xengnttab_map_grant_ref(ga.gt, e->domid, ga.ref[i][k], PROT_READ);

			if (q)
				xengnttab_unmap(ga.gt, q, 1);
			if (!step_check(r, q == NULL, "slot %d ref %u still mappable after the "
					"deferred free", i, ga.ref[i][k]))
				return;
		}
}

static void cleanup(struct scen_env *e)
{
	(void)e;
	for (int i = 0; i < NS; i++)
		if (ga.p[i])
			xengnttab_unmap(ga.gt, ga.p[i], ga.n[i]);
	if (ga.gt)
		xengnttab_close(ga.gt);
	if (ga.xce)
		xenevtchn_close(ga.xce);
	memset(&ga, 0, sizeof(ga));
}

#define G "gntalloc/"
#define MAPPED G "dom0-maps"
#define REVOKED G "guest-revokes-while-mapped"
#define UNMAPPED G "dom0-unmaps"

static const struct step gntalloc[] = {
	{ G "guest-grants-raw",
	  "Checks: the guest grants dom0 three sets of writable pages (2, 1 and 1 pages) through\n"
	  "raw `/dev/xen/gntalloc` ioctls: `IOCTL_GNTALLOC_ALLOC_GREF` (one fd per set), `mmap` of\n"
	  "the returned index, and fills them with a pattern. Expected: pass (gntalloc.c\n"
	  "`gntalloc_ioctl_alloc` -> `add_grefs` -> `gnttab_grant_foreign_access`; `gntalloc_mmap`\n"
	  "-> `vm_insert_page`).", grants_raw, NULL },
	{ G "guest-grants-shr",
	  "Checks: the guest grants 2 writable pages with libxengnttab's sharing API\n"
	  "(`xengntshr_share_pages`, the same ioctls, after which the library drops the fd's\n"
	  "reference at once: only its mapping keeps the grants). Expected: pass.", grants_shr,
	  NULL },
	{ MAPPED,
	  "Checks: dom0 maps every set with its kernel gntdev (`xengnttab_map_domain_grant_refs`,\n"
	  "read-write). Expected: pass. (Not with a dom0 instance of our module: it is a guest-side\n"
	  "PV mapper, built and tested on the guest's `find_special_page` path; a dom0 backend maps\n"
	  "through the kernel's gntdev, which is what this suite drives.)", dom0_maps, G "guest-grants-raw," G "guest-grants-shr" },
	{ G "pattern-intact-in-dom0",
	  "Checks: dom0 reads the guest's pattern in every page of every set. Expected: pass.",
	  pattern_in_dom0, MAPPED },
	{ G "xen-lists-dom0-mapping",
	  "Checks: Xen's own grant dump (debug key `g`) lists each of the guest's 6 refs as mapped\n"
	  "by d0, with `GTF_permit_access` in the guest's shared entry. Expected: 6 of 6.",
	  xen_lists, MAPPED },
	{ G "dom0-write-seen-by-guest",
	  "Checks: dom0 writes pattern(seed+1) into the second half of every page; the guest reads\n"
	  "it through its own gntalloc (or xengntshr) mapping. Expected: pass.", dom0_write,
	  MAPPED },
	{ G "notify-armed",
	  "Checks: the guest arms `IOCTL_GNTALLOC_SET_UNMAP_NOTIFY` on its 1-page raw set: clear\n"
	  "byte 100 and signal an event channel it bound (`IOCTL_EVTCHN_BIND_INTERDOMAIN`) to an\n"
	  "unbound port of dom0's. Expected: pass, and dom0 still reads the pattern at byte 100.",
	  notify_armed, MAPPED },
	{ G "notify-not-fired-by-mapper-unmap",
	  "Checks: dom0 maps the notify grant a second time and unmaps it; no event arrives in\n"
	  "200 ms and the guest's byte 100 keeps the pattern. Expected: pass. Why: gntalloc's\n"
	  "notification is the *granter's*: `__del_gref` clears the byte and sends the event when\n"
	  "the guest's last local user of the grant goes (gntalloc.c), never on a mapper's\n"
	  "unmap; the mapper's own notify (gntdev, `xengnttab_map_grant_ref_notify`) is\n"
	  "`reverse/unmap-notify-clears-guest-byte`.", mapper_unmap_no_notify, G "notify-armed" },
	{ REVOKED,
	  "Checks: with dom0 still mapping all sets, the guest ends them four ways: raw\n"
	  "`IOCTL_GNTALLOC_DEALLOC_GREF` then `munmap` (the munmap releases: `gntalloc_vma_close`);\n"
	  "`xengntshr_unshare` (its munmap releases); `munmap` + `close` without the ioctl\n"
	  "(`gntalloc_release`); `munmap` then the ioctl (`gntalloc_ioctl_dealloc` releases).\n"
	  "Expected: every call succeeds at once: each path reaches `__del_gref` ->\n"
	  "`gnttab_end_foreign_access`, which cannot end access while dom0 maps and defers instead\n"
	  "(XSA-396 design, grant-table.c `gnttab_add_deferred`).", guest_revokes, MAPPED },
	{ G "notify-seen-by-dom0",
	  "Checks: after the guest's revoke, dom0 receives the event on its port (<= 2 s) and reads\n"
	  "0 at byte 100 through its still-live mapping. Expected: pass (gntalloc.c `__del_gref`:\n"
	  "clear the byte through the guest's kernel mapping, `notify_remote_via_evtchn`, before\n"
	  "ending foreign access).", notify_seen, REVOKED "," G "notify-armed" },
	{ G "dom0-still-reads-after-revoke",
	  "Checks: dom0's mappings still hold the guest's pattern and dom0's own writes.\n"
	  "Expected: pass: the deferred entry keeps a reference on each page\n"
	  "(`gnttab_add_deferred` takes over gntalloc's page), so the memory dom0 still maps is\n"
	  "not freed or reused.", dom0_still_reads, REVOKED },
	{ G "xen-still-lists-after-revoke",
	  "Checks: Xen's dump still lists all 6 refs mapped by d0, each shared entry still with\n"
	  "`GTF_permit_access`. Expected: 6 of 6. Why: `gnttab_end_foreign_access_ref_v1` leaves the\n"
	  "entry untouched while `GTF_reading|GTF_writing` are set (the guest uses the v1 layout):\n"
	  "the guest's revoke has not reached Xen.", xen_still_lists, REVOKED },
	{ G "guest-defers-free",
	  "Checks: the guest kernel logged `deferring g.e. <ref>` for every revoked ref and\n"
	  "`freeing g.e.` for none (grant-table.c's `pr_debug` lines, turned on by the agent\n"
	  "through dynamic debug). Expected: pass; SKIP without dynamic debug. (`g.e. ... still\n"
	  "pending` would come only after 60 retries of the 1 s timer, `warn_delay = 60`: not\n"
	  "waited for here, and it is a failure pattern of the guest's kernel-log check,\n"
	  "tests/crash_patterns.c.)", guest_defers, REVOKED },
	{ G "remap-during-deferral",
	  "Checks: dom0 maps one revoked, still deferred ref once more (read-only) and sees the\n"
	  "guest's pattern. Expected: pass. Why: the v1 entry still permits access (above), so\n"
	  "until the deferred free a revoked grant stays mappable by its grantee: revocation of a\n"
	  "mapped grant is not possible, only deferral.", remap_during_deferral, REVOKED },
	{ UNMAPPED, "Checks: dom0 unmaps every set (`xengnttab_unmap`). Expected: pass.",
	  dom0_unmaps, MAPPED },
	{ G "xen-none-after-unmap",
	  "Checks: Xen lists none of the guest's refs as mapped after dom0's unmap. Expected: 0.",
	  xen_none_after, UNMAPPED },
	{ G "deferred-free-completes",
	  "Checks: within 5 s of dom0's unmap the guest kernel logs `freeing g.e. <ref>` for every\n"
	  "revoked ref, and no `still pending` or `leaking g.e.` line. Expected: pass, about 1 s\n"
	  "after the unmap (`gnttab_handle_deferred` retries every `HZ`, ends access with a\n"
	  "cmpxchg of the entry's flags to 0, `put_free_entry`, `put_page`). The step's diagnostics\n"
	  "give the time since the unmap and the guest's own deferral span.", free_completes,
	  UNMAPPED "," G "guest-defers-free" },
	{ G "ended-grant-refused",
	  "Checks: dom0 can no longer map any of the 6 refs. Expected: every map refused: the\n"
	  "deferred free cleared each shared entry's flags, so Xen refuses the map (the guest's\n"
	  "entries returned; no leak). A ref the guest's kernel reused meanwhile for another grant\n"
	  "to dom0 would show here as mappable.", ended_refused,
	  UNMAPPED "," G "deferred-free-completes" },
};
const struct scenario scen_gntalloc = SCENARIO("gntalloc", SCEN_BY_NAME, "boot/guest-agent-ready",
					       gntalloc, NULL, cleanup);
