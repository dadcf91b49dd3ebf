// SPDX-License-Identifier: GPL-2.0
#include "peer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "xs_wait.h"

#define PEER_TIMEOUT_MS (60 * 1000)

static struct xs_handle *xs;
static pid_t xs_pid;
static uint32_t counter;
static bool rsp_watched;

/*
 * One connection per process: a forked child must not share its parent's.
 * Each keeps a watch on the response path for its lifetime, so a request
 * costs a write and a read instead of also a watch and an unwatch (four
 * xenstore round trips to dom0 instead of six or more, under emulation).
 */
static struct xs_handle *conn(void)
{
	if (xs && xs_pid == getpid())
		return xs;
	xs = xs_open(0);
	xs_pid = getpid();
	counter = 0;
	rsp_watched = xs && xs_watch(xs, GNTLAB_XS_DIR "/" GNTLAB_XS_RSP, "rsp");
	return xs;
}

static bool rsp_matches(const char *val, void *arg)
{
	struct gntlab_ack a;

	return !gntlab_ack_parse(val, &a) && a.seq == *(uint32_t *)arg;
}

int peer_request(char *text, size_t len, const char *fmt, ...)
{
	char req[1100], body[1000];
	struct gntlab_ack a;
	struct xs_handle *h = conn();
	uint32_t seq;
	va_list ap;
	char *v;

	if (!h)
		return -1;
	/* Unique across the forked test children of one run. */
	seq = ((uint32_t)getpid() << 12) | (++counter & 0xfff);
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(req, sizeof(req), "%u %s", seq, body);
	if (!xs_write(h, XBT_NULL, GNTLAB_XS_DIR "/" GNTLAB_XS_REQ, req, strlen(req))) {
		if (text)
			snprintf(text, len, "xs_write(req): %s", strerror(errno));
		return -1;
	}
	v = (rsp_watched ? xs_wait_watched : xs_wait_for)(h, GNTLAB_XS_DIR "/" GNTLAB_XS_RSP,
							 PEER_TIMEOUT_MS, rsp_matches, &seq);
	if (!v) {
		if (text)
			snprintf(text, len, "dom0 did not answer '%.60s' in %d s",
				 body, PEER_TIMEOUT_MS / 1000);
		return -1;
	}
	gntlab_ack_parse(v, &a);
	free(v);
	if (text)
		snprintf(text, len, "%s", a.text);
	return a.rc;
}

int peer_share(uint32_t count, bool writable, uint32_t seed, struct peer_share *s)
{
	char text[256], path[96];
	unsigned int id, chunks;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = peer_request(text, sizeof(text), "share %u %s %u", count,
			  writable ? "rw" : "ro", seed);
	if (rc)
		return rc;
	if (sscanf(text, "%u %u", &id, &chunks) != 2)
		return -1;
	s->id = id;
	s->seed = seed;
	s->writable = writable;
	for (unsigned int k = 0; k < chunks; k++) {
		static struct gntlab_refs r;
		unsigned int len;
		char *v;

		snprintf(path, sizeof(path), GNTLAB_XS_DIR "/" GNTLAB_XS_SHARE "/%u/%u", id, k);
		v = xs_read(conn(), XBT_NULL, path, &len);
		if (!v || gntlab_refs_parse(v, &r)) {
			free(v);
			return -1;
		}
		free(v);
		s->domid = r.domid;
		for (uint32_t i = 0; i < r.count && s->count < GNTLAB_PROTO_MAX_REFS; i++)
			s->ref[s->count++] = r.ref[i];
	}
	return s->count == count ? 0 : -1;
}

int peer_unshare(const struct peer_share *s)
{
	return peer_request(NULL, 0, "unshare %u", s->id);
}

int peer_fill(const struct peer_share *s, uint32_t seed)
{
	return peer_request(NULL, 0, "fill %u %u", s->id, seed);
}

int peer_check(const struct peer_share *s, uint32_t seed, uint32_t off,
	       uint32_t len, char *why, size_t whylen)
{
	return peer_request(why, whylen, "check %u %u %u %u", s->id, seed, off, len);
}

long peer_active(const struct peer_share *s)
{
	char text[64];

	if (peer_request(text, sizeof(text), "active %u", s->id))
		return -1;
	return strtol(text, NULL, 10);
}

int peer_frames(const struct peer_share *s, uint32_t page, uint64_t *pfn,
		uint64_t *mfn)
{
	char text[128];
	unsigned long long p, m;

	if (peer_request(text, sizeof(text), "frames %u %u", s->id, page) ||
	    sscanf(text, "%llu %llu", &p, &m) != 2)
		return -1;
	*pfn = p;
	*mfn = m;
	return 0;
}

int peer_byte(const struct peer_share *s, uint32_t page, uint32_t off)
{
	char text[64];

	if (peer_request(text, sizeof(text), "byte %u %u %u", s->id, page, off))
		return -1;
	return (int)strtol(text, NULL, 10);
}

int peer_evtchn_bind(uint32_t guest_port, char *text, size_t len)
{
	return peer_request(text, len, "evtchn-bind %u", guest_port);
}

int peer_evtchn_wait(int timeout_ms, const struct peer_share *s, uint32_t page,
		     uint32_t off, struct peer_evtchn_event *ev)
{
	char text[128];
	int rc;

	if (s)
		rc = peer_request(text, sizeof(text), "evtchn-wait %d %u %u %u",
				  timeout_ms, s->id, page, off);
	else
		rc = peer_request(text, sizeof(text), "evtchn-wait %d", timeout_ms);
	if (rc)
		return rc;
	if (sscanf(text, "fired %d byte %d active %ld waited %ld", &ev->fired,
		   &ev->byte, &ev->active, &ev->waited_ms) != 4)
		return -1;
	return 0;
}

int peer_evtchn_close(void)
{
	return peer_request(NULL, 0, "evtchn-close");
}

int peer_leakcheck(char *why, size_t len)
{
	return peer_request(why, len, "leakcheck");
}

int peer_diag(const char *fmt, ...)
{
	char line[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *c = line; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return peer_request(NULL, 0, "diag %s", line);
}

int peer_result(const char *verdict, const char *name, const char *reason)
{
	char r[800];

	snprintf(r, sizeof(r), "%s", reason ? reason : "");
	for (char *c = r; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return peer_request(NULL, 0, "result %s %s %s", verdict, name, r);
}

int peer_matrix(const char *row, const char *col, const char *expected,
		const char *observed)
{
	return peer_request(NULL, 0, "matrix %s %s %s %s", row, col, expected,
			    observed);
}
