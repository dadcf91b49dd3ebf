// SPDX-License-Identifier: GPL-2.0
/*
 * `make soak`, phase 1 in the guest: the fuzz engines (fuzz_gntlab.c,
 * fuzz_gntdev.c, fuzz_probe.c) run to ten times the counts of a full run, the
 * gntlab one racing fork, exit and kill -9 of children sharing its mappings.
 * Also the soak program's helpers (soak.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "fuzz_gntdev.h"
#include "fuzz_gntlab.h"
#include "fuzz_probe.h"
#include "gntdev_map.h"
#include "gt.h"
#include "harness.h"
#include "soak.h"

SUITE_DOC(soak, "soak: `make soak`, long and hostile",
	"Guest program `gntlab-soak` (tests/guest/soak_*.c), run only by `make soak`\n"
	"(docs/soak.md) in one boot with dom0's `soak/*` steps: random ioctls by the\n"
	"million against /dev/gntlab and the kernel's gntdev, then map/use/teardown\n"
	"cycles by the ten thousand. The scale comes from SOAK_IOCTLS, SOAK_CYCLES and\n"
	"SOAK_SECONDS (the program's time bound). After every test the harness's check\n"
	"runs as in every guest suite: module counters zero, no crash pattern in the\n"
	"guest kernel log, Xen lists no grant of dom0 mapped by the guest.");

unsigned long soak_env(const char *name, unsigned long def)
{
	char var[64], *end;
	const char *v;
	unsigned long n;

	snprintf(var, sizeof(var), "SOAK_%s", name);
	v = getenv(var);
	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoul(v, &end, 10);
	return errno || *end ? def : n;
}

long soak_guest_free_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

void soak_record(const char *fmt, ...)
{
	char rec[1000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec, sizeof(rec), fmt, ap);
	va_end(ap);
	dom0_request(GNTLAB_REQ_SOAK, NULL, 0, "%s", rec);
}

void soak_record_errnos(const char *phase, const unsigned long *errnos, int n)
{
	char rec[1000];
	size_t l;

	l = (size_t)snprintf(rec, sizeof(rec), "errnos phase=%s", phase);
	for (int e = 1; e < n && l < sizeof(rec) - 40; e++)
		if (errnos[e])
			l += (size_t)snprintf(rec + l, sizeof(rec) - l, " %s=%lu",
					      strerrorname_np(e) ? strerrorname_np(e) : "E?",
					      errnos[e]);
	soak_record("%s", rec);
}

static void tick(unsigned long calls, double seconds, void *arg)
{
	soak_record("rate phase=%s count=%lu seconds=%.1f g_free_kb=%ld", (const char *)arg,
		    calls, seconds, soak_guest_free_kb());
}

TH_DOC(soak, ioctls_gntlab,
	"The fuzz engine of `fuzz/ioctl` (tests/guest/fuzz_gntlab.c: four threads of\n"
	"random ioctls, mmaps, munmaps, mprotects, madvises and fd recycling against\n"
	"/dev/gntlab and 16 pages of dom0) run to two thirds of SOAK_IOCTLS calls, with\n"
	"fork/exit racing on: about one iteration in a thousand forks a child that\n"
	"touches one of the thread's mappings, unmaps a map of an inherited fd and exits,\n"
	"or is killed with SIGKILL after a random 0-2 ms. Asserted as in `fuzz/ioctl`\n"
	"(no unknown command accepted, every refusal an errno documented for its\n"
	"command, nothing left mapped) and the count reached within half of the\n"
	"program's time bound. Progress (`rate`), the refusals by errno and the summary\n"
	"go to soak.log.");
TEST_TIMEOUT(soak, ioctls_gntlab, 7200)
{
	static struct fuzz_gntlab_stats st;
	unsigned long goal = soak_env("IOCTLS", 10000) * 2 / 3;
	struct fuzz_gntlab_opts o = {
		.threads = 4, .goal = goal, .max_s = soak_env("SECONDS", 600) * 0.5,
		.fork_exit = true, .tick = tick, .arg = "ioctls-gntlab",
	};
	struct dom0_share s;
	int stats_fd = gt_open();

	if (!goal)
		SKIP("SOAK_IOCTLS is 0");
	ASSERT_GE(stats_fd, 0);
	ASSERT_EQ(dom0_share(16, true, 0x50a10000, &s), 0);
	fuzz_gntlab_run(&s, &o, &st);
	soak_record_errnos("ioctls-gntlab", st.errnos, FUZZ_GNTLAB_ERRNO_MAX);
	soak_record("summary phase=ioctls-gntlab count=%lu seconds=%.1f ok=%lu mmaps=%lu mmap_ok=%lu "
		    "forks=%lu bad=%lu goal=%lu g_free_kb=%ld", st.calls, st.seconds, st.ok,
		    st.mmaps, st.mmap_ok, st.forks, st.wrong_errno + st.bad_success, goal,
		    soak_guest_free_kb());
	TH_LOG("%lu ioctls in %.1f s (%.0f/s), %lu succeeded; %lu mmaps; %lu forks",
	       st.calls, st.seconds, st.calls / st.seconds, st.ok, st.mmaps, st.forks);
	gt_assert_zero(stats_fd);
	ASSERT_EQ(dom0_active(&s), 0);
	ASSERT_EQ(dom0_unshare(&s), 0);
	EXPECT_EQ(st.bad_success, 0) TH_MSG("first cmd %#x", (unsigned int)st.first_bad_cmd);
	EXPECT_EQ(st.wrong_errno, 0) TH_MSG("first cmd %#x errno %d",
					   (unsigned int)st.first_bad_cmd, st.first_bad_errno);
	EXPECT_GE(st.calls, goal) TH_MSG("the time bound (%.0f s) came first", o.max_s);
	close(stats_fd);
}

TH_DOC(soak, ioctls_gntdev,
	"The fuzz engine of `gntdev_badinput/fuzz` (tests/guest/fuzz_gntdev.c: four\n"
	"threads of gntdev ioctls with random arguments, racing mmap, munmap and fd\n"
	"recycling, in a child process) run to a third of SOAK_IOCTLS calls. The hazards\n"
	"that crash the 6.1 kernel's gntdev stay excluded, as in that test. Asserted:\n"
	"the fuzz process ends, no unknown command is accepted, every refusal carries an\n"
	"errno of its command's code path, Xen lists nothing of the share mapped after\n"
	"it, and the count is reached within a quarter of the program's time bound.\n"
	"SKIP without /dev/xen/gntdev.");
TEST_TIMEOUT(soak, ioctls_gntdev, 7200)
{
	static struct fuzz_gntdev_result res;
	unsigned long goal = soak_env("IOCTLS", 10000) - soak_env("IOCTLS", 10000) * 2 / 3;
	struct fuzz_gntdev_opts o = {
		.threads = 4, .goal = goal, .max_s = soak_env("SECONDS", 600) * 0.25,
		.tick = tick, .arg = "ioctls-gntdev",
	};
	struct dom0_share s;
	long a = -1;

	if (!goal)
		SKIP("SOAK_IOCTLS is 0");
	if (!gd_available())
		SKIP("no %s (xen-gntdev not loaded)", GD_DEVICE);
	ASSERT_EQ(dom0_share(16, true, 0x50a20000, &s), 0);
	fuzz_gntdev_run(&s, &o, &res);
	soak_record_errnos("ioctls-gntdev", res.errnos, FUZZ_GNTDEV_ERRNO_MAX);
	soak_record("summary phase=ioctls-gntdev count=%lu seconds=%.1f ok=%lu mmaps=%lu "
		    "mmap_ok=%lu copies=%lu bad=%lu goal=%lu g_free_kb=%ld", res.calls, res.seconds,
		    res.ok, res.mmaps, res.mmap_ok, res.copies, res.bad_errno + res.bad_success,
		    goal, soak_guest_free_kb());
	TH_LOG("%lu calls in %.1f s, %lu succeeded, %lu copies; %lu mmaps", res.calls,
	       res.seconds, res.ok, res.copies, res.mmaps);
	EXPECT_TRUE(res.done && WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0)
		TH_MSG("fuzz process: %s", !res.done ? "did not end 20 s after its time" :
		       WIFSIGNALED(res.status) ? strsignal(WTERMSIG(res.status)) : "exited non-zero");
	if (!res.done)
		return;
	for (int i = 0; i < 50 && (a = dom0_active(&s)) != 0; i++)
		usleep(100 * 1000);
	EXPECT_EQ(a, 0) TH_MSG("Xen lists refs of the share mapped after every fd and VMA is gone");
	ASSERT_EQ(dom0_unshare(&s), 0);
	EXPECT_EQ(res.bad_success, 0);
	EXPECT_EQ(res.bad_errno, 0) TH_MSG("first: nr %lu errno %lu", res.first_bad >> 8,
					   res.first_bad & 0xff);
	EXPECT_GE(res.calls, goal) TH_MSG("the time bound (%.0f s) came first", o.max_s);
}

TH_DOC(soak, ioctls_probes,
	"The engine of `probe/fuzz` (tests/guest/fuzz_probe.c: three threads of\n"
	"`INTROSPECT_ANY` and `GUP_PROBE_ANY` on random addresses of every kind while a\n"
	"fourth maps and unmaps grants of our module and the kernel's gntdev and\n"
	"anonymous memory under them) run to a quarter of SOAK_IOCTLS probes (not\n"
	"counted in the ioctls' total). Asserted as in `probe/fuzz`: every stable target\n"
	"keeps its baseline answer, every other answer is well formed, the mapper never\n"
	"failed, page counts and module counters come back, Xen lists nothing of the\n"
	"shares mapped, no new bad line in the kernel log, and the count is reached\n"
	"within a fifth of the program's time bound.");
TEST_TIMEOUT(soak, ioctls_probes, 7200)
{
	static struct probe_fuzz_result res;
	unsigned long goal = soak_env("IOCTLS", 10000) / 4;
	struct probe_fuzz_opts o = {
		.goal = goal, .max_s = (int)(soak_env("SECONDS", 600) * 0.2),
		.tick = tick, .arg = "ioctls-probes",
	};

	if (!goal)
		SKIP("SOAK_IOCTLS is 0");
	probe_fuzz_run(&o, &res);
	soak_record("summary phase=ioctls-probes count=%lu seconds=%.1f bad=%lu goal=%lu "
		    "g_free_kb=%ld", res.calls, res.seconds, res.mismatches, goal,
		    soak_guest_free_kb());
}
