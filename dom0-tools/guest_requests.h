/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0 serving the guest's requests (gntlab_proto.h, req/rsp): the granter
 * that guest test programs ask to share, fill, check and revoke pages, and
 * to report what Xen sees. (Their client is tests/guest/dom0_client.c.)
 * Each verb of gntlab_req_verbs[] has one handler here.
 */
#ifndef GNTLAB_GUEST_REQUESTS_H
#define GNTLAB_GUEST_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "gntlab_proto.h"
#include "req_chan.h"

#define GR_MAX_SHARES 64

struct gr_share {
	bool used;
	uint32_t count;
	uint8_t *addr;		/* dom0's mapping of the shared pages */
	uint32_t *refs;
};

struct guest_requests {
	struct xs_handle *xs;
	xc_interface *xc;
	xengntshr_handle *gs;
	unsigned int domid;	/* the guest served */
	char dir[128];		/* its /local/domain/<id>/data/gntlab */
	uint32_t last_seq;	/* last request executed */
	bool seen_any;
	struct gr_share share[GR_MAX_SHARES];
	unsigned int requests;	/* served so far */
	/* Where dom0's time went (guest_requests_diag): per verb, and xenstore. */
	unsigned int verb_n[GNTLAB_REQ_COUNT];
	long long verb_ns[GNTLAB_REQ_COUNT], xs_ns, polls;
	/* evtchn-* verbs: one interdomain channel to a guest port at a time. */
	xenevtchn_handle *xce;
	evtchn_port_t evtchn_local;	/* 0 = none bound */
	/* The program's request channel (verb `chan`), once it asked for one. */
	struct req_chan chan;
	unsigned int chan_requests;	/* served through it */
};

void guest_requests_init(struct guest_requests *gr, struct xs_handle *xs,
		      xc_interface *xc, xengntshr_handle *gs,
		      unsigned int domid, const char *dir);
/* Execute the pending request, if it is new; returns 1 if one was served. */
int guest_requests_poll(struct guest_requests *gr);
/*
 * The same for the request channel (after the program's `chan` request):
 * consumes its notifications, serves every new request; returns how many.
 */
int guest_requests_poll_chan(struct guest_requests *gr);
/* The fd to poll for the channel's notifications; -1 without a channel. */
int guest_requests_chan_fd(const struct guest_requests *gr);
/* The program ended: unmap its channel, unbind its event channels. */
void guest_requests_end(struct guest_requests *gr);
/* The first verb of gntlab_req_verbs[] without a handler, or NULL. */
const char *guest_requests_unserved(void);
/* One GNTLAB-DIAG line: requests and dom0's time per verb, xenstore's. */
void guest_requests_diag(const struct guest_requests *gr);
/* Revoke every share still open; returns how many were left. */
unsigned int guest_requests_release_all(struct guest_requests *gr);

#endif
