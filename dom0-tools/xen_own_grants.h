/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's own grant table as Xen keeps it: the shared entries (grant table
 * v1), mapped read-only. While any domain maps a grant of ours, Xen keeps
 * GTF_reading set in the entry's flags (and GTF_writing while a writable
 * mapping exists); it sets them when the first mapping pins the entry and
 * clears them when the last one goes (xen/common/grant_table.c). So "which of
 * dom0's grants are mapped now" is a read of memory Xen writes, where the
 * 'g' dump (xen_grants.h) costs a debug key and a few KB of console text.
 * The dump stays the source of the details (frames, pins, who maps) and the
 * second opinion when this finds something.
 */
#ifndef GNTLAB_XEN_OWN_GRANTS_H
#define GNTLAB_XEN_OWN_GRANTS_H

#include <stddef.h>
#include <stdint.h>
#include <xenctrl.h>

/*
 * How many of `refs` (grants of dom0) Xen marks as mapped now, into *out.
 * Returns 0, or -1 with `err` set (table not v1, cannot be mapped).
 */
int xen_own_grants_mapped_refs(xc_interface *xc, const uint32_t *refs, size_t n, size_t *out,
			       char *err, size_t errlen);

/* How many grants of dom0 for `domid` Xen marks as mapped now, into *out. */
int xen_own_grants_mapped_for(xc_interface *xc, uint32_t domid, size_t *out, char *err,
			      size_t errlen);

#endif
