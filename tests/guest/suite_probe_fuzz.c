// SPDX-License-Identifier: GPL-2.0
/*
 * probe/fuzz: the _ANY probes on random addresses of every kind from
 * several threads, while another thread maps and unmaps grants (our module
 * and the kernel's gntdev) and anonymous memory under them. The engine
 * (shared with make soak) is fuzz_probe.c; the suite's intro is in
 * suite_probe.c.
 */
#include "gt.h"
#include "harness.h"
#include "fuzz_probe.h"

/*
 * A count, not a time: the same work on a fast or a slow machine. The
 * volume is make soak's (soak/ioctls_probes, 10x as many); a full run keeps
 * a verdict on every commit within 2x a bare boot (issue #14).
 */
#define PF_GOAL 25000
#define PF_MIN_S 2
#define PF_MAX_S 75

static void pf_tick(unsigned long calls, double seconds, void *arg)
{
	(void)arg;
	dom0_diag("probe/fuzz: %lu probes after %.0f s", calls, seconds);
}

TH_DOC(probe, fuzz,
       "Three threads, for at least 2 s and until 25,000 probes (at most 75 s), probe\n"
       "random addresses with `INTROSPECT_ANY` (55 %),\n"
       "`GUP_PROBE_ANY` (40 %, random flavour, read or write) and the old commands\n"
       "(5 %), while a fourth maps and unmaps grants under them: 2 pages of dom0\n"
       "through our module (random mode), 2 through the kernel's gntdev (when present),\n"
       "and 2 anonymous pages, each for 0-3 ms. Addresses, chosen evenly: stable\n"
       "targets (a written anonymous page, a shared file page, a PROT_NONE guard page,\n"
       "an unmapped hole, kernel text / direct map / vsyscall, 0, non-canonical, the\n"
       "vDSO and vvar pages, 2 pages of a special-mode map of ours and 2 of a gntdev\n"
       "map, mapped for the whole run), the churning mappings (live or just unmapped),\n"
       "random user addresses and random 64-bit values.\n"
       "\n"
       "GUP probes never reach the churning gntdev mapping (introspection does): it\n"
       "lives in a range of its own, reserved PROT_NONE between mappings (mmap\n"
       "MAP_FIXED over the reservation and back), where no GUP probe aims and no\n"
       "other mapping can land. On the first boots a GUP reference held while the\n"
       "mapper munmapped a gntdev mapping (also through a stale address of another\n"
       "churning mapping that gntdev's mmap had reused) made Linux 6.1's gntdev defer\n"
       "the whole unmap\n"
       "mapping made Linux 6.1's gntdev defer the whole unmap\n"
       "(`gnttab_unmap_refs_async()` waits while `page_count() > 1`, since \"xen/gntdev:\n"
       "Avoid blocking in unmap_grant_pages()\"), so the core zapped a still-present\n"
       "grant PTE: \"BUG: Bad page map\" (mapcount -1), a WARN in\n"
       "`free_zone_device_page()`, a WARN in `__unmap_grant_pages_done()` and \"Bad\n"
       "rss-counter\" at exit — a gntdev bug reachable by any GUP user (O_DIRECT,\n"
       "vmsplice) racing munmap, not a probe fault; it belongs in the gntdev teardown\n"
       "suite. Our own maps churn under GUP probes too: the module unmaps the user\n"
       "half at once and defers only the kernel half.\n"
       "\n"
       "Asserted: every stable target gives its baseline answer on every call (the\n"
       "baseline is taken after one pass of every GUP flavour: from 6.2 the first\n"
       "long-term pin of the vDSO replaces its page, table `probe`) (errno,\n"
       "facts, each GUP flavour's result and pfn); at least 25,000 probes were made\n"
       "(until issue #14 the test ran 10 s and asserted no count; make soak's\n"
       "`soak/ioctls_probes` runs the same engine and checks to 250,000); every\n"
       "other answer is well formed\n"
       "(INTROSPECT_ANY: 0/ENOENT/EFAULT/EOPNOTSUPP, not-applicable fields when not\n"
       "ours; GUP: the ioctl succeeds, `.ret` <= 1, a page iff ret 1); the mapper never\n"
       "failed; the refcount (introspected `page_count`) of our map's pages and of\n"
       "gntdev's pages, and of the anonymous and file pages (every CPU's LRU batches\n"
       "drained by a no-op `move_pages()` before each reading), is exactly the same\n"
       "after the run, and the anonymous page's\n"
       "mapcount (`/proc/kpagecount`) is unchanged; the module's live counters are back\n"
       "to their value before the run and its error totals unchanged, then zero once\n"
       "everything is unmapped; Xen lists nothing of dom0 mapped; the kernel log has\n"
       "no new crash pattern. The call counts, by kind and by result, are logged.");
TEST_TIMEOUT(probe, fuzz, 110)
{
	static struct probe_fuzz_result res;
	struct probe_fuzz_opts o = {
		.goal = PF_GOAL, .min_s = PF_MIN_S, .max_s = PF_MAX_S, .tick = pf_tick,
	};

	probe_fuzz_run(&o, &res);
}
