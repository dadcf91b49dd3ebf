/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntdev_map: mapping grants through the kernel's own /dev/xen/gntdev
 * (drivers/xen/gntdev.c), through its ioctl ABI directly (not
 * libxengnttab), so a test can pass every mmap flag and protection a user
 * space program can. Plain C like gtmap.h: libc and the installed uapi
 * header only (no harness, no xenstore, no peer).
 *
 * The ABI is the installed <xen/gntdev.h> (Debian linux-libc-dev, the
 * kernel's include/uapi/xen/gntdev.h without __user); it needs
 * <sys/ioctl.h> for _IOC and Xen's public <xen/xen.h> / <xen/grant_table.h>
 * (libxen-dev) for domid_t and grant_ref_t, included here in that order.
 * gntdev_map.c checks the struct layouts against Linux 6.1 at compile time.
 *
 * Every function returns 0 or a positive errno (never -1 + errno), except
 * gd_open(), which returns the fd or -1 with errno set, as open() does.
 *
 * The life of a map (gntdev's model, drivers/xen/gntdev.c):
 *
 *   struct gd_map m;
 *   int fd = gd_open();
 *   gd_reserve_refs(fd, domid, refs, n, &m);     // IOCTL_GNTDEV_MAP_GRANT_REF:
 *                                                // a gntdev_grant_map, index
 *   gd_mmap(&m, PROT_READ | PROT_WRITE, MAP_SHARED); // mmap at offset index:
 *                                                // the grant map hypercall
 *                                                // (read-only without PROT_WRITE)
 *   ... m.addr[0 .. m.len) ...
 *   gd_unmap(&m);       // munmap + IOCTL_GNTDEV_UNMAP_GRANT_REF (or the two
 *                       // halves: gd_munmap(&m); gd_release(&m);)
 *
 * gntdev has no "mode" and no read-only map flag: the mapping is read-only
 * when the VMA has no VM_WRITE (gntdev_mmap sets GNTMAP_readonly), so
 * gd_map_refs() takes `readonly` and mmaps PROT_READ only then. mmap must be
 * MAP_SHARED (gntdev_mmap refuses a private writable VMA with EINVAL).
 *
 * The raw calls (gd_ioctl, gd_ioc_*, gd_mmap_at) take exactly the ioctl's or
 * mmap's arguments, for tests that pass deliberately wrong ones.
 */
#ifndef GNTLAB_GNTDEV_MAP_H
#define GNTLAB_GNTDEV_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/gntdev.h>

#define GD_DEVICE "/dev/xen/gntdev"
#define GD_PAGE 4096u

/* One map of this process: reserved by MAP_GRANT_REF, maybe mmapped. */
struct gd_map {
	int fd;			/* /dev/xen/gntdev fd the map belongs to */
	uint8_t *addr;		/* NULL if not mmapped */
	size_t len;		/* count * GD_PAGE */
	uint64_t index;		/* mmap offset returned by MAP_GRANT_REF */
	uint32_t count;
	bool reserved;		/* MAP_GRANT_REF done, not yet UNMAP_GRANT_REF */
};

/* open(/dev/xen/gntdev, O_RDWR | O_CLOEXEC): the fd, or -1 with errno. */
int gd_open(void);
/* Whether the device node exists (for a SKIP with reason: the module or
 * devtmpfs missing). */
bool gd_available(void);

/* ---- raw calls ----------------------------------------------------------- */

/* ioctl(fd, cmd, arg): 0 or errno (any command word, any argument). */
int gd_ioctl(int fd, unsigned long cmd, void *arg);
/* IOCTL_GNTDEV_MAP_GRANT_REF of g[0..count); *index (may be NULL) gets the
 * mmap offset. The request is built with exactly `count` refs. */
int gd_ioc_map(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count,
	       uint64_t *index);
/* IOCTL_GNTDEV_UNMAP_GRANT_REF of (index, count). */
int gd_ioc_unmap(int fd, uint64_t index, uint32_t count);
/* IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR: *offset / *count (either may be NULL)
 * get the mmap offset and page count of the VMA starting at vaddr. */
int gd_ioc_offset_for_vaddr(int fd, const void *vaddr, uint64_t *offset, uint32_t *count);
/* IOCTL_GNTDEV_SET_MAX_GRANTS (Linux 6.1's gntdev_ioctl no longer handles it:
 * ENOTTY there; kept because older kernels and the ABI still name it). */
int gd_ioc_set_max_grants(int fd, uint32_t count);
/* IOCTL_GNTDEV_SET_UNMAP_NOTIFY: action UNMAP_NOTIFY_CLEAR_BYTE and/or
 * UNMAP_NOTIFY_SEND_EVENT (port) for the byte at mmap offset `index`. */
int gd_ioc_unmap_notify(int fd, uint64_t index, uint32_t action, uint32_t port);
/* IOCTL_GNTDEV_GRANT_COPY of seg[0..count); each seg's status is written
 * back by the kernel (GNTST_*). */
int gd_ioc_grant_copy(int fd, struct gntdev_grant_copy_segment *seg, unsigned int count);
/* mmap(NULL, len, prot, flags, fd, off); *addr gets the address, or (addr
 * NULL) the mapping is unmapped again at once. */
int gd_mmap_at(int fd, uint64_t off, size_t len, int prot, int flags, void **addr);

/* ---- one map --------------------------------------------------------------- */

/* g[i] = { domid, ref[i] } for i < count. */
void gd_grefs(struct ioctl_gntdev_grant_ref *g, uint32_t domid, const uint32_t *ref,
	      uint32_t count);
/* Reserve a map of g[0..count) (MAP_GRANT_REF); *m is reset first. */
int gd_reserve_grefs(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count,
		     struct gd_map *m);
/* The same for `count` refs of one granter `domid`. */
int gd_reserve_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count,
		    struct gd_map *m);
/* mmap the whole reserved map (m->addr). */
int gd_mmap(struct gd_map *m, int prot, int flags);
/* Reserve + mmap(MAP_SHARED, PROT_READ | PROT_WRITE, or PROT_READ only if
 * readonly). On an mmap failure the reservation is released and the mmap's
 * errno returned. */
int gd_map_grefs(int fd, const struct ioctl_gntdev_grant_ref *g, uint32_t count, bool readonly,
		 struct gd_map *m);
int gd_map_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count, bool readonly,
		struct gd_map *m);
/* munmap only (if mmapped); the reservation stays. */
int gd_munmap(struct gd_map *m);
/* UNMAP_GRANT_REF only (if reserved); a live mmap keeps the grants mapped
 * until munmap (gntdev drops its map on the last reference). */
int gd_release(struct gd_map *m);
/* gd_munmap + gd_release; the first error wins, both are attempted. */
int gd_unmap(struct gd_map *m);

#endif
