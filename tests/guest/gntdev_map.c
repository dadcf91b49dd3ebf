// SPDX-License-Identifier: GPL-2.0
/* gntdev_map: the kernel's /dev/xen/gntdev through its ioctl ABI (see gntdev_map.h). */
#include "gntdev_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The layouts of Linux 6.1's include/uapi/xen/gntdev.h on x86-64 (what the
 * guest kernel decodes): a different installed header fails the build here
 * rather than a test at run time.
 */
_Static_assert(sizeof(struct ioctl_gntdev_grant_ref) == 8, "grant_ref layout");
_Static_assert(sizeof(struct ioctl_gntdev_map_grant_ref) == 24, "map_grant_ref layout");
_Static_assert(offsetof(struct ioctl_gntdev_map_grant_ref, index) == 8, "map index");
_Static_assert(offsetof(struct ioctl_gntdev_map_grant_ref, refs) == 16, "map refs");
_Static_assert(sizeof(struct ioctl_gntdev_unmap_grant_ref) == 16, "unmap layout");
_Static_assert(sizeof(struct ioctl_gntdev_get_offset_for_vaddr) == 24, "offset layout");
_Static_assert(offsetof(struct ioctl_gntdev_get_offset_for_vaddr, count) == 16, "offset count");
_Static_assert(sizeof(struct ioctl_gntdev_set_max_grants) == 4, "max_grants layout");
_Static_assert(sizeof(struct ioctl_gntdev_unmap_notify) == 16, "notify layout");
_Static_assert(sizeof(struct gntdev_grant_copy_segment) == 24, "copy segment layout");
_Static_assert(offsetof(struct gntdev_grant_copy_segment, len) == 16, "segment len");
_Static_assert(offsetof(struct gntdev_grant_copy_segment, status) == 20, "segment status");
_Static_assert(sizeof(struct ioctl_gntdev_grant_copy) == 16, "grant_copy layout");
_Static_assert(IOCTL_GNTDEV_MAP_GRANT_REF == 0x184700, "MAP_GRANT_REF number");
_Static_assert(IOCTL_GNTDEV_GRANT_COPY == 0x104708, "GRANT_COPY number");

int gd_open(void)
{
	return open(GD_DEVICE, O_RDWR | O_CLOEXEC);
}

bool gd_available(void)
{
	return access(GD_DEVICE, F_OK) == 0;
}

int gd_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

int gd_ioc_map(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count,
	       uint64_t *index)
{
	size_t n = count ? count : 1;
	size_t head = offsetof(struct ioctl_gntdev_map_grant_ref, refs);
	struct ioctl_gntdev_map_grant_ref *req;
	int rc;

	if (n > (SIZE_MAX - head) / sizeof(*g))
		return ENOMEM;
	req = calloc(1, head + n * sizeof(*g));
	if (!req)
		return ENOMEM;
	req->count = count;
	if (count)
		memcpy(req->refs, g, (size_t)count * sizeof(*g));
	rc = gd_ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, req);
	if (!rc && index)
		*index = req->index;
	free(req);
	return rc;
}

int gd_ioc_unmap(int fd, uint64_t index, uint32_t count)
{
	struct ioctl_gntdev_unmap_grant_ref u = { .index = index, .count = count };

	return gd_ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
}

int gd_ioc_offset_for_vaddr(int fd, const void *vaddr, uint64_t *offset, uint32_t *count)
{
	struct ioctl_gntdev_get_offset_for_vaddr q = { .vaddr = (uint64_t)(uintptr_t)vaddr };
	int rc = gd_ioctl(fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &q);

	if (rc)
		return rc;
	if (offset)
		*offset = q.offset;
	if (count)
		*count = q.count;
	return 0;
}

int gd_ioc_set_max_grants(int fd, uint32_t count)
{
	struct ioctl_gntdev_set_max_grants q = { .count = count };

	return gd_ioctl(fd, IOCTL_GNTDEV_SET_MAX_GRANTS, &q);
}

int gd_ioc_unmap_notify(int fd, uint64_t index, uint32_t action, uint32_t port)
{
	struct ioctl_gntdev_unmap_notify q = {
		.index = index, .action = action, .event_channel_port = port,
	};

	return gd_ioctl(fd, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &q);
}

int gd_ioc_grant_copy(int fd, struct gntdev_grant_copy_segment *seg, unsigned int count)
{
	struct ioctl_gntdev_grant_copy q = { .count = count, .segments = seg };

	return gd_ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &q);
}

int gd_mmap_at(int fd, uint64_t off, size_t len, int prot, int flags, void **addr)
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

void gd_grefs(struct ioctl_gntdev_grant_ref *g, uint32_t domid, const uint32_t *ref,
	      uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		g[i].domid = domid;
		g[i].ref = ref[i];
	}
}

int gd_reserve_grefs(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count,
		     struct gd_map *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
	rc = gd_ioc_map(fd, g, count, &m->index);
	if (rc)
		return rc;
	m->count = count;
	m->len = (size_t)count * GD_PAGE;
	m->reserved = true;
	return 0;
}

int gd_reserve_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count,
		    struct gd_map *m)
{
	struct ioctl_gntdev_grant_ref *g = calloc(count ? count : 1, sizeof(*g));
	int rc;

	if (!g) {
		memset(m, 0, sizeof(*m));
		m->fd = fd;
		return ENOMEM;
	}
	gd_grefs(g, domid, ref, count);
	rc = gd_reserve_grefs(fd, g, count, m);
	free(g);
	return rc;
}

int gd_mmap(struct gd_map *m, int prot, int flags)
{
	void *a = NULL;
	int rc = gd_mmap_at(m->fd, m->index, m->len, prot, flags, &a);

	if (!rc)
		m->addr = a;
	return rc;
}

/* The mmap of gd_map_*(): shared, writable unless readonly; undone on failure. */
static int mmap_reserved(struct gd_map *m, bool readonly)
{
	int rc = gd_mmap(m, PROT_READ | (readonly ? 0 : PROT_WRITE), MAP_SHARED);

	if (rc)
		gd_release(m);
	return rc;
}

int gd_map_grefs(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count, bool readonly,
		 struct gd_map *m)
{
	int rc = gd_reserve_grefs(fd, g, count, m);

	return rc ? rc : mmap_reserved(m, readonly);
}

int gd_map_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count, bool readonly,
		struct gd_map *m)
{
	int rc = gd_reserve_refs(fd, domid, ref, count, m);

	return rc ? rc : mmap_reserved(m, readonly);
}

int gd_munmap(struct gd_map *m)
{
	int rc = 0;

	if (m->addr && munmap(m->addr, m->len))
		rc = errno;
	m->addr = NULL;
	return rc;
}

int gd_release(struct gd_map *m)
{
	int rc = 0;

	if (m->reserved)
		rc = gd_ioc_unmap(m->fd, m->index, m->count);
	m->reserved = false;
	return rc;
}

int gd_unmap(struct gd_map *m)
{
	int rc = gd_munmap(m);
	int rc2 = gd_release(m);

	return rc ? rc : rc2;
}
