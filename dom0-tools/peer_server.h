/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's side of the request channel (gntlab_proto.h, req/rsp): the granter
 * that guest tests ask to share, fill, check and revoke pages, and to report
 * what Xen sees.
 */
#ifndef GNTLAB_PEER_SERVER_H
#define GNTLAB_PEER_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define PEER_MAX_SHARES 64

struct peer_share_rec {
	bool used;
	uint32_t count;
	uint8_t *addr;		/* dom0's mapping of the shared pages */
	uint32_t *refs;
};

struct peer_server {
	struct xs_handle *xs;
	xc_interface *xc;
	xengntshr_handle *gs;
	unsigned int domid;	/* the guest served */
	char dir[128];		/* its /local/domain/<id>/data/gntlab */
	uint32_t last_seq;	/* last request executed */
	bool seen_any;
	struct peer_share_rec share[PEER_MAX_SHARES];
	unsigned int requests;	/* served so far */
	/* evtchn-* verbs: one interdomain channel to a guest port at a time. */
	xenevtchn_handle *xce;
	evtchn_port_t evtchn_local;	/* 0 = none bound */
};

void peer_server_init(struct peer_server *ps, struct xs_handle *xs,
		      xc_interface *xc, xengntshr_handle *gs,
		      unsigned int domid, const char *dir);
/* Execute the pending request, if it is new; returns 1 if one was served. */
int peer_server_poll(struct peer_server *ps);
/* Revoke every share still open; returns how many were left. */
unsigned int peer_server_release_all(struct peer_server *ps);

#endif
