/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen's own view of a domain's grant table, read from the hypervisor's
 * 'g' debug-key dump (gnttab_usage_print_all) in the console ring. Xen lists
 * every entry whose active pin count is non-zero, i.e. every grant some
 * domain currently maps. That is the leak check that does not trust Linux.
 */
#ifndef GNTLAB_XEN_GRANTS_H
#define GNTLAB_XEN_GRANTS_H

#include <stddef.h>
#include <stdint.h>

struct xen_active_grant {
	uint32_t granter;	/* domain owning the grant table */
	uint32_t ref;
	uint32_t mapper;	/* act->domid: the domain mapping it */
	uint64_t mfn;
	uint32_t pin;
	uint32_t shared_domid;	/* sha->domid: whom the grant is for */
	uint64_t frame;
	uint32_t flags;		/* GTF_* of the shared entry */
};

struct xen_grant_dump {
	int complete;		/* saw the "] done" line */
	size_t count;
	struct xen_active_grant entry[1024];
};

/*
 * Parse the last complete 'g' dump found in `text` (console ring contents).
 * Returns 0, or -1 if no complete dump is present.
 */
int xen_grant_dump_parse(const char *text, struct xen_grant_dump *out);

/* Number of active entries of `granter` matching `ref` (any mapper). */
size_t xen_grant_dump_count(const struct xen_grant_dump *d, uint32_t granter,
			    uint32_t ref);

/*
 * How many of `refs` of `granter` are active, mapped by `mapper` (-1: by
 * anyone). Counting by ref leaves out the toolstack's own grant mappings
 * (a guest's console and xenstore pages, mapped by dom0).
 */
size_t xen_grant_dump_count_refs(const struct xen_grant_dump *d, uint32_t granter,
				 long mapper, const uint32_t *refs, size_t n);


#include <xenctrl.h>

/*
 * Ask Xen for a fresh 'g' dump (xc_send_debug_keys) and parse it from the
 * console ring (xc_readconsolering). Returns 0, or -1 with `err` set.
 */
int xen_grant_snapshot(xc_interface *xc, struct xen_grant_dump *out,
		       char *err, size_t errlen);

#endif
