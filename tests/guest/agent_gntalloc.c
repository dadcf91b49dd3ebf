// SPDX-License-Identifier: GPL-2.0
/* The agent's gntalloc verbs (agent_gntalloc.h). */
#include "agent_gntalloc.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/evtchn.h>
#include <xen/gntalloc.h>

#include "gntlab_proto.h"

#define GNTALLOC_DEV "/dev/xen/gntalloc"
#define EVTCHN_DEV "/dev/xen/evtchn"
#define DYNDBG_CONTROL "/proc/dynamic_debug/control"

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The kernel log, record by record: calls fn(seq, usec, text) for each. */
static int kmsg_each(void (*fn)(uint64_t seq, uint64_t us, const char *msg, void *arg), void *arg)
{
	char rec[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		unsigned long long seq, us;
		unsigned int pri;
		char *msg;

		if (n < 0 && errno == EPIPE)	/* overwritten while reading: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%u,%llu,%llu", &pri, &seq, &us) != 3)
			continue;
		fn(seq, us, msg + 1, arg);
	}
	close(fd);
	return 0;
}

static void last_seq(uint64_t seq, uint64_t us, const char *msg, void *arg)
{
	(void)us;
	(void)msg;
	*(uint64_t *)arg = seq;
}

/*
 * Have the kernel log grant-table.c's pr_debug lines ("deferring g.e.",
 * "freeing g.e."): the only place the guest kernel says what became of an
 * ended grant. Debian's kernel has CONFIG_DYNAMIC_DEBUG.
 */
static void dyndbg_on(struct ga_state *g)
{
	static const char q[] = "file grant-table.c +p\n";
	char line[512];
	FILE *f;
	int fd, on = 0;

	if (g->dyndbg)
		return;
	g->dyndbg = -1;
	fd = open(DYNDBG_CONTROL, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, q, sizeof(q) - 1) != (ssize_t)(sizeof(q) - 1)) {
		snprintf(g->dyndbg_why, sizeof(g->dyndbg_why), "%s: %s", DYNDBG_CONTROL,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	f = fopen(DYNDBG_CONTROL, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "grant-table.c") && strstr(line, "=p") &&
		    strstr(line, "g.e."))
			on++;
	if (f)
		fclose(f);
	if (on >= 2)
		g->dyndbg = 1;
	else
		snprintf(g->dyndbg_why, sizeof(g->dyndbg_why),
			 "grant-table.c's g.e. pr_debug sites not enabled (%d)", on);
}

static struct ga_slot *slot_arg(struct ga_state *g, const char **args)
{
	char *end;
	unsigned long i = strtoul(*args, &end, 10);

	if (end == *args || i >= GA_SLOTS)
		return NULL;
	*args = end;
	return &g->slot[i];
}

static int alloc_raw(struct ga_slot *s, uint32_t n, char *text, size_t tlen)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + n * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *op = calloc(1, sz);
	void *p;
	int err;

	if (!op)
		return ENOMEM;
	s->fd = open(GNTALLOC_DEV, O_RDWR | O_CLOEXEC);
	if (s->fd < 0) {
		err = errno;
		snprintf(text, tlen, "open %s: %s", GNTALLOC_DEV, strerror(err));
		free(op);
		return err;
	}
	op->domid = 0;
	op->flags = GNTALLOC_FLAG_WRITABLE;
	op->count = n;
	if (ioctl(s->fd, IOCTL_GNTALLOC_ALLOC_GREF, op)) {
		err = errno;
		snprintf(text, tlen, "IOCTL_GNTALLOC_ALLOC_GREF(%u): %s", n, strerror(err));
		goto fail;
	}
	s->index = op->index;
	memcpy(s->ref, op->gref_ids, n * sizeof(uint32_t));
	p = mmap(NULL, (size_t)n * GNTLAB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
		 (off_t)op->index);
	if (p == MAP_FAILED) {
		err = errno;
		snprintf(text, tlen, "mmap of gntalloc index %llu: %s",
			 (unsigned long long)op->index, strerror(err));
		goto fail;
	}
	s->addr = p;
	free(op);
	return 0;
fail:
	close(s->fd);	/* ends what was allocated (gntalloc_release) */
	free(op);
	return err;
}

int ga_cmd_alloc(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ga_slot *s = slot_arg(g, &args);
	char api[8];
	unsigned int n, seed;
	size_t used;
	int err;

	if (!s || sscanf(args, "%7s %u %u", api, &n, &seed) != 3 || n == 0 || n > GA_MAX_PAGES ||
	    (strcmp(api, "raw") && strcmp(api, "shr"))) {
		snprintf(text, tlen, "usage: galloc <0..%d> raw|shr <1..%d> <seed>", GA_SLOTS - 1,
			 GA_MAX_PAGES);
		return EINVAL;
	}
	if (s->kind != GA_NONE && !s->revoked) {
		snprintf(text, tlen, "slot in use");
		return EBUSY;
	}
	dyndbg_on(g);
	memset(s, 0, sizeof(*s));
	kmsg_each(last_seq, &s->kseq);
	if (!strcmp(api, "raw")) {
		err = alloc_raw(s, n, text, tlen);
		if (err)
			return err;
		s->kind = GA_RAW;
	} else {
		if (!g->gs)
			g->gs = xengntshr_open(NULL, 0);
		if (!g->gs) {
			err = errno;
			snprintf(text, tlen, "xengntshr_open: %s", strerror(err));
			return err;
		}
		s->addr = xengntshr_share_pages(g->gs, 0, (int)n, s->ref, 1);
		if (!s->addr) {
			err = errno;
			snprintf(text, tlen, "xengntshr_share_pages(d0, %u): %s", n, strerror(err));
			return err;
		}
		s->kind = GA_SHR;
	}
	s->n = n;
	for (uint32_t i = 0; i < n; i++)
		gntlab_pattern_fill(s->addr + (size_t)i * GNTLAB_PAGE_SIZE, seed, i, 0,
				    GNTLAB_PAGE_SIZE);
	used = (size_t)snprintf(text, tlen, "refs");
	for (uint32_t i = 0; i < n && used < tlen; i++)
		used += (size_t)snprintf(text + used, tlen - used, " %u", s->ref[i]);
	return 0;
}

static int ev_open(struct ga_state *g, char *text, size_t tlen)
{
	int err;

	if (g->evopen)
		return 0;
	g->evfd = open(EVTCHN_DEV, O_RDWR | O_CLOEXEC);
	if (g->evfd < 0) {
		err = errno;
		snprintf(text, tlen, "open %s: %s", EVTCHN_DEV, strerror(err));
		return err;
	}
	g->evopen = true;
	g->evport = -1;
	return 0;
}

int ga_cmd_notify(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ga_slot *s = slot_arg(g, &args);
	struct ioctl_gntalloc_unmap_notify op = { 0 };
	char off_s[8], port_s[12];
	int local = -1, err;

	if (!s || s->kind != GA_RAW || s->revoked ||
	    sscanf(args, "%7s %11s", off_s, port_s) != 2) {
		snprintf(text, tlen, "usage: gnotify <raw slot> <off|-> <dom0 port|->");
		return EINVAL;
	}
	op.index = s->index;
	if (strcmp(off_s, "-")) {
		unsigned long off = strtoul(off_s, NULL, 10);

		if (off >= GNTLAB_PAGE_SIZE) {
			snprintf(text, tlen, "offset %lu beyond the page", off);
			return EINVAL;
		}
		op.index += off;
		op.action |= UNMAP_NOTIFY_CLEAR_BYTE;
	}
	if (strcmp(port_s, "-")) {
		struct ioctl_evtchn_bind_interdomain bind = {
			.remote_domain = 0,
			.remote_port = (unsigned int)strtoul(port_s, NULL, 10),
		};

		err = ev_open(g, text, tlen);
		if (err)
			return err;
		local = ioctl(g->evfd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bind);
		if (local < 0) {
			err = errno;
			snprintf(text, tlen, "IOCTL_EVTCHN_BIND_INTERDOMAIN(d0 port %u): %s",
				 bind.remote_port, strerror(err));
			return err;
		}
		op.event_channel_port = (uint32_t)local;
		op.action |= UNMAP_NOTIFY_SEND_EVENT;
	}
	if (ioctl(s->fd, IOCTL_GNTALLOC_SET_UNMAP_NOTIFY, &op)) {
		err = errno;
		snprintf(text, tlen, "IOCTL_GNTALLOC_SET_UNMAP_NOTIFY(action %u): %s", op.action,
			 strerror(err));
		return err;
	}
	snprintf(text, tlen, "notify action %u byte %s local port %d", op.action, off_s, local);
	return 0;
}

int ga_cmd_revoke(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ga_slot *s = slot_arg(g, &args);
	struct ioctl_gntalloc_dealloc_gref d = { 0 };
	size_t len;
	char how[24];
	long long t0;
	int rc = 0;

	if (!s || s->kind == GA_NONE || s->revoked || sscanf(args, "%23s", how) != 1) {
		snprintf(text, tlen, "usage: grevoke <live slot> <how>");
		return EINVAL;
	}
	len = (size_t)s->n * GNTLAB_PAGE_SIZE;
	d.index = s->index;
	d.count = s->n;
	t0 = now_us();
	if (s->kind == GA_SHR && !strcmp(how, "unshare")) {
		rc = xengntshr_unshare(g->gs, s->addr, s->n) ? errno : 0;
	} else if (s->kind == GA_RAW && !strcmp(how, "munmap-dealloc")) {
		rc = munmap(s->addr, len) ? errno : 0;
		if (!rc && ioctl(s->fd, IOCTL_GNTALLOC_DEALLOC_GREF, &d))
			rc = errno;
		close(s->fd);
	} else if (s->kind == GA_RAW && !strcmp(how, "dealloc-munmap")) {
		rc = ioctl(s->fd, IOCTL_GNTALLOC_DEALLOC_GREF, &d) ? errno : 0;
		if (munmap(s->addr, len) && !rc)
			rc = errno;
		close(s->fd);
	} else if (s->kind == GA_RAW && !strcmp(how, "close")) {
		rc = munmap(s->addr, len) ? errno : 0;
		close(s->fd);
	} else {
		snprintf(text, tlen, "'%s' does not apply to this slot", how);
		return EINVAL;
	}
	s->addr = NULL;
	s->revoked = true;
	snprintf(text, tlen, "%s: %s in %lld us", how, rc ? strerror(rc) : "done",
		 now_us() - t0);
	return rc;
}

int ga_cmd_peek(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ga_slot *s = slot_arg(g, &args);
	unsigned int page, off;

	if (!s || !s->addr || sscanf(args, "%u %u", &page, &off) != 2 || page >= s->n ||
	    off >= GNTLAB_PAGE_SIZE) {
		snprintf(text, tlen, "usage: gpeek <mapped slot> <page> <off>");
		return EINVAL;
	}
	snprintf(text, tlen, "%u", s->addr[(size_t)page * GNTLAB_PAGE_SIZE + off]);
	return 0;
}

int ga_cmd_check(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ga_slot *s = slot_arg(g, &args);
	unsigned int seed, off, len;

	if (!s || !s->addr || sscanf(args, "%u %u %u", &seed, &off, &len) != 3 ||
	    off > GNTLAB_PAGE_SIZE || len > GNTLAB_PAGE_SIZE - off) {
		snprintf(text, tlen, "usage: gcheck <mapped slot> <seed> <off> <len>");
		return EINVAL;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		long bad = gntlab_pattern_check(s->addr + (size_t)i * GNTLAB_PAGE_SIZE + off, seed,
						i, off, len);

		if (bad >= 0) {
			snprintf(text, tlen, "page %u offset %ld differs", i, off + bad);
			return 1;
		}
	}
	snprintf(text, tlen, "intact");
	return 0;
}

/* What grant-table.c logged about one slot's refs since it was granted. */
struct kstate {
	const struct ga_slot *s;
	uint32_t deferred, freed, pending, leaked;	/* bit i: ref[i] */
	uint64_t first_defer_us, last_free_us;
};

static bool names_ref(const char *msg, const char *what, uint32_t ref)
{
	char key[48];
	const char *p = strstr(msg, what);
	size_t k;

	if (!p)
		return false;
	k = (size_t)snprintf(key, sizeof(key), "g.e. %#x", ref);
	p = strstr(msg, key);
	return p && (p[k] == ' ' || p[k] == '\0' || p[k] == '\n');
}

static void kstate_rec(uint64_t seq, uint64_t us, const char *msg, void *arg)
{
	struct kstate *k = arg;

	if (seq <= k->s->kseq)
		return;
	for (uint32_t i = 0; i < k->s->n; i++) {
		uint32_t bit = 1u << i, r = k->s->ref[i];

		if (names_ref(msg, "deferring g.e.", r)) {
			if (!k->deferred)
				k->first_defer_us = us;
			k->deferred |= bit;
		} else if (names_ref(msg, "freeing g.e.", r)) {
			k->freed |= bit;
			k->last_free_us = us;
		} else if (names_ref(msg, "still pending", r)) {
			k->pending |= bit;
		} else if (names_ref(msg, "leaking g.e.", r)) {
			k->leaked |= bit;
		}
	}
}

int ga_cmd_kmsg(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ga_slot *s = slot_arg(g, &args);
	struct kstate k;
	unsigned int ms;
	long long t0 = now_us(), waited;
	uint32_t all;
	int err;

	if (!s || s->kind == GA_NONE || sscanf(args, "%u", &ms) != 1) {
		snprintf(text, tlen, "usage: gkmsg <slot> <ms>");
		return EINVAL;
	}
	if (g->dyndbg != 1) {
		snprintf(text, tlen, "no grant-table.c debug lines: %s", g->dyndbg_why);
		return ENOTSUP;
	}
	all = (1u << s->n) - 1;
	for (;;) {
		memset(&k, 0, sizeof(k));
		k.s = s;
		err = kmsg_each(kstate_rec, &k);
		if (err) {
			snprintf(text, tlen, "/dev/kmsg: %s", strerror(err));
			return err;
		}
		waited = (now_us() - t0) / 1000;
		if (k.freed == all || waited >= ms)
			break;
		usleep(50 * 1000);
	}
	snprintf(text, tlen, "deferred %d freed %d pending %d leaked %d of %u waited %lld span %lld",
		 __builtin_popcount(k.deferred), __builtin_popcount(k.freed),
		 __builtin_popcount(k.pending), __builtin_popcount(k.leaked), s->n, waited,
		 k.deferred && k.freed ? (long long)(k.last_free_us - k.first_defer_us) / 1000 : -1LL);
	return 0;
}

int ga_cmd_evbind(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	int err = ev_open(g, text, tlen), port;

	(void)args;
	if (err)
		return err;
	port = ioctl(g->evfd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (port < 0) {
		err = errno;
		snprintf(text, tlen, "IOCTL_EVTCHN_BIND_UNBOUND_PORT(d0): %s", strerror(err));
		return err;
	}
	g->evport = port;
	snprintf(text, tlen, "%d", port);
	return 0;
}

int ga_cmd_evwait(struct ga_state *g, const char *args, char *text, size_t tlen)
{
	long long t0 = now_us(), left;
	unsigned int ms;
	int fired = 0, other = 0;

	if (!g->evopen || g->evport < 0 || sscanf(args, "%u", &ms) != 1) {
		snprintf(text, tlen, "usage: gevwait <ms> after gevbind");
		return EINVAL;
	}
	while (!fired && (left = (long long)ms - (now_us() - t0) / 1000) >= 0) {
		struct pollfd pfd = { .fd = g->evfd, .events = POLLIN };
		uint32_t ports[16];
		ssize_t n;

		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		n = read(g->evfd, ports, sizeof(ports));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(ports[0]); i++) {
			if (ports[i] == (uint32_t)g->evport)
				fired = 1;
			else
				other++;
		}
		/* Unmask what was read (the evtchn device's protocol). */
		if (write(g->evfd, ports, (size_t)n) != n)
			break;
	}
	snprintf(text, tlen, "fired %d waited %lld other %d", fired, (now_us() - t0) / 1000, other);
	return 0;
}

void ga_release_all(struct ga_state *g)
{
	for (int i = 0; i < GA_SLOTS; i++) {
		struct ga_slot *s = &g->slot[i];

		if (s->kind == GA_NONE || s->revoked)
			continue;
		if (s->kind == GA_SHR) {
			xengntshr_unshare(g->gs, s->addr, s->n);
		} else {
			munmap(s->addr, (size_t)s->n * GNTLAB_PAGE_SIZE);
			close(s->fd);
		}
		s->addr = NULL;
		s->revoked = true;
	}
	if (g->evopen)
		close(g->evfd);
	g->evopen = false;
}
