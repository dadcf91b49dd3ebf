/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest test can ask dom0, the granter, to do (the req/rsp channel
 * of dom0-tools/gntlab_proto.h). Safe to call from a forked test child: each
 * process opens its own xenstore connection.
 */
#ifndef GNTLAB_PEER_H
#define GNTLAB_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gntlab_proto.h"

struct peer_share {
	uint32_t id;
	uint32_t domid;		/* the granter (0) */
	uint32_t count;
	uint32_t seed;
	bool writable;
	uint32_t ref[GNTLAB_PROTO_MAX_REFS];
};

/*
 * Send one request; returns dom0's rc (0 ok), or -1 if dom0 did not answer
 * in time or xenstore failed. `text` (may be NULL) gets dom0's message.
 */
int peer_request(char *text, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* dom0 shares `count` pages filled with pattern(seed); fills `s`. */
int peer_share(uint32_t count, bool writable, uint32_t seed, struct peer_share *s);
int peer_unshare(const struct peer_share *s);
int peer_fill(const struct peer_share *s, uint32_t seed);
/* 0 if dom0's pages hold pattern(seed) in [off, off+len); `why` says where not. */
int peer_check(const struct peer_share *s, uint32_t seed, uint32_t off,
	       uint32_t len, char *why, size_t whylen);
/* How many of the share's refs Xen lists as mapped; -1 on error. */
long peer_active(const struct peer_share *s);
/* dom0's PFN of page `page` and the MFN in Xen's grant entry (0 if unmapped). */
int peer_frames(const struct peer_share *s, uint32_t page, uint64_t *pfn,
		uint64_t *mfn);
/* Value (0..255) of byte `off` of page `page` in dom0's pages; -1 on error. */
int peer_byte(const struct peer_share *s, uint32_t page, uint32_t off);
/*
 * dom0 binds an interdomain channel to our port `guest_port` (replacing any)
 * and consumes the event Xen marks pending at bind; `text` (may be NULL)
 * gets "<dom0 port> drained <0|1>".
 */
int peer_evtchn_bind(uint32_t guest_port, char *text, size_t len);
struct peer_evtchn_event {
	int fired;		/* the event arrived within the timeout */
	int byte;		/* byte observed when it arrived, -1 if not asked */
	long active;		/* refs of the share Xen listed mapped then, -1 if not */
	long waited_ms;
};
/*
 * dom0 waits (<= timeout_ms) for the event; when it arrives, it first reads
 * byte (page, off) of `s` (if s is not NULL) and Xen's count of mapped refs.
 */
int peer_evtchn_wait(int timeout_ms, const struct peer_share *s, uint32_t page,
		     uint32_t off, struct peer_evtchn_event *ev);
int peer_evtchn_close(void);
/* Revoke leftovers; 0 if Xen lists nothing of dom0's mapped by us. */
int peer_leakcheck(char *why, size_t len);
/* Report to the serial console through dom0. */
int peer_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int peer_result(const char *verdict, const char *name, const char *reason);
/* One cell of the behaviour matrix: single-word outcomes (ok, EFAULT, ...). */
int peer_matrix(const char *row, const char *col, const char *expected,
		const char *observed);

#endif
