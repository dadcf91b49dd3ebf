/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gtmap: mapping grants through /dev/gntlab, for every guest program (the
 * test suites, gntlab-agent, gntlab-bench). Plain C: it needs only libc and
 * guest-kmod/gntlab.h (no harness, no xenstore, no peer), so any program can
 * link tests/guest/gtmap.c.
 *
 * Every function returns 0 or a positive errno (never -1 + errno), except
 * gt_open(), which returns the fd or -1 with errno set, as open() does.
 *
 * The life of a map (see guest-kmod/gntlab.h for the ABI):
 *
 *   struct gt_map m;
 *   int fd = gt_open();
 *   gt_reserve_refs(fd, domid, refs, n, GNTLAB_MODE_SPECIAL, 0, &m);  // IOC_MAP
 *   gt_mmap(&m, PROT_READ | PROT_WRITE, MAP_SHARED);                  // mmap
 *   ... m.addr[0 .. m.len) ...
 *   gt_unmap(&m);            // munmap + IOC_UNMAP (or the two halves:
 *                            // gt_munmap(&m); gt_release(&m);)
 *   gt_wait_zero(fd, 5000, &st);   // module counters back to zero
 *
 * gt_map_refs() / gt_map_grefs() do reserve + mmap in one call (prot from
 * the flags: read-only if GNTLAB_MAP_READONLY), releasing the reservation if
 * the mmap fails. gt_unmap() is safe on a map in any state (reserved only,
 * mmapped, already unmapped) and on a zeroed struct gt_map with fd 0 only if
 * nothing is reserved or mapped.
 *
 * The raw calls (gt_ioctl, gt_ioc_map, gt_ioc_unmap, gt_mmap_at) take exactly the
 * ioctl's or mmap's arguments, for tests that pass deliberately wrong ones.
 */
#ifndef GNTLAB_GTMAP_H
#define GNTLAB_GTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gntlab.h"

#define GT_PAGE 4096u

/* One map of this process: reserved by GNTLAB_IOC_MAP, maybe mmapped. */
struct gt_map {
	int fd;			/* /dev/gntlab fd the map belongs to */
	uint8_t *addr;		/* NULL if not mmapped */
	size_t len;		/* count * GT_PAGE */
	uint64_t index;		/* mmap offset returned by GNTLAB_IOC_MAP */
	uint32_t count;
	uint32_t mode;		/* enum gntlab_mode */
	uint32_t flags;		/* GNTLAB_MAP_* */
	bool reserved;		/* GNTLAB_IOC_MAP done, not yet UNMAPped */
};

/* open(/dev/gntlab, O_RDWR | O_CLOEXEC): the fd, or -1 with errno. */
int gt_open(void);

/* ---- raw calls ----------------------------------------------------------- */

/* ioctl(fd, cmd, arg): 0 or errno (any command word, any argument). */
int gt_ioctl(int fd, unsigned long cmd, void *arg);
/* GNTLAB_IOC_MAP of g[0..count); *index (may be NULL) gets the mmap offset. */
int gt_ioc_map(int fd, const struct gntlab_grant_ref *g, uint32_t count, uint32_t mode,
	       uint32_t flags, uint64_t *index);
/* GNTLAB_IOC_UNMAP of (index, count). */
int gt_ioc_unmap(int fd, uint64_t index, uint32_t count);
/* mmap(NULL, len, prot, flags, fd, off); *addr gets the address, or (addr
 * NULL) the mapping is unmapped again at once. */
int gt_mmap_at(int fd, uint64_t off, size_t len, int prot, int flags, void **addr);

/* ---- one map --------------------------------------------------------------- */

/* g[i] = { domid, ref[i] } for i < count. */
void gt_grefs(struct gntlab_grant_ref *g, uint32_t domid, const uint32_t *ref, uint32_t count);
/* Reserve a map of g[0..count) (GNTLAB_IOC_MAP); *m is reset first. */
int gt_reserve_grefs(int fd, const struct gntlab_grant_ref *g, uint32_t count, uint32_t mode,
		     uint32_t flags, struct gt_map *m);
/* The same for `count` refs of one granter `domid`. */
int gt_reserve_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count, uint32_t mode,
		    uint32_t flags, struct gt_map *m);
/* mmap the whole reserved map (m->addr). */
int gt_mmap(struct gt_map *m, int prot, int flags);
/* Reserve + mmap(MAP_SHARED, PROT_READ | PROT_WRITE unless READONLY). On an
 * mmap failure the reservation is released and the mmap's errno returned. */
int gt_map_grefs(int fd, const struct gntlab_grant_ref *g, uint32_t count, uint32_t mode,
		 uint32_t flags, struct gt_map *m);
int gt_map_refs(int fd, uint32_t domid, const uint32_t *ref, uint32_t count, uint32_t mode,
		uint32_t flags, struct gt_map *m);
/* munmap only (if mmapped); the reservation stays. */
int gt_munmap(struct gt_map *m);
/* GNTLAB_IOC_UNMAP only (if reserved); a live mmap keeps the map alive. */
int gt_release(struct gt_map *m);
/* gt_munmap + gt_release; the first error wins, both are attempted. */
int gt_unmap(struct gt_map *m);

/* ---- the module's state ------------------------------------------------------ */

int gt_stats(int fd, struct gntlab_stats *st);
/* No live map, grant (user or kernel), held page or deferred unmap. */
bool gt_stats_zero(const struct gntlab_stats *st);
/* "maps N, grants user N kernel N, pages N, deferred N" */
void gt_stats_str(const struct gntlab_stats *st, char *buf, size_t len);
/* Poll (every 20 ms, up to timeout_ms) until gt_stats_zero(); *st (may be
 * NULL) gets the last reading. 0, ETIMEDOUT, or GNTLAB_IOC_STATS's errno. */
int gt_wait_zero(int fd, int timeout_ms, struct gntlab_stats *st);

/* ---- probes (root only) -------------------------------------------------------- */

/* GNTLAB_IOC_INTROSPECT of one address inside one of fd's mappings. */
int gt_introspect(int fd, const void *addr, struct gntlab_introspect *in);
/* GNTLAB_IOC_GUP_PROBE: one GUP flavour (enum gntlab_gup_kind) at addr. */
int gt_gup(int fd, const void *addr, uint32_t kind, bool write, struct gntlab_gup_probe *p);
/* The _ANY flavours: any user address of this process (another driver's
 * mapping too); see GNTLAB_IOC_INTROSPECT_ANY / GNTLAB_IOC_GUP_PROBE_ANY. */
int gt_introspect_any(int fd, const void *addr, struct gntlab_introspect *in);
int gt_gup_any(int fd, const void *addr, uint32_t kind, bool write, struct gntlab_gup_probe *p);

#endif
