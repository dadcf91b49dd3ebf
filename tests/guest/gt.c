// SPDX-License-Identifier: GPL-2.0
#include "gt.h"
#include "../crash_patterns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

const char *const gt_mode_name[GNTLAB_MODE_COUNT] = {
	[GNTLAB_MODE_SPECIAL] = "special",
	[GNTLAB_MODE_NOHOOK] = "nohook",
	[GNTLAB_MODE_PFNMAP] = "pfnmap",
};

int gt_open(void)
{
	return open(GNTLAB_DEVICE, O_RDWR | O_CLOEXEC);
}

int gt_reserve(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	       struct gt_map *m)
{
	struct gntlab_grant_ref *g = calloc(s->count, sizeof(*g));
	struct gntlab_map req = { 0 };
	int rc = 0;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
	if (!g)
		return ENOMEM;
	for (uint32_t i = 0; i < s->count; i++) {
		g[i].domid = s->domid;
		g[i].ref = s->ref[i];
	}
	req.count = s->count;
	req.flags = readonly ? GNTLAB_MAP_READONLY : 0;
	req.mode = mode;
	req.refs = (uint64_t)(uintptr_t)g;
	if (ioctl(fd, GNTLAB_IOC_MAP, &req))
		rc = errno;
	free(g);
	if (rc)
		return rc;
	m->index = req.index;
	m->count = s->count;
	m->len = (size_t)s->count * GT_PAGE;
	m->reserved = true;
	return 0;
}

int gt_mmap(struct gt_map *m, int prot, int flags)
{
	void *a = mmap(NULL, m->len, prot, flags, m->fd, (off_t)m->index);

	if (a == MAP_FAILED)
		return errno;
	m->addr = a;
	return 0;
}

int gt_map(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	   struct gt_map *m)
{
	int rc = gt_reserve(fd, s, mode, readonly, m);

	if (rc)
		return rc;
	rc = gt_mmap(m, PROT_READ | (readonly ? 0 : PROT_WRITE), MAP_SHARED);
	if (rc)
		gt_unmap(m);
	return rc;
}

int gt_unmap(struct gt_map *m)
{
	int rc = 0;

	if (m->addr && munmap(m->addr, m->len))
		rc = errno;
	m->addr = NULL;
	if (m->reserved) {
		struct gntlab_unmap u = { .index = m->index, .count = m->count };

		if (ioctl(m->fd, GNTLAB_IOC_UNMAP, &u) && !rc)
			rc = errno;
		m->reserved = false;
	}
	return rc;
}

int gt_stats(int fd, struct gntlab_stats *st)
{
	return ioctl(fd, GNTLAB_IOC_STATS, st) ? errno : 0;
}

int gt_wait_counters_zero(int fd, int timeout_ms, char *why, size_t len)
{
	struct gntlab_stats st;

	for (int waited = 0;; waited += 20) {
		int rc = gt_stats(fd, &st);

		if (rc) {
			snprintf(why, len, "GNTLAB_IOC_STATS: %s", strerror(rc));
			return -1;
		}
		if (!st.live_maps && !st.live_grants_user && !st.live_grants_kernel &&
		    !st.pages_held && !st.deferred_unmaps)
			return 0;
		if (waited >= timeout_ms)
			break;
		usleep(20 * 1000);
	}
	snprintf(why, len,
		 "module counters not zero after %d ms: maps %llu, grants user %llu kernel %llu, pages %llu, deferred %llu",
		 timeout_ms, (unsigned long long)st.live_maps,
		 (unsigned long long)st.live_grants_user,
		 (unsigned long long)st.live_grants_kernel,
		 (unsigned long long)st.pages_held,
		 (unsigned long long)st.deferred_unmaps);
	return -1;
}

int gt_introspect(int fd, const void *addr, struct gntlab_introspect *in)
{
	memset(in, 0, sizeof(*in));
	in->version = GNTLAB_INTROSPECT_VERSION;
	in->size = sizeof(*in);
	in->addr = (uint64_t)(uintptr_t)addr;
	return ioctl(fd, GNTLAB_IOC_INTROSPECT, in) ? errno : 0;
}

int gt_gup(int fd, const void *addr, uint32_t kind, bool write,
	   struct gntlab_gup_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->addr = (uint64_t)(uintptr_t)addr;
	p->kind = kind;
	p->write = write;
	return ioctl(fd, GNTLAB_IOC_GUP_PROBE, p) ? errno : 0;
}

bool gt_kernel_log_bad(char *line, size_t len)
{
	static char buf[1 << 18];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	const char *s;
	size_t l;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!crash_find(buf, CRASH_KLOG, &s, &l))
		return false;
	snprintf(line, len, "%.*s", (int)l, s);
	return true;
}
