// SPDX-License-Identifier: GPL-2.0
#include "guest_requests.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>

#include "gntlab_proto.h"
#include "markers_out.h"
#include "soak.h"
#include "xen_grants.h"
#include "xen_own_grants.h"
#include "xs_wait.h"
#include "../tests/markers.h"

void guest_requests_init(struct guest_requests *gr, struct xs_handle *xs,
		      xc_interface *xc, xengntshr_handle *gs,
		      unsigned int domid, const char *dir)
{
	memset(gr, 0, sizeof(*gr));
	gr->xs = xs;
	gr->xc = xc;
	gr->gs = gs;
	gr->domid = domid;
	snprintf(gr->dir, sizeof(gr->dir), "%s", dir);
}

static int put(struct guest_requests *gr, const char *key, const char *val)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", gr->dir, key);
	return xs_write(gr->xs, XBT_NULL, p, val, strlen(val)) ? 0 : -1;
}

static struct gr_share *get_share(struct guest_requests *gr, const char *args,
					unsigned int *id, char *text, size_t len)
{
	if (sscanf(args, "%u", id) != 1 || *id >= GR_MAX_SHARES ||
	    !gr->share[*id].used) {
		snprintf(text, len, "no share '%.32s'", args);
		return NULL;
	}
	return &gr->share[*id];
}

static void release(struct guest_requests *gr, unsigned int id)
{
	struct gr_share *s = &gr->share[id];
	char p[192];

	xengntshr_unshare(gr->gs, s->addr, s->count);
	free(s->refs);
	memset(s, 0, sizeof(*s));
	snprintf(p, sizeof(p), "%s/" GNTLAB_XS_SHARE "/%u", gr->dir, id);
	xs_rm(gr->xs, XBT_NULL, p);
}

/* Shares of up to this many pages carry their refs in the answer: 16 refs of
 * at most 10 digits fit the guest's 240-byte answer text (struct gntlab_ack). */
#define GR_INLINE_REFS 16

static int do_share(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int count, seed, id, chunks;
	char mode[4];
	struct gr_share *s = NULL;
	static struct gntlab_refs r;
	static char val[4096];

	if (sscanf(args, "%u %3s %u", &count, mode, &seed) != 3 || count == 0 ||
	    count > GNTLAB_PROTO_MAX_REFS || (strcmp(mode, "rw") && strcmp(mode, "ro"))) {
		snprintf(text, len, "usage: share <1..%u> <rw|ro> <seed>", GNTLAB_PROTO_MAX_REFS);
		return EINVAL;
	}
	for (id = 0; id < GR_MAX_SHARES; id++)
		if (!gr->share[id].used) {
			s = &gr->share[id];
			break;
		}
	if (!s) {
		snprintf(text, len, "too many shares open (%u)", GR_MAX_SHARES);
		return ENOSPC;
	}
	s->refs = calloc(count, sizeof(*s->refs));
	if (!s->refs)
		return ENOMEM;
	s->addr = xengntshr_share_pages(gr->gs, gr->domid, (int)count, s->refs,
					!strcmp(mode, "rw"));
	if (!s->addr) {
		int err = errno;

		free(s->refs);
		s->refs = NULL;
		snprintf(text, len, "xengntshr_share_pages(d%u, %u): %s", gr->domid,
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
		if (put(gr, key, val)) {
			snprintf(text, len, "xs_write(%s): %s", key, strerror(errno));
			release(gr, id);
			return EIO;
		}
	}
	snprintf(text, len, "%u %u", id, chunks);
	/* A small share's refs in the answer too: no read of share/<id>/0. */
	if (count <= GR_INLINE_REFS) {
		size_t n = strlen(text);

		r.domid = 0;
		r.count = count;
		memcpy(r.ref, s->refs, count * sizeof(*s->refs));
		text[n] = ' ';
		if (gntlab_refs_format(&r, text + n + 1, len - n - 1))
			text[n] = '\0';
	}
	return 0;
}

static int do_check(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int id, seed, off, n;
	struct gr_share *s = get_share(gr, args, &id, text, len);

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

static int do_fill(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int id, seed;
	struct gr_share *s = get_share(gr, args, &id, text, len);

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

/*
 * Which of dom0's grants Xen marks as mapped: from the GTF_reading/writing
 * flags Xen keeps in dom0's own grant entries (xen_own_grants.h), a read of
 * memory; from the 'g' dump if those cannot be read here (said once), or
 * when GNTLAB_GRANTS=dump asks for it.
 */
static bool use_flags(const char *err)
{
	static int state;	/* 0 unknown, 1 flags, -1 dump */

	if (!state) {
		const char *w = getenv("GNTLAB_GRANTS");

		state = w && !strcmp(w, "dump") ? -1 : 1;
	}
	if (state > 0 && err && err[0]) {
		report_diag("dom0's grant flags cannot be read (%s): Xen's 'g' dump instead", err);
		state = -1;
	}
	return state > 0;
}

/* How many of the share's refs Xen marks as mapped now; -1 on error (text). */
static long share_active(struct guest_requests *gr, struct gr_share *s, char *text, size_t len)
{
	static struct xen_grant_dump d;
	char err[200] = "";
	size_t n;

	if (use_flags(NULL) &&
	    !xen_own_grants_mapped_refs(gr->xc, s->refs, s->count, &n, err, sizeof(err)))
		return (long)n;
	use_flags(err);
	if (xen_grant_snapshot(gr->xc, &d, text, len))
		return -1;
	return (long)xen_grant_dump_count_refs(&d, 0, -1, s->refs, s->count);
}

static int do_active(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int id;
	long n;
	struct gr_share *s = get_share(gr, args, &id, text, len);

	if (!s)
		return ENOENT;
	n = share_active(gr, s, text, len);
	if (n < 0)
		return EIO;
	snprintf(text, len, "%ld", n);
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

static int do_frames(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	static struct xen_grant_dump d;
	unsigned int id, page;
	uint64_t pfn = 0, mfn = 0;
	struct gr_share *s = get_share(gr, args, &id, text, len);

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
	if (xen_grant_snapshot(gr->xc, &d, text, len))
		return EIO;
	for (size_t i = 0; i < d.count; i++)
		if (d.entry[i].granter == 0 && d.entry[i].ref == s->refs[page])
			mfn = d.entry[i].frame;
	snprintf(text, len, "%llu %llu", (unsigned long long)pfn,
		 (unsigned long long)mfn);
	return 0;
}

static int do_leakcheck(struct guest_requests *gr, char *text, size_t len)
{
	static struct xen_grant_dump d;
	unsigned int left = guest_requests_release_all(gr);
	size_t mapped = 0, flagged = 0;
	char err[200] = "";

	/* The flags first; the dump to confirm and count what they show. */
	if (use_flags(NULL) &&
	    !xen_own_grants_mapped_for(gr->xc, gr->domid, &flagged, err, sizeof(err)) && !flagged) {
		snprintf(text, len, "clean (%u shares were left open and revoked)", left);
		return 0;
	}
	use_flags(err);
	if (xen_grant_snapshot(gr->xc, &d, text, len))
		return EIO;
	for (size_t i = 0; i < d.count; i++)
		if (d.entry[i].granter == 0 && d.entry[i].mapper == gr->domid)
			mapped++;
	if (mapped || flagged) {
		snprintf(text, len,
			 "Xen lists %zu grants of d0 still mapped by d%u, %zu by their flags (%u shares "
			 "were left open)", mapped, gr->domid, flagged, left);
		return 1;
	}
	snprintf(text, len, "clean (%u shares were left open and revoked)", left);
	return 0;
}

/* Each line of text as a GNTLAB-DIAG line. */
static void diag_lines(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		report_diag("%.*s", (int)n, text);
		text += n;
		if (*text == '\n')
			text++;
	}
}

/*
 * result <verdict word> <name> [reason] [\n<log line>...]: the guest's
 * verdict as a GNTLAB-TAP line, after the test's log lines (one request
 * for both, tests/guest/dom0_client.c dom0_report()).
 */
static int do_result(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	char word[8], name[128], ref[64], first[1024];
	const char *why, *log = strchr(args, '\n');
	enum d0_verdict v;
	int n = 0;

	(void)gr;
	snprintf(first, sizeof(first), "%.*s", (int)(log ? log - args : (long)strlen(args)), args);
	if (sscanf(first, "%7s %127s %n", word, name, &n) < 2 ||
	    d0_verdict_parse(word, n ? first + n : "", &v, ref, sizeof(ref), &why)) {
		snprintf(text, len, "usage: result <ok|fail|skip|error|xfail|xpass> <name> [reason]");
		return EINVAL;
	}
	if (log)
		diag_lines(log + 1);
	report_verdict(v, name, ref, why);
	return 0;
}

/*
 * Unmap notification (tests/guest/suite_teardown.c): read one byte of a
 * share, and receive the guest's unmap-notify event on an interdomain
 * channel bound to a port the guest allocated for us.
 */

/* byte <id> <page> <off>: the byte's value, in decimal. */
static int do_byte(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int id, page, off;
	struct gr_share *s = get_share(gr, args, &id, text, len);

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

static void evtchn_close(struct guest_requests *gr)
{
	if (gr->xce && gr->evtchn_local)
		xenevtchn_unbind(gr->xce, gr->evtchn_local);
	gr->evtchn_local = 0;
	if (gr->xce)
		xenevtchn_close(gr->xce);
	gr->xce = NULL;
}

/*
 * Wait until `deadline` (xs_now_ms) for an event on the bound port; 1 if it
 * came, 0 on timeout. Our port is left masked so the caller can observe the
 * state at the moment of the event before unmasking; other ports are
 * unmasked at once.
 */
static int evtchn_next(struct guest_requests *gr, long long deadline)
{
	long long left;

	while ((left = deadline - xs_now_ms()) >= 0) {
		struct pollfd pfd = { .fd = xenevtchn_fd(gr->xce), .events = POLLIN };
		xenevtchn_port_or_error_t port;

		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		port = xenevtchn_pending(gr->xce);
		if (port < 0)
			continue;
		if ((evtchn_port_t)port == gr->evtchn_local)
			return 1;
		xenevtchn_unmask(gr->xce, (evtchn_port_t)port);
	}
	return 0;
}

/* Wait (<= timeout_ms) for one event on the bound port; 1 if it came. */
static int evtchn_drain_one(struct guest_requests *gr, int timeout_ms)
{
	int fired = evtchn_next(gr, xs_now_ms() + timeout_ms);

	if (fired)
		xenevtchn_unmask(gr->xce, gr->evtchn_local);
	return fired;
}

/* evtchn-bind <guest port>: bind to it (replacing any previous binding). */
static int do_evtchn_bind(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int gport;
	xenevtchn_port_or_error_t local;

	if (sscanf(args, "%u", &gport) != 1 || gport == 0) {
		snprintf(text, len, "usage: evtchn-bind <guest port>");
		return EINVAL;
	}
	evtchn_close(gr);
	gr->xce = xenevtchn_open(NULL, 0);
	if (!gr->xce) {
		snprintf(text, len, "xenevtchn_open: %s", strerror(errno));
		return errno ? errno : EIO;
	}
	local = xenevtchn_bind_interdomain(gr->xce, gr->domid, gport);
	if (local < 0) {
		int err = errno;

		snprintf(text, len, "xenevtchn_bind_interdomain(d%u, %u): %s", gr->domid,
			 gport, strerror(err));
		evtchn_close(gr);
		return err ? err : EIO;
	}
	gr->evtchn_local = (evtchn_port_t)local;
	/*
	 * Xen's evtchn_bind_interdomain() marks the new local port pending
	 * ("we may have lost notifications on the remote unbound port"):
	 * consume that one, so evtchn-wait sees only events sent later.
	 */
	snprintf(text, len, "%d drained %d", local, evtchn_drain_one(gr, 200));
	return 0;
}

/*
 * evtchn-wait <timeout_ms> [<id> <page> <off>]: wait for the event on the
 * bound port. As soon as it is seen (before anything else is done), read
 * the share's byte and ask Xen how many of the share's refs are mapped.
 * Reply "fired <0|1> byte <v|-1> active <n|-1> waited <ms>"; rc 0 either way.
 */
static int do_evtchn_wait(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int timeout_ms, id = 0, page = 0, off = 0;
	struct gr_share *s = NULL;
	long long start = xs_now_ms();
	int fired, byte = -1, n;
	long active = -1;

	n = sscanf(args, "%u %u %u %u", &timeout_ms, &id, &page, &off);
	if (n != 1 && n != 4) {
		snprintf(text, len, "usage: evtchn-wait <timeout_ms> [<id> <page> <off>]");
		return EINVAL;
	}
	if (!gr->xce || !gr->evtchn_local) {
		snprintf(text, len, "no event channel bound (evtchn-bind first)");
		return ENOENT;
	}
	if (n == 4) {
		if (id >= GR_MAX_SHARES || !gr->share[id].used ||
		    page >= gr->share[id].count || off >= GNTLAB_PAGE_SIZE) {
			snprintf(text, len, "no share %u page %u off %u", id, page, off);
			return EINVAL;
		}
		s = &gr->share[id];
	}
	fired = evtchn_next(gr, start + timeout_ms);
	if (fired) {
		if (s) {
			byte = *(volatile uint8_t *)(s->addr +
						     (size_t)page * GNTLAB_PAGE_SIZE + off);
			char err[200];

			active = share_active(gr, s, err, sizeof(err));
		}
		xenevtchn_unmask(gr->xce, gr->evtchn_local);
	}
	snprintf(text, len, "fired %d byte %d active %ld waited %lld", fired, byte, active,
		 xs_now_ms() - start);
	return 0;
}

static int do_evtchn_close(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	(void)args;
	(void)text;
	(void)len;
	evtchn_close(gr);
	return 0;
}

static int do_unshare(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int id;

	if (!get_share(gr, args, &id, text, len))
		return ENOENT;
	release(gr, id);
	return 0;
}

static int do_diag(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	(void)gr;
	(void)text;
	(void)len;
	diag_lines(args);	/* one line or several */
	return 0;
}

/* One observed cell of the behaviour matrix (tests/markers.h). */
static int do_matrix(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	(void)gr;
	(void)text;
	(void)len;
	report_matrix(args);
	return 0;
}

/* One measurement of `make bench` (JSON): the host keeps it in bench.log. */
static int do_bench(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	(void)gr;
	(void)text;
	(void)len;
	report_log("bench", args);
	return 0;
}

/* `make soak`: the guest's record, with dom0's time and memory (soak_mem.c). */
static int do_soak(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	(void)text;
	(void)len;
	soak_log(gr->xc, args);
	return 0;
}

static int do_leakcheck_req(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	(void)args;
	return do_leakcheck(gr, text, len);
}

/* chan <ref> <port>: the program's later requests come through that page. */
static int do_chan(struct guest_requests *gr, const char *args, char *text, size_t len)
{
	unsigned int ref, port;

	if (sscanf(args, "%u %u", &ref, &port) != 2 || port == 0) {
		snprintf(text, len, "usage: chan <ref> <port>");
		return EINVAL;
	}
	return req_chan_open(&gr->chan, gr->domid, ref, port, text, len);
}

typedef int (*req_fn)(struct guest_requests *gr, const char *args, char *text, size_t len);

/* Who serves each verb of gntlab_req_verbs[] (gntlab_proto.c). */
static const req_fn serve[GNTLAB_REQ_COUNT] = {
	[GNTLAB_REQ_SHARE] = do_share,
	[GNTLAB_REQ_UNSHARE] = do_unshare,
	[GNTLAB_REQ_FILL] = do_fill,
	[GNTLAB_REQ_CHECK] = do_check,
	[GNTLAB_REQ_ACTIVE] = do_active,
	[GNTLAB_REQ_FRAMES] = do_frames,
	[GNTLAB_REQ_LEAKCHECK] = do_leakcheck_req,
	[GNTLAB_REQ_BYTE] = do_byte,
	[GNTLAB_REQ_EVTCHN_BIND] = do_evtchn_bind,
	[GNTLAB_REQ_EVTCHN_WAIT] = do_evtchn_wait,
	[GNTLAB_REQ_EVTCHN_CLOSE] = do_evtchn_close,
	[GNTLAB_REQ_DIAG] = do_diag,
	[GNTLAB_REQ_BENCH] = do_bench,
	[GNTLAB_REQ_MATRIX] = do_matrix,
	[GNTLAB_REQ_RESULT] = do_result,
	[GNTLAB_REQ_SOAK] = do_soak,
	[GNTLAB_REQ_CHAN] = do_chan,
};

const char *guest_requests_unserved(void)
{
	for (int i = 0; i < GNTLAB_REQ_COUNT; i++)
		if (!serve[i])
			return gntlab_req_verbs[i].name;
	return NULL;
}

unsigned int guest_requests_release_all(struct guest_requests *gr)
{
	unsigned int n = 0;

	for (unsigned int id = 0; id < GR_MAX_SHARES; id++)
		if (gr->share[id].used) {
			release(gr, id);
			n++;
		}
	return n;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void guest_requests_diag(const struct guest_requests *gr)
{
	char line[1024];
	long long served = 0;
	size_t k = 0;

	for (int i = 0; i < GNTLAB_REQ_COUNT; i++)
		served += gr->verb_ns[i];
	k += (size_t)snprintf(line, sizeof(line),
			      "dom0 served %u requests (%u through the request channel) in %.2f s "
			      "(+ xenstore %.2f s, %lld reads):",
			      gr->requests, gr->chan_requests, served / 1e9, gr->xs_ns / 1e9,
			      gr->polls);
	for (int i = 0; i < GNTLAB_REQ_COUNT && k < sizeof(line); i++)
		if (gr->verb_n[i])
			k += (size_t)snprintf(line + k, sizeof(line) - k, " %s %u/%.2f s",
					      gntlab_req_verbs[i].name, gr->verb_n[i],
					      gr->verb_ns[i] / 1e9);
	report_diag("%s", line);
}

/* Serve one request line "<seq> <verb> [args]"; rsp gets "<seq> <rc> [text]". */
static int serve_line(struct guest_requests *gr, const char *line, char *rsp, size_t rlen,
		      uint32_t *seq)
{
	static struct gntlab_cmd c;
	static char text[1024];
	long long t1 = now_ns();
	int rc, id;

	if (gntlab_cmd_parse(line, &c))
		return -1;
	*seq = c.seq;
	gr->requests++;
	text[0] = '\0';
	id = gntlab_verb_find(gntlab_req_verbs, GNTLAB_REQ_COUNT, c.verb);
	if (id >= 0 && serve[id]) {
		rc = serve[id](gr, c.args, text, sizeof(text));
		gr->verb_n[id]++;
		gr->verb_ns[id] += now_ns() - t1;
	} else {
		snprintf(text, sizeof(text), "unknown request '%s'", c.verb);
		rc = EINVAL;
	}
	snprintf(rsp, rlen, "%u %d %s", c.seq, rc, text);
	return 0;
}

int guest_requests_poll(struct guest_requests *gr)
{
	long long t0 = now_ns(), t1;
	struct gntlab_cmd c;
	char p[192], rsp[1100];
	unsigned int len;
	uint32_t seq;
	char *v;

	snprintf(p, sizeof(p), "%s/" GNTLAB_XS_REQ, gr->dir);
	v = xs_read(gr->xs, XBT_NULL, p, &len);
	gr->polls++;
	if (!v || gntlab_cmd_parse(v, &c) || (gr->seen_any && c.seq == gr->last_seq)) {
		free(v);
		gr->xs_ns += now_ns() - t0;
		return 0;
	}
	gr->seen_any = true;
	gr->last_seq = c.seq;
	gr->xs_ns += now_ns() - t0;
	serve_line(gr, v, rsp, sizeof(rsp), &seq);
	free(v);
	t1 = now_ns();
	snprintf(p, sizeof(p), "%s/" GNTLAB_XS_RSP, gr->dir);
	if (!xs_write(gr->xs, XBT_NULL, p, rsp, strlen(rsp)))
		report_diag("xs_write(%s): %s", p, strerror(errno));
	gr->xs_ns += now_ns() - t1;
	return 1;
}

int guest_requests_poll_chan(struct guest_requests *gr)
{
	static char line[GNTLAB_CHAN_TEXT + 1];
	char rsp[1100];
	uint32_t seq;
	int n = 0;

	req_chan_events(&gr->chan);
	while (req_chan_take(&gr->chan, line, sizeof(line))) {
		if (serve_line(gr, line, rsp, sizeof(rsp), &seq)) {
			report_diag("request channel: malformed request '%.60s'", line);
			continue;
		}
		gr->chan_requests++;
		n++;
		if (req_chan_answer(&gr->chan, seq, rsp))
			report_diag("request channel: xenevtchn_notify: %s", strerror(errno));
	}
	return n;
}

int guest_requests_chan_fd(const struct guest_requests *gr)
{
	return req_chan_fd(&gr->chan);
}

void guest_requests_end(struct guest_requests *gr)
{
	req_chan_close(&gr->chan);
	evtchn_close(gr);
}
