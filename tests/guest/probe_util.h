/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe_util: what the probe suite (suite_probe.c, suite_probe_fuzz.c)
 * shares: the VMAs of /proc/self/maps, the pfn and mapcount the kernel's
 * own files report, the one-line summary of an introspection. Header-only
 * (static functions), harness-free, so either suite file builds alone.
 */
#ifndef GNTLAB_PROBE_UTIL_H
#define GNTLAB_PROBE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gntlab.h"
#include "gt.h"

/* vm_flags bits (include/linux/mm.h, 6.1): the ones the tests look at. */
#define PU_VM_READ	0x00000001ull
#define PU_VM_WRITE	0x00000002ull
#define PU_VM_SHARED	0x00000008ull
#define PU_VM_PFNMAP	0x00000400ull
#define PU_VM_IO	0x00004000ull
#define PU_VM_MIXEDMAP	0x10000000ull

#define PU_NONE (~0ull)

/* [start, end) of the first /proc/self/maps line whose name is `name`
 * ("[vdso]", "[vvar]"); 0 when found, -1 if not. */
static inline int pu_find_vma(const char *name, uintptr_t *start, uintptr_t *end)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		int n = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &s, &e, &n) < 2 || !n)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line + n, name)) {
			*start = s;
			*end = e;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}
/*
 * Drain every CPU's LRU batches (their folio references): move_pages() of
 * addr to node 0, where it already is (the guest has one node), runs
 * lru_cache_disable() -> lru_add_drain_all() and migrates nothing.
 * 0, or -1 if the call failed.
 */
static inline int pu_drain_lru(const void *addr)
{
	void *pages[1] = { (void *)addr };
	int nodes[1] = { 0 }, status[1] = { -1 };

	if (syscall(SYS_move_pages, 0, 1UL, pages, nodes, status, 0))
		return -1;
	return status[0] == 0 ? 0 : -1;
}

/* Whether any line of /proc/self/maps covers addr. */
static inline bool pu_mapped(uintptr_t addr)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	bool in = false;

	if (!f)
		return false;
	while (!in && fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && addr >= s && addr < e)
			in = true;
	}
	fclose(f);
	return in;
}
/* The pfn /proc/self/pagemap reports for addr (root: real pfns); 0, or -1
 * when the page is not present or the file cannot be read. */
static inline int pu_pagemap_pfn(const void *addr, uint64_t *pfn)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / 4096 * sizeof(e)));
	close(fd);
	if (n != (ssize_t)sizeof(e) || !(e >> 63))
		return -1;
	*pfn = e & ((1ull << 55) - 1);
	return 0;
}
/* /proc/kpagecount of pfn (the page's mapcount); -1 if unreadable. */
static inline int64_t pu_kpagecount(uint64_t pfn)
{
	uint64_t c = 0;
	int fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &c, sizeof(c), (off_t)(pfn * sizeof(c)));
	close(fd);
	return n == (ssize_t)sizeof(c) ? (int64_t)c : -1;
}
/* "pte .. mfn .. m2p .. pfn .. normal .. count .. bits .." for logs. */
static inline void pu_str(const struct gntlab_introspect *in, char *buf, size_t len)
{
	snprintf(buf, len,
		 "pte %#llx mfn %#llx m2p %#llx mfn_to_pfn %#llx pfn %#llx p2m %#llx normal %#llx "
		 "alias %#llx count %u bits %#x vm_flags %#llx",
		 (unsigned long long)in->pte, (unsigned long long)in->pte_mfn,
		 (unsigned long long)in->m2p, (unsigned long long)in->mfn_to_pfn,
		 (unsigned long long)in->page_pfn, (unsigned long long)in->p2m_raw,
		 (unsigned long long)in->normal_page_pfn, (unsigned long long)in->kernel_alias_mfn,
		 in->page_count, in->bits, (unsigned long long)in->vm_flags);
}
/*
 * The facts of an introspection that do not change while nothing maps or
 * unmaps the address (everything but the raw PTE, whose accessed/dirty
 * bits move, and page_count, which in-flight GUPs move): true if equal.
 */
static inline bool pu_same_facts(const struct gntlab_introspect *a,
				 const struct gntlab_introspect *b)
{
	return a->pte_mfn == b->pte_mfn && a->m2p == b->m2p && a->mfn_to_pfn == b->mfn_to_pfn &&
	       a->page_pfn == b->page_pfn && a->pfn_to_mfn == b->pfn_to_mfn &&
	       a->p2m_raw == b->p2m_raw && a->normal_page_pfn == b->normal_page_pfn &&
	       a->kernel_alias_mfn == b->kernel_alias_mfn && a->vm_flags == b->vm_flags &&
	       a->bits == b->bits && a->mode == b->mode && a->domid == b->domid &&
	       a->ref == b->ref && a->page_index == b->page_index;
}
/*
 * What a GUP flavour returns where no user mapping covers addr (or the VMA
 * refuses GUP): the table gup_refused_expect on this kernel (gt_gup_refused()).
 */
static inline int pu_gup_refused(uint64_t addr, uint32_t kind)
{
	return gt_gup_refused(addr, kind);
}

#endif
