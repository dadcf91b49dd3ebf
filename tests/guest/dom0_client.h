/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's client of dom0: what a guest test can ask dom0, the granter,
 * to do (the req/rsp channel of dom0-tools/gntlab_proto.h, served by
 * dom0-tools/guest_requests.c). Safe to call from a forked test child: each
 * process opens its own xenstore connection.
 *
 * A transport failure (xenstore error, dom0 not answering in time) returns
 * -1 and, inside a harness test, ends that test as ERROR (th_error_hook):
 * the environment broke, not the code under test.
 */
#ifndef GNTLAB_DOM0_CLIENT_H
#define GNTLAB_DOM0_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gntlab_proto.h"

struct dom0_share {
	uint32_t id;
	uint32_t domid;		/* the granter (0) */
	uint32_t count;
	uint32_t seed;
	bool writable;
	uint32_t ref[GNTLAB_PROTO_MAX_REFS];
};

/*
 * Send one request (a verb of gntlab_req_verbs[], fmt its arguments);
 * returns dom0's rc (0 ok), or -1 if dom0 did not answer in time or
 * xenstore failed. `text` (may be NULL) gets dom0's message.
 */
int dom0_request(enum gntlab_req_id verb, char *text, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with the verb spelled out at the start of fmt ("bench %s"). */
int dom0_request_line(char *text, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Move this program's requests from xenstore to a page granted to dom0 and
 * an event channel (verb `chan`, docs/protocol.md), for this process and
 * the children it forks later. 0, or -1 with what failed in `why` (the
 * requests then keep going through xenstore).
 */
int dom0_channel_open(char *why, size_t len);

/* dom0 shares `count` pages filled with pattern(seed); fills `s`. */
int dom0_share(uint32_t count, bool writable, uint32_t seed, struct dom0_share *s);
int dom0_unshare(const struct dom0_share *s);
int dom0_fill(const struct dom0_share *s, uint32_t seed);
/* 0 if dom0's pages hold pattern(seed) in [off, off+len); `why` says where not. */
int dom0_check(const struct dom0_share *s, uint32_t seed, uint32_t off,
	       uint32_t len, char *why, size_t whylen);
/* How many of the share's refs Xen lists as mapped; -1 on error. */
long dom0_active(const struct dom0_share *s);
/* dom0's PFN of page `page` and the MFN in Xen's grant entry (0 if unmapped). */
int dom0_frames(const struct dom0_share *s, uint32_t page, uint64_t *pfn,
		uint64_t *mfn);
/* Value (0..255) of byte `off` of page `page` in dom0's pages; -1 on error. */
int dom0_byte(const struct dom0_share *s, uint32_t page, uint32_t off);
/*
 * dom0 binds an interdomain channel to our port `guest_port` (replacing any)
 * and consumes the event Xen marks pending at bind; `text` (may be NULL)
 * gets "<dom0 port> drained <0|1>".
 */
int dom0_evtchn_bind(uint32_t guest_port, char *text, size_t len);
struct dom0_evtchn_event {
	int fired;		/* the event arrived within the timeout */
	int byte;		/* byte observed when it arrived, -1 if not asked */
	long active;		/* refs of the share Xen listed mapped then, -1 if not */
	long waited_ms;
};
/*
 * dom0 waits (<= timeout_ms) for the event; when it arrives, it first reads
 * byte (page, off) of `s` (if s is not NULL) and Xen's count of mapped refs.
 */
int dom0_evtchn_wait(int timeout_ms, const struct dom0_share *s, uint32_t page,
		     uint32_t off, struct dom0_evtchn_event *ev);
int dom0_evtchn_close(void);
/* Revoke leftovers; 0 if Xen lists nothing of dom0's mapped by us. */
int dom0_leakcheck(char *why, size_t len);
/*
 * Report to the serial console through dom0. diag and result (also through
 * dom0_report()) do not wait for dom0's answer: they return 0 at once, and
 * the next request, or dom0_settle(), or the program's exit, waits for it.
 */
int dom0_settle(void);
int dom0_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dom0_result(const char *verdict, const char *name, const char *reason);
/*
 * A test's log lines (`log`, '\n'-separated, may be NULL) and its result in
 * as few requests as fit (one for most tests): dom0 prints the lines as
 * GNTLAB-DIAG, then the GNTLAB-TAP line. Returns dom0_result()'s value;
 * *requests (may be NULL) gets the number of requests sent.
 */
int dom0_report(const char *verdict, const char *name, const char *reason, const char *log,
		unsigned int *requests);
/* One cell of the behaviour matrix: single-word outcomes (ok, EFAULT, ...). */
int dom0_matrix(const char *row, const char *col, const char *expected,
		const char *observed);

#endif /* GNTLAB_DOM0_CLIENT_H */
