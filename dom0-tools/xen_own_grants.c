// SPDX-License-Identifier: GPL-2.0
/* dom0's own grant entries, mapped read-only (xen_own_grants.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "xen_own_grants.h"

#define ENTRIES_PER_FRAME (XC_PAGE_SIZE / sizeof(grant_entry_v1_t))

static volatile grant_entry_v1_t *tab;
static size_t tab_entries;
static uint32_t tab_frames;

/*
 * Map (again, if Xen grew the table since) dom0's shared grant frames: the
 * frames GNTTABOP_setup_table names for DOMID_SELF, mapped through privcmd
 * with DOMID_SELF as owner (Xen refuses dom0's own id as a "foreign" one).
 */
static int own_table(xc_interface *xc, char *err, size_t len)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	grant_entry_v1_t *t;
	int n = 0, v;

	if (xc_gnttab_query_size(xc, &q) || q.status != GNTST_okay) {
		snprintf(err, len, "GNTTABOP_query_size(DOMID_SELF): %s (status %d)",
			 strerror(errno), q.status);
		return -1;
	}
	if (tab && q.nr_frames == tab_frames)
		return 0;
	v = xc_gnttab_get_version(xc, DOMID_SELF);
	if (v != 1) {
		snprintf(err, len, "dom0's grant table is version %d, not 1", v);
		return -1;
	}
	if (tab)
		munmap((void *)tab, tab_frames * XC_PAGE_SIZE);
	tab = NULL;
	t = xc_gnttab_map_table_v1(xc, DOMID_SELF, &n);
	if (!t || n <= 0) {
		snprintf(err, len, "xc_gnttab_map_table_v1(DOMID_SELF): %s", strerror(errno));
		return -1;
	}
	tab = t;
	tab_entries = (size_t)n;
	tab_frames = (uint32_t)(tab_entries / ENTRIES_PER_FRAME);
	return 0;
}

static int mapped(size_t ref)
{
	uint16_t f = tab[ref].flags;

	return (f & GTF_type_mask) == GTF_permit_access && (f & (GTF_reading | GTF_writing));
}

int xen_own_grants_mapped_refs(xc_interface *xc, const uint32_t *refs, size_t n, size_t *out,
			       char *err, size_t errlen)
{
	size_t count = 0;

	if (own_table(xc, err, errlen))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (refs[i] >= tab_entries) {
			snprintf(err, errlen, "ref %u is beyond dom0's %zu grant entries", refs[i],
				 tab_entries);
			return -1;
		}
		if (mapped(refs[i]))
			count++;
	}
	*out = count;
	return 0;
}

int xen_own_grants_mapped_for(xc_interface *xc, uint32_t domid, size_t *out, char *err,
			      size_t errlen)
{
	size_t count = 0;

	if (own_table(xc, err, errlen))
		return -1;
	for (size_t i = 0; i < tab_entries; i++)
		if (tab[i].domid == domid && mapped(i))
			count++;
	*out = count;
	return 0;
}
