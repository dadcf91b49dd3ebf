/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's end of the request channel (verb `chan`, struct gntlab_chan in
 * gntlab_proto.h): the page a guest program granted, mapped through
 * libxengnttab, and an interdomain event channel to the program's port.
 * guest_requests.c serves what arrives here like a request read from
 * xenstore.
 */
#ifndef GNTLAB_REQ_CHAN_H
#define GNTLAB_REQ_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "gntlab_proto.h"

struct req_chan {
	xengnttab_handle *xgt;
	struct gntlab_chan *page;	/* NULL: no channel */
	xenevtchn_handle *xce;
	evtchn_port_t local;
	uint32_t last_seq;		/* last request taken */
	unsigned int events;		/* notifications received */
};

/*
 * Map ref of guest domid and bind to its port (replacing any channel);
 * 0, or an errno with what failed in text.
 */
int req_chan_open(struct req_chan *c, unsigned int domid, uint32_t ref, uint32_t port,
		  char *text, size_t len);
/* The fd to poll for the guest's notifications; -1 without a channel. */
int req_chan_fd(const struct req_chan *c);
/* Consume pending notifications (unmasking the port). */
void req_chan_events(struct req_chan *c);
/* Copy a new request (one not taken before) into buf; 1 if there was one. */
int req_chan_take(struct req_chan *c, char *buf, size_t len);
/* Write the answer and notify the guest; -1 (errno) if the notify failed. */
int req_chan_answer(struct req_chan *c, uint32_t seq, const char *rsp);
void req_chan_close(struct req_chan *c);

#endif
