// SPDX-License-Identifier: GPL-2.0
#include "gt.h"
#include "../crash_patterns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <xenstore.h>

#include "expect.h"
#include "gntdev_map.h"
#include "harness.h"

const char *const gt_mode_name[GNTLAB_MODE_COUNT] = {
	[GNTLAB_MODE_SPECIAL] = "special",
	[GNTLAB_MODE_NOHOOK] = "nohook",
	[GNTLAB_MODE_PFNMAP] = "pfnmap",
};

/*
 * A mode this build of the module lacks (e.g. `special` on a kernel without
 * a page hook, guest-kmod/gntlab_compat.h) SKIPs the test with the reason
 * the module gives in /sys/module/gntlab/parameters/modes.
 */
static void require_mode(uint32_t mode)
{
	char modes[256] = " ", word[32];
	FILE *f;

	if (mode >= GNTLAB_MODE_COUNT)
		return; /* bad input: the module's answer is the test */
	f = fopen("/sys/module/gntlab/parameters/modes", "r");
	if (!f)
		return; /* a module without the parameter has every mode */
	if (!fgets(modes + 1, sizeof(modes) - 2, f))
		modes[1] = '\0';
	fclose(f);
	modes[strcspn(modes, "\n")] = '\0';
	strcat(modes, " ");
	snprintf(word, sizeof(word), " %s ", gt_mode_name[mode]);
	if (!strstr(modes, word))
		SKIP("mode %s not supported by this kernel (module modes: %s)", gt_mode_name[mode],
		     modes);
}

int gt_reserve(int fd, const struct dom0_share *s, uint32_t mode, bool readonly,
	       struct gt_map *m)
{
	require_mode(mode);
	return gt_reserve_refs(fd, s->domid, s->ref, s->count, mode,
			       readonly ? GNTLAB_MAP_READONLY : 0, m);
}

int gt_map(int fd, const struct dom0_share *s, uint32_t mode, bool readonly,
	   struct gt_map *m)
{
	require_mode(mode);
	return gt_map_refs(fd, s->domid, s->ref, s->count, mode,
			   readonly ? GNTLAB_MAP_READONLY : 0, m);
}

int gt_wait_counters_zero(int fd, int timeout_ms, char *why, size_t len)
{
	struct gntlab_stats st;
	char now[200];
	int rc = gt_wait_zero(fd, timeout_ms, &st);

	if (!rc)
		return 0;
	if (rc != ETIMEDOUT) {
		snprintf(why, len, "GNTLAB_IOC_STATS: %s", strerror(rc));
		return -1;
	}
	gt_stats_str(&st, now, sizeof(now));
	snprintf(why, len, "module counters not zero after %d ms: %s", timeout_ms, now);
	return -1;
}

void gt_assert_zero(int fd)
{
	char why[300];

	ASSERT_EQ(gt_wait_counters_zero(fd, 5000, why, sizeof(why)), 0) TH_MSG("%s", why);
}

void gt_assert_pages(const uint8_t *addr, uint32_t seed, uint32_t first, uint32_t n)
{
	for (uint32_t i = first; i < first + n; i++)
		ASSERT_EQ(gntlab_pattern_check(addr + (size_t)i * GT_PAGE, seed, i, 0, GT_PAGE), -1)
			TH_MSG("page %u", i);
}

void gt_assert_peer(const struct dom0_share *s, uint32_t seed, uint32_t off, uint32_t len)
{
	char why[256];

	ASSERT_EQ(dom0_check(s, seed, off, len, why, sizeof(why)), 0) TH_MSG("dom0: %s", why);
}

void gt_share_map(struct gt_shared *t, uint32_t count, uint32_t seed, uint32_t mode)
{
	t->fd = gt_open();
	ASSERT_GE(t->fd, 0) TH_MSG("open %s: %s", GNTLAB_DEVICE, strerror(errno));
	ASSERT_EQ(dom0_share(count, true, seed, &t->share), 0);
	ASSERT_EQ(gt_map(t->fd, &t->share, mode, false, &t->map), 0);
	gt_assert_pages(t->map.addr, seed, 0, count);
	ASSERT_EQ(dom0_active(&t->share), count);
}

/* The whole kernel log, NUL-terminated; NULL if it cannot be read. */
static char *klog_read(void)
{
	static char buf[1 << 18];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

bool gt_kernel_log_bad(char *line, size_t len)
{
	char *buf = klog_read();
	struct crash_verdict v;

	if (!buf || crash_judge(buf, CRASH_KLOG, &v) != CRASH_UNKNOWN)
		return false;
	snprintf(line, len, "%s", v.line);
	return true;
}

unsigned int gt_kernel_log_bad_count(void)
{
	const char *buf = klog_read();
	struct crash_verdict v;

	/* the one list of crash patterns and known reports (tests/crash_patterns.c) */
	if (!buf)
		return 0;
	crash_judge(buf, CRASH_KLOG, &v);
	return v.unknown;
}

uint32_t gt_max_grants(void)
{
	FILE *f = fopen("/sys/module/gntlab/parameters/max_grants", "r");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	if (!v) {
		TH_LOG("no /sys/module/gntlab/parameters/max_grants: assuming 65536");
		v = 65536;
	}
	return v;
}

int gt_own_domid(uint32_t *domid)
{
	struct xs_handle *h = xs_open(0);
	unsigned int len;
	char *v;

	if (!h)
		return -1;
	v = xs_read(h, XBT_NULL, "domid", &len);	/* relative: our own */
	xs_close(h);
	if (!v)
		return -1;
	*domid = (uint32_t)strtoul(v, NULL, 10);
	free(v);
	return 0;
}

void *gt_guarded(size_t len)
{
	size_t span = (len + GT_PAGE - 1) / GT_PAGE * GT_PAGE;
	uint8_t *p = mmap(NULL, span + GT_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(mprotect(p + span, GT_PAGE, PROT_NONE), 0);
	return p + span - len;
}

void *gt_hole(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

int gt_gntdev_open(void)
{
	int fd;

	if (!gd_available())
		SKIP("no %s (xen-gntdev not loaded)", GD_DEVICE);
	fd = gd_open();
	ASSERT_GE(fd, 0) TH_MSG("open %s: %s", GD_DEVICE, strerror(errno));
	return fd;
}

int gt_wait_child(int pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

const char *gt_status_str(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by %s", strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	return buf;
}

static sigjmp_buf touch_jmp;

static void touch_handler(int sig)
{
	siglongjmp(touch_jmp, sig);
}

void gt_churn_forever(uint8_t *addr, uint32_t pages, uint32_t seed0)
{
	volatile uint32_t sum = 0;

	for (uint32_t seed = seed0 + 1;; seed++)
		for (uint32_t i = 0; i < pages; i++) {
			volatile uint8_t *p = addr + i * GT_PAGE;

			for (uint32_t j = 0; j < GT_PAGE / 2; j++)
				sum += p[j];
			gntlab_pattern_fill(addr + i * GT_PAGE + GT_PAGE / 2, seed, i, GT_PAGE / 2,
					    GT_PAGE / 2);
		}
}

int gt_touch(const volatile uint8_t *p, uint8_t *val)
{
	struct sigaction sa, old_bus, old_segv;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = touch_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig)
		*val = *p;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

_Static_assert(GUP_FLAVOURS == GNTLAB_GUP_COUNT, "gup_flavour_name[] lists every GNTLAB_GUP_*");

const char *gt_gup_flavour(uint32_t kind)
{
	return kind < GNTLAB_GUP_COUNT ? gup_flavour_name[kind] : "?";
}

static const struct {
	int err;
	const char *name;
} gup_errs[] = {
	{ EFAULT, "EFAULT" }, { EOVERFLOW, "EOVERFLOW" }, { EINVAL, "EINVAL" },
	{ ENOMEM, "ENOMEM" }, { EPERM, "EPERM" },	  { EEXIST, "EEXIST" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EIO, "EIO" },
};

const char *gt_gup_ret_word(long long ret, char *buf, size_t len)
{
	if (ret >= 0) {
		snprintf(buf, len, "%lldpages", ret);
		return buf;
	}
	for (size_t i = 0; i < sizeof(gup_errs) / sizeof(gup_errs[0]); i++)
		if (gup_errs[i].err == -ret)
			return gup_errs[i].name;
	snprintf(buf, len, "E%lld", -ret);
	return buf;
}

int gt_gup_refused(uint64_t addr, uint32_t kind)
{
	const struct expect_cell *c =
		expect_get(&gup_refused_expect, gup_refused_row(addr), gt_gup_flavour(kind));

	if (!strcmp(c->outcome, "0pages"))
		return 0;
	for (size_t i = 0; i < sizeof(gup_errs) / sizeof(gup_errs[0]); i++)
		if (!strcmp(c->outcome, gup_errs[i].name))
			return -gup_errs[i].err;
	ERROR("gup_refused_expect: outcome %s of %s/%s is not a GUP result", c->outcome,
	      gup_refused_row(addr), gt_gup_flavour(kind));
	return -EFAULT;
}
