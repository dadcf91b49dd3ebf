// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the known kernel reports (tests/crash_patterns.c's
 * known_reports[] and its scan): a known report is XFAIL material, anything
 * else that looks like one still fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crash_patterns.h"
#include "unit.h"

/*
 * The lockdep report of Debian 6.1.192's gntdev (the debug profile's first
 * gntdev map + mmap), as the guest's kernel log has it: %s is where a test
 * changes the lock that gntdev_mmap() takes, %s the function that takes it.
 */
static const char lockdep_fmt[] =
	"[   22.990229]\n"
	"[   22.994806] ======================================================\n"
	"[   22.995454] WARNING: possible circular locking dependency detected\n"
	"[   22.995956] %s #1 Tainted: G           O\n"
	"[   22.996584] ------------------------------------------------------\n"
	"[   22.996867] gntlab-guest-te/61 is trying to acquire lock:\n"
	"[   22.997141] ffff88800388d078 (%s){+.+.}-{3:3}, at: %s+0x55/0x2a1 [xen_gntdev]\n"
	"[   22.998587]\n"
	"[   22.998587] but task is already holding lock:\n"
	"[   22.998902] ffff888000059508 (&mm->mmap_lock){++++}-{3:3}, at: vm_mmap_pgoff+0x6c/0x140\n"
	"[   22.999612]\n"
	"[   22.999612] which lock already depends on the new lock.\n"
	"[   22.999921] the existing dependency chain (in reverse order) is:\n"
	"[   23.000224] -> #1 (&mm->mmap_lock){++++}-{3:3}:\n"
	"[   23.001121]        __might_fault+0x54/0x70\n"
	"[   23.001309]        _copy_to_user+0x1e/0x80\n"
	"[   23.001431]        gntdev_ioctl+0x6c3/0xa60 [xen_gntdev]\n"
	"[   23.001583]        __x64_sys_ioctl+0x44b/0xa30\n"
	"[   23.004991] -> #0 (%s){+.+.}-{3:3}:\n"
	"[   23.005362]        __lock_acquire+0x13e3/0x20b0\n"
	"[   23.005917]        __mutex_lock+0xaa/0xb30\n"
	"[   23.007407]        %s+0x55/0x2a1 [xen_gntdev]\n"
	"[   23.007662]        mmap_file+0xb/0x20\n"
	"[   23.008230]        vm_mmap_pgoff+0xa7/0x140\n"
	"[   23.009428]  Possible unsafe locking scenario:\n"
	"[   23.010038]   lock(&mm->mmap_lock);\n"
	"[   23.010288]                                lock(%s);\n"
	"[   23.017081]  *** DEADLOCK ***\n"
	"[   23.017290] 1 lock held by gntlab-guest-te/61:\n"
	"[   23.019448] stack backtrace:\n"
	"[   23.019671] CPU: 0 PID: 61 Comm: gntlab-guest-te Tainted: G           O       %s #1\n"
	"[   23.022626] Call Trace:\n"
	"[   23.023035]  <TASK>\n"
	"[   23.024940]  dump_stack_lvl+0x5b/0x73\n"
	"[   23.025300]  check_noncircular+0x11f/0x130\n"
	"[   23.033190]  %s+0x55/0x2a1 [xen_gntdev]\n"
	"[   23.038623] RIP: 0033:0x7fe5bd9d39b3\n"
	"[   23.049527]  </TASK>\n";

static char *lockdep_report(const char *release, const char *lock, const char *fn)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), lockdep_fmt, release, lock, fn, lock, fn, lock, release, fn);
	return buf;
}

static const struct known_report *gntdev_known(void)
{
	for (size_t i = 0; i < known_report_count; i++)
		if (!strcmp(known_reports[i].id, "gntdev-map-ioctl-copy-to-user-under-lock"))
			return &known_reports[i];
	return NULL;
}

/* The gntdev lockdep report is known: XFAIL with its reference, not a failure. */
TEST(known, gntdev_lockdep_is_known)
{
	struct crash_verdict v;
	const char *log = lockdep_report("6.1.192-gntlab-debug", "&priv->lock#2", "gntdev_mmap");

	ASSERT_NONNULL(gntdev_known());
	EXPECT_EQ(crash_judge(log, CRASH_KLOG, &v), CRASH_KNOWN);
	EXPECT_EQ(v.unknown, 0);
	EXPECT_EQ(v.known, 1);
	EXPECT_TRUE(v.first_known == gntdev_known());
	EXPECT_HAS(gntdev_known()->ref, "lore.kernel.org");
	/* The old matcher sees crash lines in it: the known list is what excuses them. */
	EXPECT_GT(crash_count(log, CRASH_KLOG), 1);
}

/* The same report with another chain (gntlab.ko's own lock) is a failure. */
TEST(known, other_chain_fails)
{
	struct crash_verdict v;

	EXPECT_EQ(crash_judge(lockdep_report("6.1.192-gntlab-debug", "&map->lock", "gntlab_mmap"),
			      CRASH_KLOG, &v),
		  CRASH_UNKNOWN);
	EXPECT_EQ(v.unknown, 1);
	EXPECT_EQ(v.known, 0);
	ASSERT_NONNULL(v.pattern);
	EXPECT_STREQ(v.pattern->text, "WARNING: possible circular locking");
	EXPECT_HAS(v.line, "WARNING: possible circular locking dependency detected");
	/* gntdev's lock name, but gntlab's function: still not the known one. */
	EXPECT_EQ(crash_judge(lockdep_report("6.1.192-gntlab-debug", "&priv->lock", "gntlab_mmap"),
			      CRASH_KLOG, &v),
		  CRASH_UNKNOWN);
}

/* Outside the kernel versions it was seen in, the same report is not excused. */
TEST(known, other_kernel_fails)
{
	struct crash_verdict v;

	EXPECT_EQ(crash_judge(lockdep_report("6.12.57+deb13-amd64", "&priv->lock", "gntdev_mmap"),
			      CRASH_KLOG, &v),
		  CRASH_UNKNOWN);
	EXPECT_EQ(crash_judge(lockdep_report("6.1.191", "&priv->lock", "gntdev_mmap"), CRASH_KLOG,
			      &v),
		  CRASH_UNKNOWN);
	/* No release line at all: cannot tell, so not known. */
	EXPECT_EQ(crash_judge(lockdep_report("", "&priv->lock", "gntdev_mmap"), CRASH_KLOG, &v),
		  CRASH_UNKNOWN);
}

/* A KFENCE report is never known: a use after free fails the test. */
TEST(known, kfence_fails)
{
	const char *log =
		"[   40.1] ==================================================================\n"
		"[   40.1] BUG: KFENCE: use-after-free write in gntlab_release+0x6e/0x90 [gntlab]\n"
		"[   40.1] Use-after-free write at 0x000000004c5e2a70 (in kfence-#12):\n"
		"[   40.1]  gntlab_release+0x6e/0x90 [gntlab]\n"
		"[   40.1] CPU: 1 PID: 88 Comm: gntlab-guest-te Tainted: G  O  6.1.192-gntlab-debug #1\n"
		"[   40.1] ==================================================================\n";
	struct crash_verdict v;

	EXPECT_EQ(crash_judge(log, CRASH_KLOG, &v), CRASH_UNKNOWN);
	ASSERT_NONNULL(v.pattern);
	EXPECT_STREQ(v.pattern->text, "BUG: KFENCE:");
	EXPECT_EQ(v.known, 0);
	/* SLUB's report of a write after free, too. */
	EXPECT_EQ(crash_judge("[ 41.0] BUG kmalloc-192 (Tainted: G O): Poison overwritten\n",
			      CRASH_KLOG, &v),
		  CRASH_UNKNOWN);
}

/* A known report does not hide what follows it, or what interrupts it. */
TEST(known, unknown_after_or_inside_known)
{
	char log[10000];
	struct crash_verdict v;

	snprintf(log, sizeof(log), "%s[   50.0] BUG: Bad rss-counter state mm:00 val:1\n",
		 lockdep_report("6.1.192-gntlab-debug", "&priv->lock", "gntdev_mmap"));
	EXPECT_EQ(crash_judge(log, CRASH_KLOG, &v), CRASH_UNKNOWN);
	EXPECT_EQ(v.known, 1);
	EXPECT_EQ(v.unknown, 1);
	EXPECT_HAS(v.line, "Bad rss-counter");

	/* A crash line before the signature is complete ends the report: neither is known. */
	snprintf(log, sizeof(log),
		 "[   22.995454] WARNING: possible circular locking dependency detected\n"
		 "[   22.995956] 6.1.192-gntlab-debug #1 Tainted: G           O\n"
		 "[   22.996000] BUG: unable to handle page fault for address: 0000000000000008\n"
		 "[   22.997141] (&priv->lock){+.+.}-{3:3}, at: gntdev_mmap+0x55/0x2a1\n");
	EXPECT_EQ(crash_judge(log, CRASH_KLOG, &v), CRASH_UNKNOWN);
	EXPECT_EQ(v.known, 0);
	EXPECT_EQ(v.unknown, 2);
	EXPECT_HAS(v.line, "WARNING: possible circular locking");
}

/* Cut short (a log that ends inside it): known only if its signature was all there. */
TEST(known, truncated_report)
{
	char log[10000];
	struct crash_verdict v;
	char *cut;

	snprintf(log, sizeof(log), "%s",
		 lockdep_report("6.1.192-gntlab-debug", "&priv->lock", "gntdev_mmap"));
	cut = strstr(log, "[   23.017081]");
	ASSERT_NONNULL(cut);
	*cut = '\0'; /* every signature string is before this */
	EXPECT_EQ(crash_judge(log, CRASH_KLOG, &v), CRASH_KNOWN);
	cut = strstr(log, "[   23.000224]");
	ASSERT_NONNULL(cut);
	*cut = '\0'; /* the chain is gone */
	EXPECT_EQ(crash_judge(log, CRASH_KLOG, &v), CRASH_UNKNOWN);
}

struct seen {
	unsigned int known, unknown, repeat;
};

static void scan(struct crash_scan *s, const char *line)
{
	crash_scan_line(s, line, strlen(line));
}

static void count_report(const struct crash_report *r, void *arg)
{
	struct seen *s = arg;

	if (r->kind == CRASH_KNOWN)
		s->known++;
	else
		s->unknown++;
	s->repeat += r->repeat != 0;
}

/*
 * The console as the runner streams it: the guest's lines relayed by dom0
 * with a prefix, Xen's lines in between, then the guest's closing dmesg
 * excerpt quoting the headline again (a repeat, not a new report).
 */
TEST(known, console_stream_with_repeat)
{
	const char *log = lockdep_report("6.1.192-gntlab-debug", "&priv->lock#2", "gntdev_mmap");
	struct crash_scan s;
	struct seen seen = {0};
	int lines = 0;

	crash_scan_init(&s, CRASH_CONSOLE, count_report, &seen);
	for (const char *p = log; *p;) {
		char line[400];
		size_t l = strcspn(p, "\n");

		snprintf(line, sizeof(line), "GNTLAB-LOG guest %.*s", (int)l, p);
		crash_scan_line(&s, line, strlen(line));
		if (++lines == 10)
			scan(&s, "(XEN) grant_table.c:1234:d0v1 Bad flags (0)");
		p += l + (p[l] == '\n');
	}
	EXPECT_EQ(seen.known, 1);
	EXPECT_EQ(seen.unknown, 0);
	EXPECT_FALSE(s.open);
	scan(&s, "GNTLAB-LOG guest gntlab guest dmesg: [   22.995454] WARNING: possible "
		 "circular locking dependency detected");
	EXPECT_EQ(seen.known, 2);
	EXPECT_EQ(seen.repeat, 1);
	EXPECT_FALSE(s.open);
	/* The same headline with another timestamp is a new report (here incomplete). */
	scan(&s, "GNTLAB-LOG guest [   99.000001] WARNING: possible circular locking "
		 "dependency detected");
	EXPECT_TRUE(s.open);
	crash_scan_end(&s);
	EXPECT_EQ(seen.unknown, 1);
}

TEST(known, release_ranges)
{
	EXPECT_EQ(crash_release_in("6.1.192..6.2", "6.1.192-gntlab-debug"), 1);
	EXPECT_EQ(crash_release_in("6.1.192..6.2", "6.1.200"), 1);
	EXPECT_EQ(crash_release_in("6.1.192..6.2", "6.1.191"), 0);
	EXPECT_EQ(crash_release_in("6.1.192..6.2", "6.2.0"), 0);
	EXPECT_EQ(crash_release_in("6.1", "6.1.0-41-amd64"), 1);
	EXPECT_EQ(crash_release_in("6.1", "6.12.5"), 0);
	EXPECT_EQ(crash_release_in("6.2..", "6.12.5"), 1);
	EXPECT_EQ(crash_release_in("..6.2", "6.12.5"), 0);
	EXPECT_EQ(crash_release_in("6.1..6.2", "not-a-version"), -1);
	EXPECT_EQ(crash_release_in("six..6.2", "6.1.1"), -1);
	EXPECT_EQ(crash_release_in("6.1..x", "6.1.1"), -1);
}

/* Every known report is usable, and its words never count as a crash themselves. */
TEST(known, table_is_sane)
{
	ASSERT_GT(known_report_count, 0);
	EXPECT_LE(known_report_count, KNOWN_REPORTS_MAX);
	for (size_t i = 0; i < known_report_count; i++) {
		const struct known_report *k = &known_reports[i];

		EXPECT_GT(strlen(k->id), 3) TH_MSG("entry %zu", i);
		EXPECT_NULL(strpbrk(k->ref, " \t\n")) TH_MSG("%s: ref must be one word", k->id);
		EXPECT_GT(strlen(k->ref), 3) TH_MSG("%s", k->id);
		/* dom0's verdicts carry a reference of at most 63 bytes (steps.h). */
		EXPECT_LT(strlen(k->ref), 64) TH_MSG("%s", k->id);
		EXPECT_GT(strlen(k->why), 20) TH_MSG("%s", k->id);
		EXPECT_NONNULL(k->sig[0]) TH_MSG("%s: no signature", k->id);
		EXPECT_NE(crash_release_in(k->kernels, "1.0"), -1) TH_MSG("%s: bad range", k->id);
		/* The headline is a crash line (or it would never start a report). */
		EXPECT_NONNULL(crash_match(k->headline, strlen(k->headline), CRASH_CONSOLE))
			TH_MSG("%s", k->id);
		/* A verdict quotes the title: the console scan must not take it for a crash. */
		EXPECT_NULL(crash_match(k->title, strlen(k->title), CRASH_CONSOLE)) TH_MSG("%s", k->id);
		EXPECT_NULL(crash_match(k->title, strlen(k->title), CRASH_KLOG)) TH_MSG("%s", k->id);
		EXPECT_NULL(crash_match(k->id, strlen(k->id), CRASH_KLOG)) TH_MSG("%s", k->id);
	}
}
