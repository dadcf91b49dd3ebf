// SPDX-License-Identifier: GPL-2.0
#include "peer_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenevtchn.h>

#include "gntlab_proto.h"
#include "report.h"
#include "xen_grants.h"
#include "xs_wait.h"
#include "../tests/markers.h"

void peer_server_init(struct peer_server *ps, struct xs_handle *xs,
		      xc_interface *xc, xengntshr_handle *gs,
		      unsigned int domid, const char *dir)
{
	memset(ps, 0, sizeof(*ps));
	ps->xs = xs;
	ps->xc = xc;
	ps->gs = gs;
	ps->domid = domid;
	snprintf(ps->dir, sizeof(ps->dir), "%s", dir);
}

static int put(struct peer_server *ps, const char *key, const char *val)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", ps->dir, key);
	return xs_write(ps->xs, XBT_NULL, p, val, strlen(val)) ? 0 : -1;
}

static struct peer_share_rec *get_share(struct peer_server *ps, const char *args,
					unsigned int *id, char *text, size_t len)
{
	if (sscanf(args, "%u", id) != 1 || *id >= PEER_MAX_SHARES ||
	    !ps->share[*id].used) {
		snprintf(text, len, "no share '%.32s'", args);
		return NULL;
	}
	return &ps->share[*id];
}

static void release(struct peer_server *ps, unsigned int id)
{
	struct peer_share_rec *s = &ps->share[id];
	char p[192];

	xengntshr_unshare(ps->gs, s->addr, s->count);
	free(s->refs);
	memset(s, 0, sizeof(*s));
	snprintf(p, sizeof(p), "%s/" GNTLAB_XS_SHARE "/%u", ps->dir, id);
	xs_rm(ps->xs, XBT_NULL, p);
}

static int do_share(struct peer_server *ps, const char *args, char *text, size_t len)
{
	unsigned int count, seed, id, chunks;
	char mode[4];
	struct peer_share_rec *s = NULL;
	static struct gntlab_refs r;
	static char val[4096];

	if (sscanf(args, "%u %3s %u", &count, mode, &seed) != 3 || count == 0 ||
	    count > GNTLAB_PROTO_MAX_REFS || (strcmp(mode, "rw") && strcmp(mode, "ro"))) {
		snprintf(text, len, "usage: share <1..%u> <rw|ro> <seed>", GNTLAB_PROTO_MAX_REFS);
		return EINVAL;
	}
	for (id = 0; id < PEER_MAX_SHARES; id++)
		if (!ps->share[id].used) {
			s = &ps->share[id];
			break;
		}
	if (!s) {
		snprintf(text, len, "too many shares open (%u)", PEER_MAX_SHARES);
		return ENOSPC;
	}
	s->refs = calloc(count, sizeof(*s->refs));
	if (!s->refs)
		return ENOMEM;
	s->addr = xengntshr_share_pages(ps->gs, ps->domid, (int)count, s->refs,
					!strcmp(mode, "rw"));
	if (!s->addr) {
		int err = errno;

		free(s->refs);
		s->refs = NULL;
		snprintf(text, len, "xengntshr_share_pages(d%u, %u): %s", ps->domid,
			 count, strerror(err));
		return err ? err : EIO;
	}
	s->used = true;
	s->count = count;
	for (unsigned int i = 0; i < count; i++)
		gntlab_pattern_fill(s->addr + (size_t)i * GNTLAB_PAGE_SIZE, seed, i, 0,
				    GNTLAB_PAGE_SIZE);
	chunks = (count + GNTLAB_REFS_PER_CHUNK - 1) / GNTLAB_REFS_PER_CHUNK;
	for (unsigned int k = 0; k < chunks; k++) {
		char key[64];

		r.domid = 0;
		r.count = 0;
		for (unsigned int i = k * GNTLAB_REFS_PER_CHUNK;
		     i < count && r.count < GNTLAB_REFS_PER_CHUNK; i++)
			r.ref[r.count++] = s->refs[i];
		gntlab_refs_format(&r, val, sizeof(val));
		snprintf(key, sizeof(key), GNTLAB_XS_SHARE "/%u/%u", id, k);
		if (put(ps, key, val)) {
			snprintf(text, len, "xs_write(%s): %s", key, strerror(errno));
			release(ps, id);
			return EIO;
		}
	}
	snprintf(text, len, "%u %u", id, chunks);
	return 0;
}

static int do_check(struct peer_server *ps, const char *args, char *text, size_t len)
{
	unsigned int id, seed, off, n;
	struct peer_share_rec *s = get_share(ps, args, &id, text, len);

	if (!s)
		return ENOENT;
	if (sscanf(args, "%*u %u %u %u", &seed, &off, &n) != 3 ||
	    off > GNTLAB_PAGE_SIZE || n > GNTLAB_PAGE_SIZE - off) {
		snprintf(text, len, "usage: check <id> <seed> <off> <len>");
		return EINVAL;
	}
	for (unsigned int i = 0; i < s->count; i++) {
		const uint8_t *p = s->addr + (size_t)i * GNTLAB_PAGE_SIZE + off;
		long bad = gntlab_pattern_check(p, seed, i, off, n);

		if (bad >= 0) {
			snprintf(text, len, "page %u (ref %u) offset %ld: 0x%02x, want 0x%02x",
				 i, s->refs[i], off + bad, p[bad],
				 gntlab_pattern_byte(seed, i, off + (uint32_t)bad));
			return 1;
		}
	}
	snprintf(text, len, "intact");
	return 0;
}

static int do_fill(struct peer_server *ps, const char *args, char *text, size_t len)
{
	unsigned int id, seed;
	struct peer_share_rec *s = get_share(ps, args, &id, text, len);

	if (!s)
		return ENOENT;
	if (sscanf(args, "%*u %u", &seed) != 1) {
		snprintf(text, len, "usage: fill <id> <seed>");
		return EINVAL;
	}
	for (unsigned int i = 0; i < s->count; i++)
		gntlab_pattern_fill(s->addr + (size_t)i * GNTLAB_PAGE_SIZE, seed, i, 0,
				    GNTLAB_PAGE_SIZE);
	return 0;
}

static int do_active(struct peer_server *ps, const char *args, char *text, size_t len)
{
	static struct xen_grant_dump d;
	unsigned int id;
	size_t n = 0;
	struct peer_share_rec *s = get_share(ps, args, &id, text, len);

	if (!s)
		return ENOENT;
	if (xen_grant_snapshot(ps->xc, &d, text, len))
		return EIO;
	n = xen_grant_dump_count_refs(&d, 0, -1, s->refs, s->count);
	snprintf(text, len, "%zu", n);
	return 0;
}

/* dom0's own PFN of a virtual address of ours, from /proc/self/pagemap. */
static int own_pfn(const void *va, uint64_t *pfn)
{
	uint64_t e;
	off_t off = (off_t)((uintptr_t)va / GNTLAB_PAGE_SIZE) * 8;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &e, sizeof(e), off);
	close(fd);
	if (n != sizeof(e) || !(e & (1ULL << 63)))
		return -1;
	*pfn = e & ((1ULL << 55) - 1);
	return 0;
}

static int do_frames(struct peer_server *ps, const char *args, char *text, size_t len)
{
	static struct xen_grant_dump d;
	unsigned int id, page;
	uint64_t pfn = 0, mfn = 0;
	struct peer_share_rec *s = get_share(ps, args, &id, text, len);

	if (!s)
		return ENOENT;
	if (sscanf(args, "%*u %u", &page) != 1 || page >= s->count) {
		snprintf(text, len, "usage: frames <id> <page < %u>", s->count);
		return EINVAL;
	}
	if (own_pfn(s->addr + (size_t)page * GNTLAB_PAGE_SIZE, &pfn)) {
		snprintf(text, len, "/proc/self/pagemap: no PFN for page %u", page);
		return EIO;
	}
	if (xen_grant_snapshot(ps->xc, &d, text, len))
		return EIO;
	for (size_t i = 0; i < d.count; i++)
		if (d.entry[i].granter == 0 && d.entry[i].ref == s->refs[page])
			mfn = d.entry[i].frame;
	snprintf(text, len, "%llu %llu", (unsigned long long)pfn,
		 (unsigned long long)mfn);
	return 0;
}

static int do_leakcheck(struct peer_server *ps, char *text, size_t len)
{
	static struct xen_grant_dump d;
	unsigned int left = peer_server_release_all(ps);
	size_t mapped = 0;

	if (xen_grant_snapshot(ps->xc, &d, text, len))
		return EIO;
	for (size_t i = 0; i < d.count; i++)
		if (d.entry[i].granter == 0 && d.entry[i].mapper == ps->domid)
			mapped++;
	if (mapped) {
		snprintf(text, len,
			 "Xen lists %zu grants of d0 still mapped by d%u (%u shares were left open)",
			 mapped, ps->domid, left);
		return 1;
	}
	snprintf(text, len, "clean (%u shares were left open and revoked)", left);
	return 0;
}

static int do_result(const char *args, char *text, size_t len)
{
	char verdict[8], name[128];
	int n = 0;

	if (sscanf(args, "%7s %127s %n", verdict, name, &n) < 2) {
		snprintf(text, len, "usage: result <ok|fail|skip> <name> [reason]");
		return EINVAL;
	}
	report_relayed(true);
	if (!strcmp(verdict, "ok"))
		report_test(true, name, "%s", "");
	else if (!strcmp(verdict, "skip"))
		report_skip(name, "%s", n ? args + n : "no reason given");
	else
		report_test(false, name, "%s", n ? args + n : "no reason given");
	report_relayed(false);
	return 0;
}

/*
 * Unmap notification (tests/guest/suite_teardown.c): read one byte of a
 * share, and receive the guest's unmap-notify event on an interdomain
 * channel bound to a port the guest allocated for us.
 */

/* byte <id> <page> <off>: the byte's value, in decimal. */
static int do_byte(struct peer_server *ps, const char *args, char *text, size_t len)
{
	unsigned int id, page, off;
	struct peer_share_rec *s = get_share(ps, args, &id, text, len);

	if (!s)
		return ENOENT;
	if (sscanf(args, "%*u %u %u", &page, &off) != 2 || page >= s->count ||
	    off >= GNTLAB_PAGE_SIZE) {
		snprintf(text, len, "usage: byte <id> <page < %u> <off < %u>", s->count,
			 GNTLAB_PAGE_SIZE);
		return EINVAL;
	}
	snprintf(text, len, "%u",
		 (unsigned int)*(volatile uint8_t *)(s->addr + (size_t)page * GNTLAB_PAGE_SIZE + off));
	return 0;
}

static void evtchn_close(struct peer_server *ps)
{
	if (ps->xce && ps->evtchn_local)
		xenevtchn_unbind(ps->xce, ps->evtchn_local);
	ps->evtchn_local = 0;
	if (ps->xce)
		xenevtchn_close(ps->xce);
	ps->xce = NULL;
}

/*
 * Wait until `deadline` (xs_now_ms) for an event on the bound port; 1 if it
 * came, 0 on timeout. Our port is left masked so the caller can observe the
 * state at the moment of the event before unmasking; other ports are
 * unmasked at once.
 */
static int evtchn_next(struct peer_server *ps, long long deadline)
{
	long long left;

	while ((left = deadline - xs_now_ms()) >= 0) {
		struct pollfd pfd = { .fd = xenevtchn_fd(ps->xce), .events = POLLIN };
		xenevtchn_port_or_error_t port;

		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		port = xenevtchn_pending(ps->xce);
		if (port < 0)
			continue;
		if ((evtchn_port_t)port == ps->evtchn_local)
			return 1;
		xenevtchn_unmask(ps->xce, (evtchn_port_t)port);
	}
	return 0;
}

/* Wait (<= timeout_ms) for one event on the bound port; 1 if it came. */
static int evtchn_drain_one(struct peer_server *ps, int timeout_ms)
{
	int fired = evtchn_next(ps, xs_now_ms() + timeout_ms);

	if (fired)
		xenevtchn_unmask(ps->xce, ps->evtchn_local);
	return fired;
}

/* evtchn-bind <guest port>: bind to it (replacing any previous binding). */
static int do_evtchn_bind(struct peer_server *ps, const char *args, char *text, size_t len)
{
	unsigned int gport;
	xenevtchn_port_or_error_t local;

	if (sscanf(args, "%u", &gport) != 1 || gport == 0) {
		snprintf(text, len, "usage: evtchn-bind <guest port>");
		return EINVAL;
	}
	evtchn_close(ps);
	ps->xce = xenevtchn_open(NULL, 0);
	if (!ps->xce) {
		snprintf(text, len, "xenevtchn_open: %s", strerror(errno));
		return errno ? errno : EIO;
	}
	local = xenevtchn_bind_interdomain(ps->xce, ps->domid, gport);
	if (local < 0) {
		int err = errno;

		snprintf(text, len, "xenevtchn_bind_interdomain(d%u, %u): %s", ps->domid,
			 gport, strerror(err));
		evtchn_close(ps);
		return err ? err : EIO;
	}
	ps->evtchn_local = (evtchn_port_t)local;
	/*
	 * Xen's evtchn_bind_interdomain() marks the new local port pending
	 * ("we may have lost notifications on the remote unbound port"):
	 * consume that one, so evtchn-wait sees only events sent later.
	 */
	snprintf(text, len, "%d drained %d", local, evtchn_drain_one(ps, 200));
	return 0;
}

/* How many refs of the share Xen lists as mapped now; -1 on error. */
static long share_active(struct peer_server *ps, struct peer_share_rec *s)
{
	static struct xen_grant_dump d;
	char err[128];
	long n = 0;

	if (xen_grant_snapshot(ps->xc, &d, err, sizeof(err)))
		return -1;
	for (unsigned int i = 0; i < s->count; i++)
		n += xen_grant_dump_count(&d, 0, s->refs[i]) ? 1 : 0;
	return n;
}

/*
 * evtchn-wait <timeout_ms> [<id> <page> <off>]: wait for the event on the
 * bound port. As soon as it is seen (before anything else is done), read
 * the share's byte and ask Xen how many of the share's refs are mapped.
 * Reply "fired <0|1> byte <v|-1> active <n|-1> waited <ms>"; rc 0 either way.
 */
static int do_evtchn_wait(struct peer_server *ps, const char *args, char *text, size_t len)
{
	unsigned int timeout_ms, id = 0, page = 0, off = 0;
	struct peer_share_rec *s = NULL;
	long long start = xs_now_ms();
	int fired, byte = -1, n;
	long active = -1;

	n = sscanf(args, "%u %u %u %u", &timeout_ms, &id, &page, &off);
	if (n != 1 && n != 4) {
		snprintf(text, len, "usage: evtchn-wait <timeout_ms> [<id> <page> <off>]");
		return EINVAL;
	}
	if (!ps->xce || !ps->evtchn_local) {
		snprintf(text, len, "no event channel bound (evtchn-bind first)");
		return ENOENT;
	}
	if (n == 4) {
		if (id >= PEER_MAX_SHARES || !ps->share[id].used ||
		    page >= ps->share[id].count || off >= GNTLAB_PAGE_SIZE) {
			snprintf(text, len, "no share %u page %u off %u", id, page, off);
			return EINVAL;
		}
		s = &ps->share[id];
	}
	fired = evtchn_next(ps, start + timeout_ms);
	if (fired) {
		if (s) {
			byte = *(volatile uint8_t *)(s->addr +
						     (size_t)page * GNTLAB_PAGE_SIZE + off);
			active = share_active(ps, s);
		}
		xenevtchn_unmask(ps->xce, ps->evtchn_local);
	}
	snprintf(text, len, "fired %d byte %d active %ld waited %lld", fired, byte, active,
		 xs_now_ms() - start);
	return 0;
}

static int do_evtchn(struct peer_server *ps, const char *verb, const char *args,
		     char *text, size_t len)
{
	if (!strcmp(verb, "byte"))
		return do_byte(ps, args, text, len);
	if (!strcmp(verb, "evtchn-bind"))
		return do_evtchn_bind(ps, args, text, len);
	if (!strcmp(verb, "evtchn-wait"))
		return do_evtchn_wait(ps, args, text, len);
	if (!strcmp(verb, "evtchn-close")) {
		evtchn_close(ps);
		return 0;
	}
	snprintf(text, len, "unknown request '%s'", verb);
	return EINVAL;
}

unsigned int peer_server_release_all(struct peer_server *ps)
{
	unsigned int n = 0;

	for (unsigned int id = 0; id < PEER_MAX_SHARES; id++)
		if (ps->share[id].used) {
			release(ps, id);
			n++;
		}
	return n;
}

int peer_server_poll(struct peer_server *ps)
{
	static char text[1024];
	char p[192], rsp[1100];
	struct gntlab_cmd c;
	unsigned int len;
	char *v;
	int rc;

	snprintf(p, sizeof(p), "%s/" GNTLAB_XS_REQ, ps->dir);
	v = xs_read(ps->xs, XBT_NULL, p, &len);
	if (!v)
		return 0;
	if (gntlab_cmd_parse(v, &c) || (ps->seen_any && c.seq == ps->last_seq)) {
		free(v);
		return 0;
	}
	free(v);
	ps->seen_any = true;
	ps->last_seq = c.seq;
	ps->requests++;
	text[0] = '\0';
	if (!strcmp(c.verb, "share"))
		rc = do_share(ps, c.args, text, sizeof(text));
	else if (!strcmp(c.verb, "unshare")) {
		unsigned int id;

		rc = get_share(ps, c.args, &id, text, sizeof(text)) ? 0 : ENOENT;
		if (!rc)
			release(ps, id);
	} else if (!strcmp(c.verb, "fill"))
		rc = do_fill(ps, c.args, text, sizeof(text));
	else if (!strcmp(c.verb, "check"))
		rc = do_check(ps, c.args, text, sizeof(text));
	else if (!strcmp(c.verb, "active"))
		rc = do_active(ps, c.args, text, sizeof(text));
	else if (!strcmp(c.verb, "frames"))
		rc = do_frames(ps, c.args, text, sizeof(text));
	else if (!strcmp(c.verb, "leakcheck"))
		rc = do_leakcheck(ps, text, sizeof(text));
	else if (!strcmp(c.verb, "diag")) {
		report_diag("%s", c.args);
		rc = 0;
	} else if (!strcmp(c.verb, "matrix")) {
		/* One observed cell of the behaviour matrix (tests/markers.h). */
		printf(GNTLAB_MARK_MATRIX "%s\n", c.args);
		fflush(stdout);
		rc = 0;
	} else if (!strcmp(c.verb, "bench")) {
		/* One measurement of `make bench` (JSON): the host keeps it in bench.log. */
		printf(GNTLAB_MARK_LOG "bench %s\n", c.args);
		fflush(stdout);
		rc = 0;
	} else if (!strcmp(c.verb, "result"))
		rc = do_result(c.args, text, sizeof(text));
	else if (!strcmp(c.verb, "byte") || !strncmp(c.verb, "evtchn-", 7))
		rc = do_evtchn(ps, c.verb, c.args, text, sizeof(text));
	else {
		snprintf(text, sizeof(text), "unknown request '%s'", c.verb);
		rc = EINVAL;
	}
	snprintf(rsp, sizeof(rsp), "%u %d %s", c.seq, rc, text);
	snprintf(p, sizeof(p), "%s/" GNTLAB_XS_RSP, ps->dir);
	if (!xs_write(ps->xs, XBT_NULL, p, rsp, strlen(rsp)))
		report_diag("xs_write(%s): %s", p, strerror(errno));
	return 1;
}
