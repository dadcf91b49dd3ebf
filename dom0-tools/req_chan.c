// SPDX-License-Identifier: GPL-2.0
/* dom0's end of the request channel (req_chan.h, docs/protocol.md). */
#include "req_chan.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

void req_chan_close(struct req_chan *c)
{
	if (c->page)
		xengnttab_unmap(c->xgt, c->page, 1);
	if (c->xce && c->local)
		xenevtchn_unbind(c->xce, c->local);
	if (c->xce)
		xenevtchn_close(c->xce);
	if (c->xgt)
		xengnttab_close(c->xgt);
	memset(c, 0, sizeof(*c));
}

int req_chan_open(struct req_chan *c, unsigned int domid, uint32_t ref, uint32_t port,
		  char *text, size_t len)
{
	xenevtchn_port_or_error_t local;
	int err;

	req_chan_close(c);
	c->xgt = xengnttab_open(NULL, 0);
	if (!c->xgt) {
		err = errno;
		snprintf(text, len, "chan: xengnttab_open: %s", strerror(err));
		goto fail;
	}
	c->page = xengnttab_map_grant_ref(c->xgt, domid, ref, PROT_READ | PROT_WRITE);
	if (!c->page) {
		err = errno;
		snprintf(text, len, "chan: xengnttab_map_grant_ref(d%u, ref %u): %s", domid, ref,
			 strerror(err));
		goto fail;
	}
	if (__atomic_load_n(&c->page->magic, __ATOMIC_ACQUIRE) != GNTLAB_CHAN_MAGIC) {
		err = EPROTO;
		snprintf(text, len, "chan: page of ref %u has magic 0x%x, not 0x%x", ref,
			 c->page->magic, GNTLAB_CHAN_MAGIC);
		goto fail;
	}
	c->xce = xenevtchn_open(NULL, 0);
	if (!c->xce) {
		err = errno;
		snprintf(text, len, "chan: xenevtchn_open: %s", strerror(err));
		goto fail;
	}
	local = xenevtchn_bind_interdomain(c->xce, domid, port);
	if (local < 0) {
		err = errno;
		snprintf(text, len, "chan: xenevtchn_bind_interdomain(d%u, %u): %s", domid, port,
			 strerror(err));
		goto fail;
	}
	c->local = (evtchn_port_t)local;
	/* What the guest may have left there: only later requests are new. */
	c->last_seq = __atomic_load_n(&c->page->req_seq, __ATOMIC_ACQUIRE);
	snprintf(text, len, "%d", local);
	return 0;
fail:
	req_chan_close(c);
	return err ? err : EIO;
}

int req_chan_fd(const struct req_chan *c)
{
	return c->page && c->xce ? xenevtchn_fd(c->xce) : -1;
}

void req_chan_events(struct req_chan *c)
{
	if (!c->xce)
		return;
	/* libxenevtchn's fd blocks: read only what poll() says is there. */
	for (;;) {
		struct pollfd pfd = { .fd = xenevtchn_fd(c->xce), .events = POLLIN };
		xenevtchn_port_or_error_t p;

		if (poll(&pfd, 1, 0) <= 0)
			return;
		p = xenevtchn_pending(c->xce);
		if (p < 0)
			return;
		xenevtchn_unmask(c->xce, (evtchn_port_t)p);
		c->events++;
	}
}

int req_chan_take(struct req_chan *c, char *buf, size_t len)
{
	uint32_t seq;
	size_t n = len - 1 < GNTLAB_CHAN_TEXT ? len - 1 : GNTLAB_CHAN_TEXT;

	if (!c->page)
		return 0;
	seq = __atomic_load_n(&c->page->req_seq, __ATOMIC_ACQUIRE);
	if (seq == c->last_seq)
		return 0;
	c->last_seq = seq;
	memcpy(buf, (const char *)c->page->req, n);
	buf[n] = '\0';
	buf[strnlen(buf, n)] = '\0';
	return 1;
}

int req_chan_answer(struct req_chan *c, uint32_t seq, const char *rsp)
{
	if (!c->page)
		return -1;
	snprintf(c->page->rsp, GNTLAB_CHAN_TEXT, "%s", rsp);
	__atomic_store_n(&c->page->rsp_seq, seq, __ATOMIC_RELEASE);
	return xenevtchn_notify(c->xce, c->local);
}
