// SPDX-License-Identifier: GPL-2.0
#include "dom0_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xengnttab.h>	/* domid_t, for xen/evtchn.h */
#include <xen/evtchn.h>
#include <xen/gntalloc.h>
#include <xenstore.h>

#include "xs_wait.h"

#define DOM0_TIMEOUT_MS (60 * 1000)

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

/*
 * The request channel (verb `chan`, struct gntlab_chan in gntlab_proto.h):
 * a page granted to dom0 and an event channel, opened once by the program
 * (dom0_channel_open()) and inherited by its forked test children. A round
 * trip is then two notifications instead of four xenstore round trips
 * through xenstored and two watch events.
 */
static struct {
	struct gntlab_chan *page;	/* NULL: requests go through xenstore */
	int gafd, evfd;
	uint32_t port;			/* ours, bound for dom0 */
} ch = { .gafd = -1, .evfd = -1 };

static void chan_send(uint32_t seq, const char *req)
{
	struct ioctl_evtchn_notify nt = { .port = ch.port };

	snprintf(ch.page->req, sizeof(ch.page->req), "%s", req);
	__atomic_store_n(&ch.page->req_seq, seq, __ATOMIC_RELEASE);
	ioctl(ch.evfd, IOCTL_EVTCHN_NOTIFY, &nt);
}

/*
 * The answer to seq from the page (a copy to free), or NULL with errno
 * ETIMEDOUT after DOM0_TIMEOUT_MS. The port is unmasked first: a process
 * that read the event and died before unmasking it (a test child killed)
 * must not leave later notifications undelivered.
 */
static char *chan_wait(uint32_t seq)
{
	long long deadline = xs_now_ms() + DOM0_TIMEOUT_MS;
	uint32_t ports[16] = { ch.port };

	if (write(ch.evfd, ports, sizeof(ports[0])) < 0)
		return NULL;
	for (;;) {
		struct pollfd pfd = { .fd = ch.evfd, .events = POLLIN };
		long long left;
		ssize_t n;

		if (__atomic_load_n(&ch.page->rsp_seq, __ATOMIC_ACQUIRE) == seq) {
			char *v = malloc(GNTLAB_CHAN_TEXT + 1);

			if (!v)
				return NULL;
			memcpy(v, ch.page->rsp, GNTLAB_CHAN_TEXT);
			v[GNTLAB_CHAN_TEXT] = '\0';
			return v;
		}
		left = deadline - xs_now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(ch.evfd, ports, sizeof(ports));
		/* Unmask what was read (the evtchn device's protocol). */
		if (n > 0 && write(ch.evfd, ports, (size_t)n) != n)
			return NULL;
	}
}

/*
 * A harness test that lost dom0 ends as ERROR (tests/harness, helper of
 * the harness); the bench program links this file without the harness.
 */
extern void th_error_hook(const char *fmt, ...) __attribute__((weak));

/* Verbs that report rather than ask: losing one must not end a test. */
static bool reporting(const char *line)
{
	static const enum gntlab_req_id r[] = {
		GNTLAB_REQ_RESULT, GNTLAB_REQ_DIAG, GNTLAB_REQ_MATRIX, GNTLAB_REQ_BENCH,
	};
	size_t n = strcspn(line, " ");

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (strlen(gntlab_req_verbs[r[i]].name) == n &&
		    !strncmp(gntlab_req_verbs[r[i]].name, line, n))
			return true;
	return false;
}

/*
 * The answer to request seq, read only after the watch on rsp fired: dom0
 * writes it after our request, so its event always comes later, and a read
 * before the first event (what xs_wait_watched() does, for other callers)
 * would cost a round trip through xenstored that never finds it. A stale
 * event (the one the watch fires when set) costs one read that does not match.
 */
static char *wait_rsp(struct xs_handle *h, uint32_t seq)
{
	long long deadline = xs_now_ms() + DOM0_TIMEOUT_MS;

	for (;;) {
		char **ev = xs_check_watch(h), *v;
		unsigned int n;

		if (!ev) {
			struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
			long long left = deadline - xs_now_ms();
			int rc;

			if (left <= 0) {
				errno = ETIMEDOUT;
				return NULL;
			}
			rc = poll(&pfd, 1, (int)left);
			if (rc < 0 && errno != EINTR)
				return NULL;
			if (rc <= 0)
				continue;
			ev = xs_read_watch(h, &n);
			if (!ev)
				continue;
		}
		free(ev);
		v = xs_read(h, XBT_NULL, GNTLAB_XS_DIR "/" GNTLAB_XS_RSP, &n);
		if (v && rsp_matches(v, &seq))
			return v;
		free(v);
	}
}

/*
 * Reports whose answer nobody reads (a test's result, a diag line) do not
 * wait for it: the next request of any process of the program (a forked
 * test child too: the state is in a shared page) first waits for that
 * answer, so dom0 has taken the report before a new request replaces it in
 * `req`. The wait then overlaps with what the program does in between
 * (the next test's fork and setup) instead of costing a round trip.
 */
static struct pending {
	volatile uint32_t seq;
	volatile int set;
} *pending;

static void settle_at_exit(void)
{
	dom0_settle();
}

__attribute__((constructor)) static void pending_init(void)
{
	void *p = mmap(NULL, sizeof(*pending), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;		/* every request waits for its answer */
	pending = p;
	atexit(settle_at_exit);
}

/* A report that may go without waiting for its answer. */
static bool fire_and_forget(const char *body)
{
	static const enum gntlab_req_id r[] = { GNTLAB_REQ_RESULT, GNTLAB_REQ_DIAG };
	size_t n = strcspn(body, " ");

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (strlen(gntlab_req_verbs[r[i]].name) == n &&
		    !strncmp(gntlab_req_verbs[r[i]].name, body, n))
			return true;
	return false;
}

int dom0_settle(void)
{
	struct xs_handle *h;
	uint32_t seq;
	char *v = NULL;

	if (!pending || !pending->set)
		return 0;
	seq = pending->seq;
	h = ch.page ? NULL : conn();
	if (ch.page)
		v = chan_wait(seq);
	else if (h)
		v = rsp_watched ? wait_rsp(h, seq) :
				  xs_wait_for(h, GNTLAB_XS_DIR "/" GNTLAB_XS_RSP, DOM0_TIMEOUT_MS,
					      rsp_matches, &seq);
	pending->set = 0;
	free(v);
	return v ? 0 : -1;
}

static int request_hook(char *text, size_t len, const char *body, bool hook)
{
	char req[1100], why[160];
	struct gntlab_ack a;
	struct xs_handle *h = ch.page ? NULL : conn();
	uint32_t seq;
	char *v = NULL;

	if (!h && !ch.page) {
		snprintf(why, sizeof(why), "xs_open: %s", strerror(errno));
		goto lost;
	}
	if (dom0_settle()) {
		snprintf(why, sizeof(why), "dom0 did not answer the last report in %d s",
			 DOM0_TIMEOUT_MS / 1000);
		goto lost;
	}
	/* Unique across the forked test children of one run. */
	seq = ((uint32_t)getpid() << 12) | (++counter & 0xfff);
	snprintf(req, sizeof(req), "%u %s", seq, body);
	if (ch.page) {
		chan_send(seq, req);
	} else if (!xs_write(h, XBT_NULL, GNTLAB_XS_DIR "/" GNTLAB_XS_REQ, req, strlen(req))) {
		snprintf(why, sizeof(why), "xs_write(req): %s", strerror(errno));
		goto lost;
	}
	if (pending && (ch.page || rsp_watched) && !text && fire_and_forget(body)) {
		pending->seq = seq;
		pending->set = 1;
		return 0;
	}
	if (ch.page)
		v = chan_wait(seq);
	else
		v = rsp_watched ? wait_rsp(h, seq) :
				  xs_wait_for(h, GNTLAB_XS_DIR "/" GNTLAB_XS_RSP, DOM0_TIMEOUT_MS,
					      rsp_matches, &seq);
	if (!v && errno != ETIMEDOUT) {
		snprintf(why, sizeof(why), "waiting for dom0's answer to '%.60s' (%s): %s", body,
			 ch.page ? "request channel" : "xenstore req/rsp", strerror(errno));
		goto lost;
	}
	if (!v) {
		snprintf(why, sizeof(why), "dom0 did not answer '%.60s' in %d s (%s)", body,
			 DOM0_TIMEOUT_MS / 1000,
			 ch.page ? "request channel, event channel and granted page" :
				   "xenstore req/rsp");
		goto lost;
	}
	if (gntlab_ack_parse(v, &a) || a.seq != seq) {
		snprintf(why, sizeof(why), "dom0's answer to '%.40s' is malformed: '%.60s'",
			 body, v);
		free(v);
		goto lost;
	}
	free(v);
	if (text)
		snprintf(text, len, "%s", a.text);
	return a.rc;
lost:
	if (text)
		snprintf(text, len, "%s", why);
	if (hook && th_error_hook && !reporting(body))
		th_error_hook("%s", why);
	return -1;
}

static int request(char *text, size_t len, const char *body)
{
	return request_hook(text, len, body, true);
}

static void chan_undo(void)
{
	if (ch.page)
		munmap(ch.page, GNTLAB_PAGE_SIZE);
	if (ch.gafd >= 0)
		close(ch.gafd);
	if (ch.evfd >= 0)
		close(ch.evfd);
	ch.page = NULL;
	ch.gafd = ch.evfd = -1;
}

int dom0_channel_open(char *why, size_t len)
{
	struct ioctl_gntalloc_alloc_gref op = { .domid = 0, .flags = GNTALLOC_FLAG_WRITABLE,
						 .count = 1 };
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	struct gntlab_chan *page;
	char body[64], text[160];
	int port, rc;

	if (ch.page)
		return 0;
	if (dom0_settle()) {
		snprintf(why, len, "dom0 did not answer the last report");
		return -1;
	}
	ch.gafd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (ch.gafd < 0) {
		snprintf(why, len, "open /dev/xen/gntalloc: %s", strerror(errno));
		goto fail;
	}
	if (ioctl(ch.gafd, IOCTL_GNTALLOC_ALLOC_GREF, &op)) {
		snprintf(why, len, "IOCTL_GNTALLOC_ALLOC_GREF(d0, 1 page): %s", strerror(errno));
		goto fail;
	}
	page = mmap(NULL, GNTLAB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ch.gafd,
		    (off_t)op.index);
	if (page == MAP_FAILED) {
		snprintf(why, len, "mmap of gntalloc index %llu: %s",
			 (unsigned long long)op.index, strerror(errno));
		goto fail;
	}
	memset(page, 0, GNTLAB_PAGE_SIZE);
	__atomic_store_n(&page->magic, GNTLAB_CHAN_MAGIC, __ATOMIC_RELEASE);
	ch.page = page;	/* for chan_undo(); not used for requests yet */
	ch.evfd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
	if (ch.evfd < 0) {
		snprintf(why, len, "open /dev/xen/evtchn: %s", strerror(errno));
		goto fail;
	}
	port = ioctl(ch.evfd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (port < 0) {
		snprintf(why, len, "IOCTL_EVTCHN_BIND_UNBOUND_PORT(d0): %s", strerror(errno));
		goto fail;
	}
	ch.port = (uint32_t)port;
	/* Asked over xenstore (ch.page is not in use until dom0 said yes). */
	ch.page = NULL;
	snprintf(body, sizeof(body), "%s %u %u", gntlab_req_verbs[GNTLAB_REQ_CHAN].name,
		 op.gref_ids[0], ch.port);
	rc = request_hook(text, sizeof(text), body, false);
	ch.page = page;
	if (rc) {
		snprintf(why, len, "dom0 refused '%s': %s", body, text);
		goto fail;
	}
	return 0;
fail:
	chan_undo();
	return -1;
}

int dom0_request(enum gntlab_req_id verb, char *text, size_t len, const char *fmt, ...)
{
	char args[1000], body[1050];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(body, sizeof(body), "%s%s%s", gntlab_req_verbs[verb].name, args[0] ? " " : "",
		 args);
	return request(text, len, body);
}

int dom0_request_line(char *text, size_t len, const char *fmt, ...)
{
	char body[1000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	return request(text, len, body);
}

int dom0_share(uint32_t count, bool writable, uint32_t seed, struct dom0_share *s)
{
	static struct gntlab_refs inl;
	char text[256], path[96];
	unsigned int id, chunks;
	int rc, n = 0;

	memset(s, 0, sizeof(*s));
	rc = dom0_request(GNTLAB_REQ_SHARE, text, sizeof(text), "%u %s %u", count,
			  writable ? "rw" : "ro", seed);
	if (rc)
		return rc;
	if (sscanf(text, "%u %u %n", &id, &chunks, &n) < 2)
		return -1;
	s->id = id;
	s->seed = seed;
	s->writable = writable;
	/* A small share's refs come with the answer ("<domid> <ref>..."). */
	if (n && text[n] && !gntlab_refs_parse(text + n, &inl) && inl.count == count) {
		s->domid = inl.domid;
		for (uint32_t i = 0; i < inl.count; i++)
			s->ref[s->count++] = inl.ref[i];
		return 0;
	}
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

int dom0_unshare(const struct dom0_share *s)
{
	return dom0_request(GNTLAB_REQ_UNSHARE, NULL, 0, "%u", s->id);
}

int dom0_fill(const struct dom0_share *s, uint32_t seed)
{
	return dom0_request(GNTLAB_REQ_FILL, NULL, 0, "%u %u", s->id, seed);
}

int dom0_check(const struct dom0_share *s, uint32_t seed, uint32_t off,
	       uint32_t len, char *why, size_t whylen)
{
	return dom0_request(GNTLAB_REQ_CHECK, why, whylen, "%u %u %u %u", s->id, seed, off, len);
}

long dom0_active(const struct dom0_share *s)
{
	char text[64];

	if (dom0_request(GNTLAB_REQ_ACTIVE, text, sizeof(text), "%u", s->id))
		return -1;
	return strtol(text, NULL, 10);
}

int dom0_frames(const struct dom0_share *s, uint32_t page, uint64_t *pfn,
		uint64_t *mfn)
{
	char text[128];
	unsigned long long p, m;

	if (dom0_request(GNTLAB_REQ_FRAMES, text, sizeof(text), "%u %u", s->id, page) ||
	    sscanf(text, "%llu %llu", &p, &m) != 2)
		return -1;
	*pfn = p;
	*mfn = m;
	return 0;
}

int dom0_byte(const struct dom0_share *s, uint32_t page, uint32_t off)
{
	char text[64];

	if (dom0_request(GNTLAB_REQ_BYTE, text, sizeof(text), "%u %u %u", s->id, page, off))
		return -1;
	return (int)strtol(text, NULL, 10);
}

int dom0_evtchn_bind(uint32_t guest_port, char *text, size_t len)
{
	return dom0_request(GNTLAB_REQ_EVTCHN_BIND, text, len, "%u", guest_port);
}

int dom0_evtchn_wait(int timeout_ms, const struct dom0_share *s, uint32_t page,
		     uint32_t off, struct dom0_evtchn_event *ev)
{
	char text[128];
	int rc;

	if (s)
		rc = dom0_request(GNTLAB_REQ_EVTCHN_WAIT, text, sizeof(text), "%d %u %u %u",
				  timeout_ms, s->id, page, off);
	else
		rc = dom0_request(GNTLAB_REQ_EVTCHN_WAIT, text, sizeof(text), "%d", timeout_ms);
	if (rc)
		return rc;
	if (sscanf(text, "fired %d byte %d active %ld waited %ld", &ev->fired,
		   &ev->byte, &ev->active, &ev->waited_ms) != 4)
		return -1;
	return 0;
}

int dom0_evtchn_close(void)
{
	return dom0_request(GNTLAB_REQ_EVTCHN_CLOSE, NULL, 0, "%s", "");
}

int dom0_leakcheck(char *why, size_t len)
{
	return dom0_request(GNTLAB_REQ_LEAKCHECK, why, len, "%s", "");
}

int dom0_diag(const char *fmt, ...)
{
	char line[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *c = line; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return dom0_request(GNTLAB_REQ_DIAG, NULL, 0, "%s", line);
}

int dom0_result(const char *verdict, const char *name, const char *reason)
{
	char r[800];

	snprintf(r, sizeof(r), "%s", reason ? reason : "");
	for (char *c = r; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return dom0_request(GNTLAB_REQ_RESULT, NULL, 0, "%s %s %s", verdict, name, r);
}

int dom0_matrix(const char *row, const char *col, const char *expected,
		const char *observed)
{
	return dom0_request(GNTLAB_REQ_MATRIX, NULL, 0, "%s %s %s %s", row, col, expected,
			    observed);
}

/* What one request's arguments may hold (dom0_request() keeps 999 chars). */
#define BATCH_MAX 990

/* Append line (first n bytes, newlines none) to batch, '\n'-separated. */
static void batch_add(char *batch, size_t *used, const char *line, size_t n)
{
	if (*used)
		batch[(*used)++] = '\n';
	memcpy(batch + *used, line, n);
	*used += n;
	batch[*used] = '\0';
}

int dom0_report(const char *verdict, const char *name, const char *reason, const char *log,
		unsigned int *requests)
{
	char batch[BATCH_MAX + 1] = "", head[BATCH_MAX + 1];
	const char *l = log;
	size_t used = 0, hl;
	unsigned int sent = 0;
	int rc;

	/* The result's own line: "<verdict> <name> <reason>", on one line. */
	snprintf(head, sizeof(head), "%s %s %s", verdict, name, reason ? reason : "");
	for (char *c = head; *c; c++)
		if (*c == '\n')
			*c = ' ';
	hl = strlen(head);
	while (l && *l) {
		size_t n = strcspn(l, "\n");
		size_t take = n > BATCH_MAX / 2 ? BATCH_MAX / 2 : n;

		/* A batch that cannot take the line goes first, as `diag`. */
		if (used && used + 1 + take > BATCH_MAX) {
			dom0_request(GNTLAB_REQ_DIAG, NULL, 0, "%s", batch);
			sent++;
			used = 0;
			batch[0] = '\0';
		}
		batch_add(batch, &used, l, take);
		l += n;
		if (*l == '\n')
			l++;
	}
	if (used && hl + 1 + used > BATCH_MAX) {
		dom0_request(GNTLAB_REQ_DIAG, NULL, 0, "%s", batch);
		sent++;
		used = 0;
	}
	rc = dom0_request(GNTLAB_REQ_RESULT, NULL, 0, "%s%s%s", head, used ? "\n" : "",
			  used ? batch : "");
	if (requests)
		*requests = sent + 1;
	return rc;
}
