// SPDX-License-Identifier: GPL-2.0
/* Xen's 'g' debug key, read back through the console ring (libxenctrl). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xen_grants.h"

int xen_grant_snapshot(xc_interface *xc, struct xen_grant_dump *out,
		       char *err, size_t errlen)
{
	static char ring[1 << 20];
	unsigned int n = sizeof(ring) - 1;
	uint32_t idx = 0;

	if (xc_send_debug_keys(xc, "g")) {
		snprintf(err, errlen, "xc_send_debug_keys(g): %s", strerror(errno));
		return -1;
	}
	if (xc_readconsolering(xc, ring, &n, 0, 0, &idx)) {
		snprintf(err, errlen, "xc_readconsolering: %s", strerror(errno));
		return -1;
	}
	ring[n] = '\0';
	if (xen_grant_dump_parse(ring, out)) {
		snprintf(err, errlen,
			 "no complete 'g' dump in Xen's console ring (%u bytes)", n);
		return -1;
	}
	return 0;
}
