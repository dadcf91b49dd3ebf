// SPDX-License-Identifier: GPL-2.0
/* Unit tests of tests/crash_patterns.c: the one list of kernel-log crash patterns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crash_patterns.h"
#include "unit.h"

struct crash_case {
	const char *line;
	const char *pattern; /* NULL: not a crash */
};

static void check_cases(const struct crash_case *c, size_t n, enum crash_log log)
{
	for (size_t i = 0; i < n; i++) {
		const struct crash_pattern *p = crash_match(c[i].line, strlen(c[i].line), log);

		if (c[i].pattern) {
			EXPECT_NONNULL(p) TH_MSG("line \"%s\"", c[i].line);
			if (p)
				EXPECT_STREQ(p->text, c[i].pattern)
					TH_MSG("line \"%s\"", c[i].line);
		} else {
			EXPECT_NULL(p)
				TH_MSG("line \"%s\" is not a crash, got '%s'", c[i].line, p->text);
		}
	}
}

/*
 * What the kernels and Xen print when things go wrong, in either log; the
 * most specific pattern names the line (KASAN before BUG:, lockdep before a
 * plain WARNING:).
 */
TEST(crash, patterns_in_both_logs)
{
	static const struct crash_case cases[] = {
		/* Xen */
		{"(XEN) Panic on CPU 0:", "Panic on CPU"},
		{"(XEN) Xen BUG at common/grant_table.c:1234", "Xen BUG at"},
		{"(XEN) Assertion 'pg->count_info & PGC_allocated' failed at mm.c:42",
		 "Assertion '"},
		{"(XEN) Assertion '!page_get_owner(page)' failed at arch/x86/mm.c:1234",
		 "Assertion '"},
		{"(XEN) Xen WARN at common/grant_table.c:1000", "Xen WARN at"},
		{"(XEN) arch/x86/mm.c:1231:d1v0 Attempt to implicitly unmap d1's grant PTE "
		 "4000000012345067",
		 "Attempt to implicitly unmap"},
		{"(XEN) FATAL PAGE FAULT", "FATAL PAGE FAULT"},
		{"(XEN) domain_crash called from p2m.c:1234", "domain_crash"},
		{"(XEN) d1v0 domain_crash_sync called from entry.S", "domain_crash"},
		/* Linux */
		{"[    3.1] Kernel panic - not syncing: VFS", "Kernel panic"},
		{"[    5.0] BUG: KASAN: use-after-free in gntlab_unmap+0x1f/0x80", "BUG: KASAN:"},
		{"[    5.0] BUG: KFENCE: use-after-free read in gntlab_ioctl+0x2e/0x90",
		 "BUG: KFENCE:"},
		{"[    5.0] BUG: sleeping function called from invalid context at mm/gup.c:1",
		 "BUG: "},
		{"[    5.0] BUG: unable to handle page fault for address: ffffc900", "BUG: "},
		{"<1>[    5.0] BUG: Bad page state in process agent  pfn:1a2b3", "BUG: "},
		{"[    5.0] kernel BUG at mm/memory.c:1234!", "kernel BUG at"},
		{"[    5.0] page dumped because: VM_BUG_ON_PAGE(PageTail(page))", "VM_BUG_ON"},
		{"[    5.0] VM_BUG_ON_FOLIO(!folio_test_locked(folio))", "VM_BUG_ON"},
		{"[    5.0] page dumped because: nonzero mapcount", "page dumped because"},
		{"[    5.0] list_add corruption. prev->next should be next (ffff8880), but was 0.",
		 "list_add corruption"},
		{"[    5.0] list_del corruption, ffff8880->next is LIST_POISON1 (dead000000000100)",
		 "list_del corruption"},
		{"[    5.0] BUG kmalloc-64 (Not tainted): Poison overwritten", "Poison overwritten"},
		{"[    5.0] BUG kmalloc-64 (Tainted: G  O): Right Redzone overwritten",
		 "Redzone overwritten"},
		{"[    5.0] BUG kmalloc-64 (Not tainted): Object already free", "Object already free"},
		{"[    5.0] BUG kmalloc-64 (Not tainted): Freepointer corrupt", "Freepointer corrupt"},
		{"[    5.0] ODEBUG: free active (active state 0) object type: timer_list", "ODEBUG:"},
		{"[    5.0] Oops: 0000 [#1] PREEMPT SMP NOPTI", "Oops"},
		{"[    5.0] WARNING: CPU: 1 PID: 7 at mm/gup.c:3 follow_page+0x1", "WARNING: CPU:"},
		{"[    5.0] WARNING: possible circular locking dependency detected",
		 "WARNING: possible circular locking"},
		{"[    5.0] WARNING: possible recursive locking detected",
		 "WARNING: possible recursive locking"},
		{"[    5.0] WARNING: inconsistent lock state", "WARNING: inconsistent lock state"},
		{"[    5.0] WARNING: suspicious RCU usage", "WARNING: suspicious RCU usage"},
		{"[    5.0] WARNING: bad unlock balance detected!", "WARNING: bad unlock balance"},
		{"[    5.0] WARNING: held lock freed!", "WARNING: held lock freed"},
		{"[    5.0] WARNING: lock held when returning to user space!",
		 "WARNING: lock held when returning to user space"},
		{"[    5.0] general protection fault, probably for non-canonical address",
		 "general protection fault"},
		{"[    5.0] Bad page map in process agent  pte:8000", "Bad page map"},
		{"[    5.0] Bad page cache in process agent pfn:0x1234", "Bad page"},
		{"[    5.0] Bad rss-counter state mm:0000 type:MM_FILEPAGES val:-1",
		 "Bad rss-counter"},
		{"[    5.0] Call Trace:", "Call Trace:"},
		{" <TASK> Call Trace:", "Call Trace:"},
		/* Not crashes, in either log. */
		{"[    5.0] DEBUG: mapped 4 pages", NULL},
		{"[    5.0] KASAN: without the BUG prefix is a boot banner", NULL},
		{"[    5.0] NOBUG: fine", NULL},
		{"[    5.0] Oopsie", NULL},
		{"[    5.0] Bad pages are counted elsewhere", NULL},
		{"[    5.0] MY_VM_BUG_ON_X is somebody else's", NULL},
		{"(XEN) Assertion without a quote", NULL},
		{"[    0.0] kfence: initialized - using 2097152 bytes for 255 objects", NULL},
		{"[    0.0] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc.", NULL},
		{"[    0.0] ODEBUGGER is not a word here", NULL},
		{"[    5.0] my_list_add corruption_check", NULL},
		{"(XEN) my_domain_crash_counter=0", NULL},
		{"GNTLAB-TAP ok map/bad-page-map-regression", NULL},
		{"", NULL},
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);

	check_cases(cases, n, CRASH_CONSOLE);
	check_cases(cases, n, CRASH_KLOG);
}

/*
 * On the console user space speaks too: a bare "WARNING:" or a grant-table
 * note counts only in a kernel's own log.
 */
TEST(crash, klog_only_patterns)
{
	static const struct crash_case klog[] = {
		{"[    5.0] WARNING: at most 1 lock held", "WARNING:"},
		{"[    9.0] xen:grant_table: g.e. 0x8 still pending", "still pending"},
		{"[    9.0] WARNING: leaking g.e. and page still in use!", "WARNING:"},
		{"[    9.0] xen:grant_table: leaking g.e. 0x8", "leaking g.e."},
	};
	static const struct crash_case console[] = {
		{"[    5.0] WARNING: at most 1 lock held", NULL},
		{"WARNING: apt does not have a stable CLI interface", NULL},
		{"[    9.0] xen:grant_table: g.e. 0x8 still pending", NULL},
		{"[    9.0] xen:grant_table: leaking g.e. 0x8", NULL},
	};

	check_cases(klog, sizeof(klog) / sizeof(klog[0]), CRASH_KLOG);
	check_cases(console, sizeof(console) / sizeof(console[0]), CRASH_CONSOLE);
}

/* The matcher looks only at line[0..len): a pattern past it, or cut by it, is not there. */
TEST(crash, bounded_line)
{
	const char *s = "[ 1.0] fine\n[ 2.0] BUG: soft lockup";

	EXPECT_NULL(crash_match(s, strlen("[ 1.0] fine"), CRASH_KLOG));
	EXPECT_NULL(crash_match(s + 12, strlen("[ 2.0] BUG:"), CRASH_KLOG)); /* "BUG: " cut */
	EXPECT_NONNULL(crash_match(s + 12, strlen(s + 12), CRASH_KLOG));
	/* "Oops" at the very end of the range, the next byte outside it a letter. */
	EXPECT_NONNULL(crash_match("Oopsy", 4, CRASH_KLOG));
}

/* A whole kernel log: the first bad line, whole, and how many there are. */
TEST(crash, find_and_count)
{
	const char *klog = "<6>[    0.1] Linux version 6.1.0\n"
			   "<4>[    5.1] WARNING: CPU: 0 PID: 9 at lib/refcount.c:25\n"
			   "<4>[    5.2] Call Trace:\n"
			   "<4>[    5.3]  <TASK>\n"
			   "<1>[    6.0] BUG: Bad rss-counter state mm:00 type:MM_ANONPAGES val:1";
	const struct crash_pattern *p;
	const char *line = NULL;
	size_t len = 0;

	p = crash_find(klog, CRASH_KLOG, &line, &len);
	ASSERT_NONNULL(p);
	EXPECT_STREQ(p->text, "WARNING: CPU:");
	ASSERT_NONNULL(line);
	EXPECT_EQ(len, strlen("<4>[    5.1] WARNING: CPU: 0 PID: 9 at lib/refcount.c:25"));
	EXPECT_EQ(strncmp(line, "<4>[    5.1] WARNING", 20), 0);
	EXPECT_EQ(crash_count(klog, CRASH_KLOG), 3);
	EXPECT_NULL(
		crash_find("<6>[ 0.1] all fine\n\n<6>[ 0.2] still fine\n", CRASH_KLOG, NULL, NULL));
	EXPECT_EQ(crash_count("", CRASH_KLOG), 0);
	/* The last line needs no newline; NULL outputs are allowed. */
	EXPECT_NONNULL(crash_find("ok\nKernel panic - not syncing", CRASH_CONSOLE, NULL, NULL));
}

/* Every entry is usable: text, a reason, a log it counts in; no duplicate. */
TEST(crash, table_is_sane)
{
	ASSERT_GT(crash_pattern_count, 0);
	for (size_t i = 0; i < crash_pattern_count; i++) {
		const struct crash_pattern *p = &crash_patterns[i];

		EXPECT_GT(strlen(p->text), 3) TH_MSG("entry %zu", i);
		EXPECT_GT(strlen(p->why), 0) TH_MSG("%s", p->text);
		EXPECT_NE(p->logs & (CRASH_CONSOLE | CRASH_KLOG), 0) TH_MSG("%s", p->text);
		/* An entry after one it contains could never be reported. */
		for (size_t j = 0; j < i; j++)
			EXPECT_FALSE(strstr(p->text, crash_patterns[j].text) &&
				     (crash_patterns[j].logs & p->logs) == p->logs)
				TH_MSG("'%s' is hidden by the earlier '%s'", p->text,
				       crash_patterns[j].text);
	}
}
