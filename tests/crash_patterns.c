// SPDX-License-Identifier: GPL-2.0
/* The kernel-log crash patterns (see crash_patterns.h). */
#include "crash_patterns.h"

#include <string.h>

#define BOTH (CRASH_CONSOLE | CRASH_KLOG)

// clang-format off
const struct crash_pattern crash_patterns[] = {
	/* Xen (its console only; listed for both, a kernel log never has them). */
	{"Panic on CPU", "Xen panic(): the hypervisor stopped", BOTH},
	{"Xen BUG at", "Xen BUG()", BOTH},
	{"Assertion '", "Xen ASSERT() failed (debug builds: \"Assertion '...' failed at file:line\")",
	 BOTH},
	{"Xen WARN at", "Xen WARN() / WARN_ON()", BOTH},
	{"Attempt to implicitly unmap",
	 "debug Xen: a PV guest cleared a grant PTE without GNTTABOP_unmap (the guest gets a #GP)",
	 BOTH},
	{"FATAL PAGE FAULT", "Xen faulted in hypervisor context", BOTH},
	{"domain_crash", "Xen killed a domain (domain_crash, domain_crash_sync)", BOTH},
	/* Linux. */
	{"Kernel panic", "Linux panic()", BOTH},
	{"BUG: KASAN:", "KASAN: invalid memory access", BOTH},
	{"BUG: KFENCE:", "KFENCE: invalid access to a sampled heap object (debug profile)", BOTH},
	{"BUG: ", "Linux BUG: reports (bad page state, page fault, soft lockup, KFENCE...)",
	 BOTH},
	{"kernel BUG at", "Linux BUG()/BUG_ON(), also under VM_BUG_ON*", BOTH},
	{"VM_BUG_ON", "DEBUG_VM's VM_BUG_ON_PAGE/FOLIO/MM dump before its BUG", BOTH},
	{"page dumped because", "dump_page(): a struct page found in a bad state (DEBUG_VM)", BOTH},
	/* DEBUG_LIST (before the WARN it prints them in). */
	{"list_add corruption", "DEBUG_LIST: list_add() on corrupted neighbours", BOTH},
	{"list_del corruption", "DEBUG_LIST: list_del() of a corrupted or deleted entry", BOTH},
	/* SLUB debugging (slub_debug, SLUB_DEBUG_ON): "BUG <cache> (...): <what>". */
	{"Poison overwritten", "SLUB: a freed object was written (use after free)", BOTH},
	{"Redzone overwritten", "SLUB: a write past an object's end (or before its start)", BOTH},
	{"Object already free", "SLUB: double free", BOTH},
	{"Freepointer corrupt", "SLUB: the free list of a slab corrupted", BOTH},
	{"ODEBUG:", "DEBUG_OBJECTS: an object freed or reinitialised while active", BOTH},
	{"Oops", "Linux oops", BOTH},
	{"WARNING: CPU:", "Linux WARN()", BOTH},
	{"WARNING: possible circular locking", "lockdep: lock order inversion", BOTH},
	{"WARNING: possible recursive locking", "lockdep: a lock taken twice", BOTH},
	{"WARNING: inconsistent lock state", "lockdep: a lock taken with and without IRQs off", BOTH},
	{"WARNING: suspicious RCU usage", "lockdep: RCU-protected data used outside RCU", BOTH},
	{"WARNING: bad unlock balance", "lockdep: a lock released that is not held", BOTH},
	{"WARNING: held lock freed", "lockdep: memory freed with a lock inside it held", BOTH},
	{"WARNING: lock held when returning to user space", "lockdep: a syscall returned with a lock held",
	 BOTH},
	/* On the console user space may print WARNING: too. */
	{"WARNING:", "any other kernel WARNING: (lockdep, RCU, grant table)", CRASH_KLOG},
	{"general protection fault", "x86 #GP in the kernel", BOTH},
	{"Bad page map", "a PTE pointing at a bad page (zap_pte_range)", BOTH},
	{"Bad page", "page state or page cache corruption", BOTH},
	{"Bad rss-counter", "an mm torn down with pages still counted", BOTH},
	{"Call Trace:", "a kernel stack dump", BOTH},
	/* Linux grant table: access ended while a peer still maps the page. */
	{"still pending", "grant table: g.e. still pending after end of access", CRASH_KLOG},
	{"leaking g.e.", "grant table: a grant entry leaked", CRASH_KLOG},
};
// clang-format on

const size_t crash_pattern_count = sizeof(crash_patterns) / sizeof(crash_patterns[0]);

static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Does pat stand at line[i] as a whole word-start (and, if it ends in a letter, word-end)? */
static int found_at(const char *line, size_t len, size_t i, const char *pat, size_t pl)
{
	if (i + pl > len || memcmp(line + i, pat, pl) != 0)
		return 0;
	if (i > 0 && is_word_char(line[i - 1]))
		return 0;
	if (is_letter(pat[pl - 1]) && i + pl < len && is_letter(line[i + pl]))
		return 0;
	return 1;
}

const struct crash_pattern *crash_match(const char *line, size_t len, enum crash_log log)
{
	for (size_t p = 0; p < crash_pattern_count; p++) {
		const char *pat = crash_patterns[p].text;
		size_t pl = strlen(pat);

		if (!(crash_patterns[p].logs & (unsigned int)log))
			continue;
		for (size_t i = 0; i + pl <= len; i++)
			if (line[i] == pat[0] && found_at(line, len, i, pat, pl))
				return &crash_patterns[p];
	}
	return NULL;
}

const struct crash_pattern *crash_find(const char *text, enum crash_log log, const char **line,
				       size_t *len)
{
	while (*text) {
		size_t l = strcspn(text, "\n");
		const struct crash_pattern *p = crash_match(text, l, log);

		if (p) {
			if (line)
				*line = text;
			if (len)
				*len = l;
			return p;
		}
		text += l + (text[l] == '\n');
	}
	return NULL;
}

size_t crash_count(const char *text, enum crash_log log)
{
	size_t n = 0;
	const char *line;
	size_t len;

	while (crash_find(text, log, &line, &len)) {
		n++;
		text = line + len + (line[len] == '\n');
	}
	return n;
}
