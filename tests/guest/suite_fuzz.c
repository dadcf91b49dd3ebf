// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: random ioctls, mmaps and fd recycling against /dev/gntlab from
 * several threads at once. The kernel must survive, every refusal must carry
 * an errno the module documents for its command (fuzz_errno_allowed(), the
 * one table of what each command may return), and nothing may stay mapped
 * or held once every fd and mapping is gone. The deliberate bad input of
 * each kind is in the badinput suite; this suite finds what nobody thought of.
 * The engine (shared with `make soak`) is fuzz_gntlab.c.
 */
#include <stdio.h>
#include <unistd.h>

#include "expect.h"
#include "fuzz_gntlab.h"
#include "gt.h"
#include "harness.h"

SUITE_DOC(fuzz, "fuzz: random input to /dev/gntlab",
	"Guest suite `tests/guest/suite_fuzz.c`: random ioctls, mmaps, munmaps,\n"
	"mprotects, madvises and fd recycling from several threads at once, against\n"
	"the module and dom0's shared pages. Each kind of wrong input on purpose is a\n"
	"test of the `badinput` suite; this one looks for what nobody thought of.\n"
	"Besides what the test asserts, the harness's after-test check verifies the\n"
	"module counters are back to zero, the guest kernel log has no\n"
	"WARN/BUG/Oops/\"Bad page\", and Xen lists no grant of dom0 as mapped by the\n"
	"guest.");

#define FUZZ_THREADS 4
#define FUZZ_MIN_S 2	/* and until FUZZ_GOAL calls */
#define FUZZ_MAX_S 90	/* beside the other guest's suites, on a debug kernel: ~1,300/s */
#define FUZZ_GOAL 100000

static void fuzz_tick(unsigned long calls, double seconds, void *arg)
{
	(void)arg;
	dom0_diag("fuzz/ioctl: %lu ioctls after %.0f s", calls, seconds);
}

TH_DOC(fuzz, ioctl,
       "Four threads, on the guest's two vCPUs, for at least 2 s and until 100,000 ioctls\n"
       "(at most 90 s) issue: command words with magic `'G'` and random direction, number\n"
       "(mostly 0..15) and size; a few fully random command words; and the six real\n"
       "commands with random contents: counts (mostly 1..64, also 0, 1024, `max_grants`+1,\n"
       "huge), flags, modes (any of `GNTLAB_MODE_COUNT`, sometimes random), pads, ref arrays\n"
       "of dom0's 16 shared refs mixed with random refs and domids (0, ours, DOMID_SELF,\n"
       "random), offsets, actions, ports, probe kinds and addresses. Argument pointers are\n"
       "the thread's scratch buffer, a spot straddling its guard page, a read-only page,\n"
       "NULL+small, kernel and non-canonical addresses, or an inaccessible range — never\n"
       "other memory of the process, so copy-outs cannot corrupt the fuzzer. Interleaved:\n"
       "mmap of reserved maps (right or wrong length/offset, random prot, shared/private,\n"
       "sometimes `MAP_POPULATE`), munmap of whole mappings, mprotect and madvise\n"
       "(DONTNEED, WILLNEED, DOFORK, DONTFORK, COLD, PAGEOUT) of parts, and\n"
       "closing/reopening fds.\n"
       "\n"
       "Asserted: no unknown command ever succeeds and every refusal carries an errno\n"
       "documented for its command (unknown: ENOTTY), at least 100,000 ioctls were made\n"
       "(the count, the rate, successes and mmaps are logged), and once every mapping and\n"
       "fd is gone the counters are zero and Xen lists none of the share as mapped.\n"
       "Oops/WARN are caught by the after-test log check. Progress is reported to dom0\n"
       "every 5 s.\n"
       "\n"
       "Observed (first boots): ≈4,800 ioctls/s with 4 threads on the TCG guest (≈101,000\n"
       "in 21 s, ≈18 % succeeding; ≈5,800 mmaps, ≈170 successful), with no undocumented\n"
       "errno and no unknown command accepted. Until the split of issue #10 this test was\n"
       "`badinput/fuzz_ioctl`. In a full run it now runs in the second guest, beside the\n"
       "first guest's suites (2,900-4,300/s); on the debug profile's kernel there 58,940\n"
       "calls took the old 45 s bound, hence 90 s.");
TEST_TIMEOUT(fuzz, ioctl, 120)
{
	static struct fuzz_gntlab_stats st;
	struct fuzz_gntlab_opts o = {
		.threads = FUZZ_THREADS, .goal = FUZZ_GOAL, .min_s = FUZZ_MIN_S,
		.max_s = FUZZ_MAX_S, .tick = fuzz_tick,
	};
	struct dom0_share s;
	int stats_fd = gt_open();

	ASSERT_GE(stats_fd, 0);
	ASSERT_EQ(dom0_share(16, true, 0xbd40, &s), 0);
	fuzz_gntlab_run(&s, &o, &st);
	TH_LOG("%lu ioctls in %.1f s (%.0f/s), %lu succeeded; %lu mmaps, %lu succeeded",
	       st.calls, st.seconds, st.calls / st.seconds, st.ok, st.mmaps, st.mmap_ok);
	TH_LOG("undocumented errnos %lu, unknown commands that succeeded %lu (first cmd %#x errno %d)",
	       st.wrong_errno, st.bad_success, (unsigned int)st.first_bad_cmd, st.first_bad_errno);
	gt_assert_zero(stats_fd);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	ASSERT_EQ(st.bad_success, 0);
	ASSERT_EQ(st.wrong_errno, 0);
	ASSERT_GE(st.calls, FUZZ_GOAL);
	close(stats_fd);
}
