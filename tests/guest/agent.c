// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-agent: the guest side of the conductor protocol (gntlab_proto.h).
 *
 * Runs in the PV guest's initramfs. Announces itself in xenstore, then
 * executes dom0's commands one at a time through /dev/gntlab, writing an
 * ack (and observations) for each. Every log line goes to the guest console,
 * which xenconsoled keeps in dom0 and the run relays into the results.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "agent_gntalloc.h"
#include "gntlab.h"
#include "gntdev_map.h"
#include "gntlab_proto.h"
#include "gtmap.h"
#include "xs_wait.h"

/* An idle agent gives up after this long (a second guest waits for the
 * first one's whole suite). */
#define CMD_TIMEOUT_MS (900 * 1000)
#define GUEST_TESTS "/bin/gntlab-guest-tests"
#define GUEST_BENCH "/bin/gntlab-bench"
#define GUEST_SOAK "/bin/gntlab-soak"
#define SUITE_NONE_SELECTED 3	/* ack rc of "suite" when nothing matched */

struct agent {
	struct xs_handle *xs;
	xengntshr_handle *gs;	/* pages this guest grants to dom0 */
	uint8_t *granted;
	uint32_t ngranted;
	int fd;			/* /dev/gntlab */
	struct gntlab_refs refs;
	struct gt_map m;	/* current mapping (gtmap.h); m.addr NULL if none */
	struct ga_state ga;	/* the gntalloc verbs' state (agent_gntalloc.c) */
	bool quit;		/* dom0 said quit: ack, then exit */
};

static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gntlab-agent: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static int xs_put(struct agent *a, const char *key, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), GNTLAB_XS_DIR "/%s", key);
	if (!xs_write(a->xs, XBT_NULL, path, val, strlen(val))) {
		logf_("xs_write(%s) failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void observe(struct agent *a, const char *key, const char *fmt, ...)
{
	char val[512], k[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(k, sizeof(k), GNTLAB_XS_OBS "/%s", key);
	xs_put(a, k, val);
	logf_("obs %s = %s", key, val);
}

static int read_refs(struct agent *a)
{
	unsigned int len;
	char *v = xs_read(a->xs, XBT_NULL, GNTLAB_XS_DIR "/" GNTLAB_XS_REFS, &len);
	int rc;

	if (!v) {
		logf_("no %s/%s in xenstore: %s", GNTLAB_XS_DIR, GNTLAB_XS_REFS,
		      strerror(errno));
		return -1;
	}
	rc = gntlab_refs_parse(v, &a->refs);
	if (rc)
		logf_("malformed refs value '%.80s'", v);
	free(v);
	return rc;
}

/* Map every ref (gtmap.h); returns 0 or an errno (and logs which step failed). */
static int do_map(struct agent *a, int readonly, const char *why)
{
	int err;

	if (read_refs(a))
		return EINVAL;
	err = gt_map_refs(a->fd, a->refs.domid, a->refs.ref, a->refs.count, GNTLAB_MODE_SPECIAL,
			  readonly ? GNTLAB_MAP_READONLY : 0, &a->m);
	if (err)
		logf_("%s: map of %u grants from d%u failed: %s", why, a->refs.count,
		      a->refs.domid, strerror(err));
	return err;
}

static int do_unmap(struct agent *a)
{
	struct gntlab_stats st;
	char buf[160];
	int rc, w;

	if (!a->m.addr && !a->m.reserved)
		return 0;
	rc = gt_unmap(&a->m);
	if (rc)
		logf_("unmap: %s", strerror(rc));
	/* Unmap may be deferred while pages are busy: allow it 5 s. */
	w = gt_wait_zero(a->fd, 5000, &st);
	if (w == ETIMEDOUT) {
		gt_stats_str(&st, buf, sizeof(buf));
		logf_("counters not zero 5 s after unmap: %s", buf);
		return rc ? rc : EBUSY;
	}
	if (w)
		logf_("GNTLAB_IOC_STATS: %s", strerror(w));
	return rc ? rc : w;
}

/* "map [ro|rw] [seed]": check dom0's pattern, answer in the second half. */
static int cmd_map(struct agent *a, const char *args, char *text, size_t tlen)
{
	char mode[8] = "rw";
	unsigned int seed = 1;
	int readonly, err;

	if (sscanf(args, "%7s %u", mode, &seed) < 1 ||
	    (strcmp(mode, "ro") && strcmp(mode, "rw"))) {
		snprintf(text, tlen, "bad map arguments '%.64s'", args);
		return EINVAL;
	}
	readonly = !strcmp(mode, "ro");
	if (a->m.addr) {
		snprintf(text, tlen, "already mapped");
		return EBUSY;
	}
	err = do_map(a, readonly, "map");
	if (err) {
		snprintf(text, tlen, "map failed: %s", strerror(err));
		return err;
	}
	for (uint32_t i = 0; i < a->m.count; i++) {
		const uint8_t *p = a->m.addr + (size_t)i * GNTLAB_PAGE_SIZE;
		long bad = gntlab_pattern_check(p, seed, i, 0, GNTLAB_PAGE_SIZE);

		if (bad >= 0) {
			snprintf(text, tlen,
				 "pattern mismatch: page %u (ref %u) offset %ld: got 0x%02x want 0x%02x",
				 i, a->refs.ref[i], bad, p[bad],
				 gntlab_pattern_byte(seed, i, (uint32_t)bad));
			return 1;
		}
	}
	observe(a, "pattern", "intact %u pages", a->m.count);
	if (!readonly) {
		for (uint32_t i = 0; i < a->m.count; i++)
			gntlab_pattern_fill(a->m.addr + (size_t)i * GNTLAB_PAGE_SIZE +
						    GNTLAB_PAGE_SIZE / 2,
					    seed + 1, i, GNTLAB_PAGE_SIZE / 2,
					    GNTLAB_PAGE_SIZE / 2);
		observe(a, "reply", "seed %u second half of %u pages", seed + 1,
			a->m.count);
	}
	snprintf(text, tlen, "mapped %u grants of d%u at index %llu, pattern intact",
		 a->m.count, a->refs.domid, (unsigned long long)a->m.index);
	return 0;
}

/* "probe-revoked": mapping the (now revoked) refs must fail. */
static int cmd_probe_revoked(struct agent *a, char *text, size_t tlen)
{
	struct gntlab_stats st;
	int err = do_map(a, 1, "probe-revoked");

	if (!err) {
		do_unmap(a);
		snprintf(text, tlen, "revoked grant still mappable");
		return 1;
	}
	if (gt_stats(a->fd, &st) || !gt_stats_zero(&st)) {
		snprintf(text, tlen, "failed map left counters non-zero");
		return 1;
	}
	snprintf(text, tlen, "map refused: %s (errno %d)", strerror(err), err);
	return 0;
}

/*
 * "suite [filter [exclude]]": run the guest test program on the tests the
 * filter selects, less those exclude selects (dom0 runs them in its second
 * guest). It talks to dom0 itself (req/rsp); the ack carries its exit
 * status (0 all passed, 1 failures).
 */
static int cmd_suite(const char *args, char *text, size_t tlen)
{
	char filter[1100], exclude[1100] = "", buf[256];
	int status, fds[2];
	ssize_t n, listed = 0;
	pid_t pid;
	char *sp;

	snprintf(filter, sizeof(filter), "%s", args[0] ? args : "*");
	sp = strchr(filter, ' ');
	if (sp) {
		*sp = '\0';
		snprintf(exclude, sizeof(exclude), "%s", sp + 1 + strspn(sp + 1, " "));
	}
	fflush(stdout);
	/* A filter that names only dom0-side suites selects nothing here:
	 * --list then prints no name. */
	if (pipe(fds) == 0) {
		pid = fork();
		if (pid == 0) {
			dup2(fds[1], 1);
			close(fds[0]);
			execl(GUEST_TESTS, GUEST_TESTS, "--list", "--filter", filter,
			      "--exclude", exclude, (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		while (pid > 0 && (n = read(fds[0], buf, sizeof(buf))) > 0)
			listed += n;
		close(fds[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
		if (pid > 0 && WIFSIGNALED(status)) {
			snprintf(text, tlen, "%s --list killed by signal %d", GUEST_TESTS,
				 WTERMSIG(status));
			return 128 + WTERMSIG(status);
		}
		if (pid > 0 && listed == 0) {
			snprintf(text, tlen, "filter '%.100s' selects no guest test", filter);
			return SUITE_NONE_SELECTED;
		}
	}
	pid = fork();
	if (pid < 0) {
		snprintf(text, tlen, "fork: %s", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execl(GUEST_TESTS, GUEST_TESTS, "--filter", filter, "--exclude", exclude,
		      (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", GUEST_TESTS, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(text, tlen, "waitpid: %s", strerror(errno));
		return 2;
	}
	if (WIFSIGNALED(status)) {
		snprintf(text, tlen, "test program killed by signal %d", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	snprintf(text, tlen, "test program exited with %d", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

/*
 * Run one of our programs that talks to dom0 itself (req/rsp), with extra
 * environment ("NAME=value" strings, NULL-terminated, may be NULL); the
 * ack carries its exit status (128 + n: killed by signal n).
 */
static int run_prog(const char *path, char *const env[], char *text, size_t tlen)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(text, tlen, "fork: %s", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		execl(path, path, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(text, tlen, "waitpid: %s", strerror(errno));
		return 2;
	}
	if (WIFSIGNALED(status)) {
		snprintf(text, tlen, "%s killed by signal %d", path, WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	snprintf(text, tlen, "%s exited with %d", path, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

/* "bench": run the benchmark (`make bench`). */
static int cmd_bench(char *text, size_t tlen)
{
	return run_prog(GUEST_BENCH, NULL, text, tlen);
}

/* "soak <filter> <ioctls> <cycles> <seconds>": the guest part of `make soak`. */
static int cmd_soak(struct agent *a, const char *args, char *text, size_t tlen)
{
	static char ioc[48], cyc[48], sec[48], filter[160];
	char *const env[] = { ioc, cyc, sec, filter, NULL };
	unsigned long i, c, t;
	char f[128];

	(void)a;
	if (sscanf(args, "%127s %lu %lu %lu", f, &i, &c, &t) != 4) {
		snprintf(text, tlen, "usage: soak <filter> <ioctls> <cycles> <seconds>");
		return EINVAL;
	}
	snprintf(ioc, sizeof(ioc), "SOAK_IOCTLS=%lu", i);
	snprintf(cyc, sizeof(cyc), "SOAK_CYCLES=%lu", c);
	snprintf(sec, sizeof(sec), "SOAK_SECONDS=%lu", t);
	snprintf(filter, sizeof(filter), "TH_FILTER=%s", f);
	return run_prog(GUEST_SOAK, env, text, tlen);
}

/*
 * "grant <n> <seed>": the reverse direction. The guest shares n pages with
 * dom0 through its own gntalloc, filled with pattern(seed), and publishes
 * the refs as "grefs"; dom0 maps them with the kernel's gntdev.
 */
static int cmd_grant(struct agent *a, const char *args, char *text, size_t tlen)
{
	static struct gntlab_refs r;
	static char val[4096];
	unsigned int n, seed;

	if (sscanf(args, "%u %u", &n, &seed) != 2 || n == 0 || n > GNTLAB_REFS_PER_CHUNK) {
		snprintf(text, tlen, "usage: grant <1..%u> <seed>", GNTLAB_REFS_PER_CHUNK);
		return EINVAL;
	}
	if (a->granted) {
		snprintf(text, tlen, "already granting");
		return EBUSY;
	}
	if (!a->gs)
		a->gs = xengntshr_open(NULL, 0);
	if (!a->gs) {
		snprintf(text, tlen, "xengntshr_open: %s", strerror(errno));
		return errno;
	}
	a->granted = xengntshr_share_pages(a->gs, 0, (int)n, r.ref, 1);
	if (!a->granted) {
		snprintf(text, tlen, "xengntshr_share_pages(d0, %u): %s", n, strerror(errno));
		return errno;
	}
	a->ngranted = n;
	r.domid = 0; /* unused by dom0: it knows who we are */
	r.count = n;
	for (uint32_t i = 0; i < n; i++)
		gntlab_pattern_fill(a->granted + (size_t)i * GNTLAB_PAGE_SIZE, seed, i, 0,
				    GNTLAB_PAGE_SIZE);
	gntlab_refs_format(&r, val, sizeof(val));
	if (xs_put(a, "grefs", val))
		return EIO;
	snprintf(text, tlen, "granted %u pages to d0", n);
	return 0;
}

/* "check-grant <seed> <off> <len>": does our granted memory hold pattern? */
static int cmd_check_grant(struct agent *a, const char *args, char *text, size_t tlen)
{
	unsigned int seed, off, len;

	if (!a->granted || sscanf(args, "%u %u %u", &seed, &off, &len) != 3 ||
	    off > GNTLAB_PAGE_SIZE || len > GNTLAB_PAGE_SIZE - off) {
		snprintf(text, tlen, "nothing granted or bad arguments");
		return EINVAL;
	}
	for (uint32_t i = 0; i < a->ngranted; i++) {
		long bad = gntlab_pattern_check(a->granted + (size_t)i * GNTLAB_PAGE_SIZE + off,
						seed, i, off, len);
		if (bad >= 0) {
			snprintf(text, tlen, "page %u offset %ld differs", i, off + bad);
			return 1;
		}
	}
	snprintf(text, tlen, "intact");
	return 0;
}

static int cmd_ungrant(struct agent *a, char *text, size_t tlen)
{
	if (!a->granted) {
		snprintf(text, tlen, "nothing granted");
		return 0;
	}
	if (xengntshr_unshare(a->gs, a->granted, a->ngranted)) {
		snprintf(text, tlen, "xengntshr_unshare: %s", strerror(errno));
		return errno;
	}
	a->granted = NULL;
	a->ngranted = 0;
	snprintf(text, tlen, "revoked");
	return 0;
}

/* One value of the demo table, or why there is none. */
static const char *demo_hex(char *b, size_t n, bool have, unsigned long long v)
{
	if (!have)
		return "n/a";
	snprintf(b, n, "%#llx", v);
	return b;
}

static const char *demo_normal_page(const struct gntlab_introspect *in)
{
	if (in->bits & GNTLAB_NORMAL_PAGE_IS_MAP)
		return "the map's page";
	if (in->bits & GNTLAB_NORMAL_PAGE_FOUND)
		return (in->bits & GNTLAB_NOT_OUR_MAP) ? "a page (gntdev's)" : "another page!";
	return "NULL";
}

static const char *demo_gup(char *b, size_t n, int fd, const void *addr, unsigned int kind,
			    bool any)
{
	struct gntlab_gup_probe p;
	int err = any ? gt_gup_any(fd, addr, kind, false, &p) : gt_gup(fd, addr, kind, false, &p);

	if (err)
		snprintf(b, n, "probe failed: %s", strerror(err));
	else if (p.ret > 0)
		snprintf(b, n, "ok%s", p.same_page == 1 ? ", the map's page" :
				       p.same_page == 0 ? ", ANOTHER page" : "");
	else if (p.ret == 0)
		snprintf(b, n, "0 pages (special PTE)");
	else
		snprintf(b, n, "refused: %s", strerror(-p.ret));
	return b;
}

/*
 * "demo": map dom0's first page read-only, print the message it holds, and
 * publish a readable account of the mapping as obs/demo/<n> lines: what the
 * PTE, the P2M and the M2P say, and which GUP users the kernel refuses —
 * through our module (special mode) and, side by side, through the
 * kernel's own gntdev (the same grant, the module's any-address probes).
 */
static int cmd_demo(struct agent *a, char *text, size_t tlen)
{
	static const char *const gup_name[GNTLAB_GUP_COUNT] = {
		"get_user_pages_fast_only", "get_user_pages_fast", "get_user_pages",
		"get_user_pages_remote", "pin_user_pages", "pin_user_pages(LONGTERM)",
	};
	struct gntlab_introspect in, gin;
	struct gd_map gm = { .fd = -1 };
	char line[240], key[32], msg[120], b1[64], b2[64];
	bool have = false, ghave = false;
	int err, gfd = -1, n = 0;

#define DEMO_LINE(...)                                                         \
	do {                                                                   \
		snprintf(line, sizeof(line), __VA_ARGS__);                     \
		snprintf(key, sizeof(key), GNTLAB_XS_OBS "/demo/%d", n++);     \
		xs_put(a, key, line);                                          \
	} while (0)
#define DEMO_ROW(label, f) DEMO_LINE("%-34s %-22s %s", label, demo_hex(b1, sizeof(b1), have, in.f), \
				     demo_hex(b2, sizeof(b2), ghave, gin.f))

	err = do_map(a, 1, "demo");
	if (err) {
		snprintf(text, tlen, "map failed: %s", strerror(err));
		return err;
	}
	snprintf(msg, sizeof(msg), "%s", (const char *)a->m.addr);
	for (char *c = msg; *c; c++)
		if (*c < ' ' || *c > '~')
			*c = '?';
	DEMO_LINE("guest read through its mapping: \"%s\"", msg);
	have = gt_introspect(a->fd, a->m.addr, &in) == 0;
	/* The same grant through the kernel's gntdev, read-only like ours. */
	gfd = gd_available() ? gd_open() : -1;
	if (gfd >= 0 && !gd_map_refs(gfd, a->refs.domid, a->refs.ref, 1, true, &gm))
		ghave = gt_introspect_any(a->fd, gm.addr, &gin) == 0;
	else
		DEMO_LINE("(the kernel's gntdev column is n/a: %s)",
			  gfd < 0 ? "no /dev/xen/gntdev" : "its map of the grant failed");
	DEMO_LINE("%-34s %-22s %s", "fact", "our module (special)", "kernel gntdev");
	DEMO_ROW("user PTE (written by Xen)", pte);
	DEMO_LINE("%-34s %-22s %s", "PTE special bit (guest_avail0)",
		  have ? (in.bits & GNTLAB_PTE_SPECIAL ? "set" : "clear") : "n/a",
		  ghave ? (gin.bits & GNTLAB_PTE_SPECIAL ? "set" : "clear") : "n/a");
	DEMO_ROW("machine frame (MFN) in the PTE", pte_mfn);
	DEMO_ROW("machine_to_phys_mapping[MFN]", m2p);
	DEMO_ROW("mfn_to_pfn(MFN) in the guest", mfn_to_pfn);
	DEMO_ROW("guest page backing the map (PFN)", page_pfn);
	DEMO_ROW("P2M entry of that PFN", p2m_raw);
	DEMO_LINE("%-34s %-22s %s", "PageForeign(page)",
		  have ? (in.bits & GNTLAB_PAGE_FOREIGN ? "yes" : "no") : "n/a",
		  ghave ? (gin.bits & GNTLAB_PAGE_FOREIGN ? "yes" : "no") : "n/a");
	DEMO_LINE("%-34s %-22s %s", "vm_normal_page() via the hook",
		  have ? demo_normal_page(&in) : "n/a", ghave ? demo_normal_page(&gin) : "n/a");
	DEMO_ROW("kernel alias MFN", kernel_alias_mfn);
	if (have) {
		/* The M2P problem this project is about, in the numbers above. */
		DEMO_LINE("why mfn_to_pfn(MFN) is not the guest's page %#llx: the M2P entry of the",
			  (unsigned long long)in.page_pfn);
		DEMO_LINE("  MFN holds dom0's PFN %#llx (the granter's), and this guest's P2M entry for",
			  (unsigned long long)in.m2p);
		DEMO_LINE("  that PFN does not map back to the MFN, so Linux answers %#llx%s",
			  (unsigned long long)in.mfn_to_pfn,
			  in.mfn_to_pfn == in.pte_mfn ?
				  " (the MFN itself: the P2M slot at index MFN is an identity entry)" :
			  in.mfn_to_pfn == ~0ULL ? " (~0: no local PFN)" : "");
		DEMO_LINE("  -- not the page: the PTE alone cannot name it; the VMA's find_special_page");
		DEMO_LINE("  (find_normal_page from Linux 6.18) hook does, for ours and for gntdev.");
	}
	DEMO_LINE("%-34s %-22s %s", "GUP user (in-kernel probe)", "our module (special)",
		  "kernel gntdev");
	for (unsigned int k = 0; k < GNTLAB_GUP_COUNT; k++)
		DEMO_LINE("%-34s %-22s %s", gup_name[k],
			  demo_gup(b1, sizeof(b1), a->fd, a->m.addr, k, false),
			  ghave ? demo_gup(b2, sizeof(b2), a->fd, gm.addr, k, true) : "n/a");
#undef DEMO_ROW
#undef DEMO_LINE
	if (gfd >= 0) {
		gd_unmap(&gm);
		close(gfd);
	}
	snprintf(text, tlen, "%d", n);
	return 0;
}

/*
 * "unload": the module must refuse to go while a map is live (an open fd
 * holds it), then unload cleanly with nothing mapped, and load again.
 */
static int cmd_unload(struct agent *a, const char *args, char *text, size_t tlen)
{
	int busy_rc, busy_err, rc, fd;

	(void)args;
	if (a->m.addr || !a->refs.count) {
		snprintf(text, tlen, "needs refs and nothing mapped");
		return EINVAL;
	}
	if (do_map(a, 1, "unload")) {
		snprintf(text, tlen, "could not map for the busy check");
		return EIO;
	}
	busy_rc = (int)syscall(SYS_delete_module, "gntlab", O_NONBLOCK);
	busy_err = errno;
	do_unmap(a);
	close(a->fd);
	a->fd = -1;
	if (busy_rc == 0) {
		snprintf(text, tlen, "module unloaded while a map was live");
		return 1;
	}
	rc = (int)syscall(SYS_delete_module, "gntlab", O_NONBLOCK);
	if (rc) {
		snprintf(text, tlen, "unload with nothing mapped failed: %s", strerror(errno));
		return 1;
	}
	fd = open("/lib/gntlab/gntlab.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
		snprintf(text, tlen, "reload failed: %s", strerror(errno));
		return 1;
	}
	close(fd);
	a->fd = gt_open();
	snprintf(text, tlen, "refused while mapped (%s), unloaded when idle, reloaded",
		 strerror(busy_err));
	return a->fd < 0 ? 1 : 0;
}

/* "peek <page> <off>": one byte of what this guest granted to dom0. */
static int cmd_peek(struct agent *a, const char *args, char *text, size_t tlen)
{
	unsigned int page, off;

	if (!a->granted || sscanf(args, "%u %u", &page, &off) != 2 ||
	    page >= a->ngranted || off >= GNTLAB_PAGE_SIZE) {
		snprintf(text, tlen, "nothing granted or bad arguments");
		return EINVAL;
	}
	snprintf(text, tlen, "%u", a->granted[(size_t)page * GNTLAB_PAGE_SIZE + off]);
	return 0;
}

/* Adapters to the one handler type of the table below. */
static int cmd_unmap(struct agent *a, const char *args, char *text, size_t tlen)
{
	int rc = do_unmap(a);

	(void)args;
	snprintf(text, tlen, rc ? "unmap failed: %s" : "unmapped, counters zero", strerror(rc));
	return rc;
}

static int cmd_probe_revoked_(struct agent *a, const char *args, char *text, size_t tlen)
{
	(void)args;
	return cmd_probe_revoked(a, text, tlen);
}

static int cmd_suite_(struct agent *a, const char *args, char *text, size_t tlen)
{
	(void)a;
	return cmd_suite(args, text, tlen);
}

static int cmd_demo_(struct agent *a, const char *args, char *text, size_t tlen)
{
	(void)args;
	return cmd_demo(a, text, tlen);
}

static int cmd_bench_(struct agent *a, const char *args, char *text, size_t tlen)
{
	(void)a;
	(void)args;
	return cmd_bench(text, tlen);
}

static int cmd_ungrant_(struct agent *a, const char *args, char *text, size_t tlen)
{
	(void)args;
	return cmd_ungrant(a, text, tlen);
}

/* The gntalloc verbs (agent_gntalloc.c). */
#define GA_ADAPTER(name)                                                       \
	static int cmd_g##name(struct agent *a, const char *args, char *text,   \
			      size_t tlen)                                     \
	{                                                                      \
		return ga_cmd_##name(&a->ga, args, text, tlen);                \
	}
GA_ADAPTER(alloc)
GA_ADAPTER(notify)
GA_ADAPTER(revoke)
GA_ADAPTER(peek)
GA_ADAPTER(check)
GA_ADAPTER(kmsg)
GA_ADAPTER(evbind)
GA_ADAPTER(evwait)

static int cmd_quit(struct agent *a, const char *args, char *text, size_t tlen)
{
	(void)args;
	do_unmap(a);
	ga_release_all(&a->ga);
	cmd_ungrant(a, text, tlen);
	snprintf(text, tlen, "bye");
	a->quit = true;
	return 0;
}

typedef int (*cmd_fn)(struct agent *a, const char *args, char *text, size_t tlen);

/* Who serves each verb of gntlab_cmd_verbs[] (dom0-tools/gntlab_proto.c). */
static const cmd_fn serve[GNTLAB_CMD_COUNT] = {
	[GNTLAB_CMD_MAP] = cmd_map,
	[GNTLAB_CMD_UNMAP] = cmd_unmap,
	[GNTLAB_CMD_PROBE_REVOKED] = cmd_probe_revoked_,
	[GNTLAB_CMD_SUITE] = cmd_suite_,
	[GNTLAB_CMD_GRANT] = cmd_grant,
	[GNTLAB_CMD_CHECK_GRANT] = cmd_check_grant,
	[GNTLAB_CMD_PEEK] = cmd_peek,
	[GNTLAB_CMD_UNGRANT] = cmd_ungrant_,
	[GNTLAB_CMD_UNLOAD] = cmd_unload,
	[GNTLAB_CMD_DEMO] = cmd_demo_,
	[GNTLAB_CMD_BENCH] = cmd_bench_,
	[GNTLAB_CMD_GALLOC] = cmd_galloc,
	[GNTLAB_CMD_GNOTIFY] = cmd_gnotify,
	[GNTLAB_CMD_GREVOKE] = cmd_grevoke,
	[GNTLAB_CMD_GPEEK] = cmd_gpeek,
	[GNTLAB_CMD_GCHECK] = cmd_gcheck,
	[GNTLAB_CMD_GKMSG] = cmd_gkmsg,
	[GNTLAB_CMD_GEVBIND] = cmd_gevbind,
	[GNTLAB_CMD_GEVWAIT] = cmd_gevwait,
	[GNTLAB_CMD_QUIT] = cmd_quit,
	[GNTLAB_CMD_SOAK] = cmd_soak,
};

/* Watch predicate: a command whose sequence number we have not run yet. */
static bool is_new_cmd(const char *val, void *arg)
{
	struct gntlab_cmd c;

	return !gntlab_cmd_parse(val, &c) && c.seq != *(uint32_t *)arg;
}

static int run(struct agent *a)
{
	char ready[64], ack[320], text[256];
	uint32_t last = 0;

	snprintf(ready, sizeof(ready), "%d %d", GNTLAB_ABI_VERSION, (int)getpid());
	if (xs_put(a, GNTLAB_XS_READY, ready))
		return 1;
	logf_("ready, waiting for commands");
	while (!a->quit) {
		struct gntlab_cmd c;
		char *v;
		int rc, id;

		v = xs_wait_for(a->xs, GNTLAB_XS_DIR "/" GNTLAB_XS_CMD,
				CMD_TIMEOUT_MS, is_new_cmd, &last);
		if (!v) {
			logf_("no command from dom0 in %d s (%s); exiting",
			      CMD_TIMEOUT_MS / 1000, strerror(errno));
			return 1;
		}
		if (gntlab_cmd_parse(v, &c)) {
			logf_("malformed command '%.80s'", v);
			free(v);
			return 1;
		}
		free(v);
		last = c.seq;
		logf_("cmd %u: %s %s", c.seq, c.verb, c.args);
		text[0] = '\0';
		id = gntlab_verb_find(gntlab_cmd_verbs, GNTLAB_CMD_COUNT, c.verb);
		if (id >= 0 && serve[id]) {
			rc = serve[id](a, c.args, text, sizeof(text));
		} else {
			rc = EINVAL;
			snprintf(text, sizeof(text), "unknown verb '%s'", c.verb);
		}
		logf_("ack %u rc %d: %s", c.seq, rc, text);
		snprintf(ack, sizeof(ack), "%u %d %s", c.seq, rc, text);
		if (xs_put(a, GNTLAB_XS_ACK, ack))
			return 1;
	}
	logf_("quit");
	return 0;
}

int main(int argc, char **argv)
{
	struct agent a = { 0 };
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < GNTLAB_CMD_COUNT; i++)
		if (!serve[i]) {
			logf_("no handler for command '%s'", gntlab_cmd_verbs[i].name);
			return 2;
		}
	if (argc == 2 && !strcmp(argv[1], "--list-verbs")) {
		/* The commands this agent serves (dom0-tools/gntlab_proto.c). */
		gntlab_verbs_markdown(stdout, gntlab_cmd_verbs, GNTLAB_CMD_COUNT);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: gntlab-agent [--list-verbs]\n");
		return 2;
	}
	a.fd = gt_open();
	if (a.fd < 0) {
		logf_("open %s: %s (is the module loaded?)", GNTLAB_DEVICE,
		      strerror(errno));
		return 2;
	}
	a.xs = xs_open(0);
	if (!a.xs) {
		logf_("xs_open: %s", strerror(errno));
		return 2;
	}
	rc = run(&a);
	/*
	 * No xs_close(): it cancels libxenstore's watch reader thread, and
	 * glibc's pthread_cancel dlopen()s libgcc_s, which the guest image does
	 * not carry: every run ended in SIGABRT. Exiting releases everything.
	 */
	close(a.fd);
	return rc;
}
