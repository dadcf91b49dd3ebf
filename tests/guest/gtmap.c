// SPDX-License-Identifier: GPL-2.0
/* gtmap: mapping grants through /dev/gntlab (see gtmap.h). */
#include "gtmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int gt_open(void)
{
	return open(GNTLAB_DEVICE, O_RDWR | O_CLOEXEC);
}

int gt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

int gt_ioc_map(int fd, const struct gntlab_grant_ref *g, uint32_t count, uint32_t mode,
	       uint32_t flags, uint64_t *index)
{
	struct gntlab_map req = {
		.count = count,
		.flags = flags,
		.mode = mode,
		.refs = (uint64_t)(uintptr_t)g,
	};
	int rc = gt_ioctl(fd, GNTLAB_IOC_MAP, &req);

	if (rc)
		return rc;
	if (index)
		*index = req.index;
	return 0;
}

int gt_ioc_unmap(int fd, uint64_t index, uint32_t count)
{
	struct gntlab_unmap u = { .index = index, .count = count };

	return gt_ioctl(fd, GNTLAB_IOC_UNMAP, &u);
}

int gt_mmap_at(int fd, uint64_t off, size_t len, int prot, int flags, void **addr)
{
	void *a = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (a == MAP_FAILED)
		return errno;
	if (addr)
		*addr = a;
	else
		munmap(a, len);
	return 0;
}

void gt_grefs(struct gntlab_grant_ref *g, uint32_t domid, const uint32_t *ref, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		g[i].domid = domid;
		g[i].ref = ref[i];
	}
}

int gt_reserve_grefs(int fd, const struct gntlab_grant_ref *g, uint32_t count, uint32_t mode,
		     uint32_t flags, struct gt_map *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
	rc = gt_ioc_map(fd, g, count, mode, flags, &m->index);
	if (rc)
		return rc;
	m->count = count;
	m->len = (size_t)count * GT_PAGE;
	m->mode = mode;
	m->flags = flags;
	m->reserved = true;
	return 0;
}

int gt_reserve_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count, uint32_t mode,
		    uint32_t flags, struct gt_map *m)
{
	struct gntlab_grant_ref *g = calloc(count ? count : 1, sizeof(*g));
	int rc;

	if (!g) {
		memset(m, 0, sizeof(*m));
		m->fd = fd;
		return ENOMEM;
	}
	gt_grefs(g, domid, ref, count);
	rc = gt_reserve_grefs(fd, g, count, mode, flags, m);
	free(g);
	return rc;
}

int gt_mmap(struct gt_map *m, int prot, int flags)
{
	void *a = NULL;
	int rc = gt_mmap_at(m->fd, m->index, m->len, prot, flags, &a);

	if (!rc)
		m->addr = a;
	return rc;
}

/* The mmap of gt_map_*(): shared, writable unless READONLY; undone on failure. */
static int mmap_reserved(struct gt_map *m)
{
	int rc = gt_mmap(m, PROT_READ | (m->flags & GNTLAB_MAP_READONLY ? 0 : PROT_WRITE),
			 MAP_SHARED);

	if (rc)
		gt_release(m);
	return rc;
}

int gt_map_grefs(int fd, const struct gntlab_grant_ref *g, uint32_t count, uint32_t mode,
		 uint32_t flags, struct gt_map *m)
{
	int rc = gt_reserve_grefs(fd, g, count, mode, flags, m);

	return rc ? rc : mmap_reserved(m);
}

int gt_map_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count, uint32_t mode,
		uint32_t flags, struct gt_map *m)
{
	int rc = gt_reserve_refs(fd, domid, ref, count, mode, flags, m);

	return rc ? rc : mmap_reserved(m);
}

int gt_munmap(struct gt_map *m)
{
	int rc = 0;

	if (m->addr && munmap(m->addr, m->len))
		rc = errno;
	m->addr = NULL;
	return rc;
}

int gt_release(struct gt_map *m)
{
	int rc = 0;

	if (m->reserved)
		rc = gt_ioc_unmap(m->fd, m->index, m->count);
	m->reserved = false;
	return rc;
}

int gt_unmap(struct gt_map *m)
{
	int rc = gt_munmap(m);
	int rc2 = gt_release(m);

	return rc ? rc : rc2;
}

int gt_stats(int fd, struct gntlab_stats *st)
{
	return gt_ioctl(fd, GNTLAB_IOC_STATS, st);
}

bool gt_stats_zero(const struct gntlab_stats *st)
{
	return !st->live_maps && !st->live_grants_user && !st->live_grants_kernel &&
	       !st->pages_held && !st->deferred_unmaps;
}

void gt_stats_str(const struct gntlab_stats *st, char *buf, size_t len)
{
	snprintf(buf, len, "maps %llu, grants user %llu kernel %llu, pages %llu, deferred %llu",
		 (unsigned long long)st->live_maps, (unsigned long long)st->live_grants_user,
		 (unsigned long long)st->live_grants_kernel, (unsigned long long)st->pages_held,
		 (unsigned long long)st->deferred_unmaps);
}

int gt_wait_zero(int fd, int timeout_ms, struct gntlab_stats *st)
{
	struct gntlab_stats s;

	if (!st)
		st = &s;
	for (int waited = 0;; waited += 20) {
		int rc = gt_stats(fd, st);

		if (rc)
			return rc;
		if (gt_stats_zero(st))
			return 0;
		if (waited >= timeout_ms)
			return ETIMEDOUT;
		usleep(20 * 1000);
	}
}

static int introspect_cmd(int fd, unsigned long cmd, const void *addr,
			  struct gntlab_introspect *in)
{
	memset(in, 0, sizeof(*in));
	in->version = GNTLAB_INTROSPECT_VERSION;
	in->size = sizeof(*in);
	in->addr = (uint64_t)(uintptr_t)addr;
	return gt_ioctl(fd, cmd, in);
}

int gt_introspect(int fd, const void *addr, struct gntlab_introspect *in)
{
	return introspect_cmd(fd, GNTLAB_IOC_INTROSPECT, addr, in);
}

int gt_introspect_any(int fd, const void *addr, struct gntlab_introspect *in)
{
	return introspect_cmd(fd, GNTLAB_IOC_INTROSPECT_ANY, addr, in);
}

static int gup_cmd(int fd, unsigned long cmd, const void *addr, uint32_t kind, bool write,
		   struct gntlab_gup_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->addr = (uint64_t)(uintptr_t)addr;
	p->kind = kind;
	p->write = write;
	return gt_ioctl(fd, cmd, p);
}

int gt_gup(int fd, const void *addr, uint32_t kind, bool write, struct gntlab_gup_probe *p)
{
	return gup_cmd(fd, GNTLAB_IOC_GUP_PROBE, addr, kind, write, p);
}

int gt_gup_any(int fd, const void *addr, uint32_t kind, bool write, struct gntlab_gup_probe *p)
{
	return gup_cmd(fd, GNTLAB_IOC_GUP_PROBE_ANY, addr, kind, write, p);
}
