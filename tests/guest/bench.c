// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-bench: map/unmap throughput and scaling, run in the guest by the
 * agent's "bench" verb (`make bench`). Not a test suite: it measures.
 *
 * dom0 shares pages (dom0_share), and the same grants are mapped, touched
 * and unmapped by our module (/dev/gntlab, each mode) and by the kernel's own
 * gntdev through libxengnttab. The variants are interleaved inside every
 * repetition so that they share the (TCG, shared host) machine's state of
 * the moment: only ratios from one run mean anything.
 *
 * Every measurement goes to dom0 as one JSON object ("bench <json>"), which
 * dom0 prints as `GNTLAB-LOG bench <json>`; the host runner keeps those
 * lines in build/results-bench/bench.log and gntlab-benchreport turns them
 * into bench.json / bench.md / bench.png.
 *
 * Exit: 0 every measurement ran and every touched byte held dom0's pattern;
 * 1 a mapping failed or a byte was wrong; 2 environment (no share, no device).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xengnttab.h>

#include "bench_count.h"
#include "dom0_client.h"
#include "gtmap.h"

#define PAGE 4096u
#define SEED 0xbe7c0001u
/* Scaling needs 2^16 grants: 16 shares of GNTLAB_PROTO_MAX_REFS (4096). */
#define SCALE_MAX (1u << 16)
#define NSHARES (SCALE_MAX / GNTLAB_PROTO_MAX_REFS)
#define REPS 7
#define SCALE_REPS 3
/* Each repetition of one batch size lasts at least this long (all variants). */
#define MIN_NS 1000000000LL
#define MIN_ITERS 2
/* Cycle times kept per variant and repetition, for the median cycle. */
#define MAX_SAMPLES 4096

/*
 * Our module in each mode, and the kernel's gntdev. The module's earlier
 * states (special-b16, special-split, special-multi, special-nocache) were
 * measured through module parameters that existed only for this; they went
 * with the parameters (docs/bench.md, docs/module.md "Parameters").
 */
enum impl { IMPL_SPECIAL, IMPL_NOHOOK, IMPL_PFNMAP, IMPL_GNTDEV, IMPL_COUNT };
static const char *const impl_name[IMPL_COUNT] = {
	[IMPL_SPECIAL] = "special", [IMPL_NOHOOK] = "nohook",
	[IMPL_PFNMAP] = "pfnmap", [IMPL_GNTDEV] = "gntdev",
};
/* The module's mode of each of our variants. */
static const unsigned int impl_mode[IMPL_COUNT] = {
	[IMPL_SPECIAL] = GNTLAB_MODE_SPECIAL, [IMPL_NOHOOK] = GNTLAB_MODE_NOHOOK,
	[IMPL_PFNMAP] = GNTLAB_MODE_PFNMAP,
};
static const unsigned int batches[] = { 1, 16, 256, 4096 };

/* Time of each phase of map+touch+unmap, summed over iterations. */
struct phases {
	long long map;		/* ours: ioctl MAP; gntdev: xengnttab_map_grant_refs */
	long long mmap;		/* ours: mmap (the map hypercalls) */
	long long touch;	/* one read per page */
	long long munmap;	/* ours: munmap (unmap hypercalls) */
	long long unmap;	/* ours: ioctl UNMAP; gntdev: xengnttab_unmap */
};

static int gfd = -1;
static xengnttab_handle *xgt;
static struct gntlab_grant_ref *grefs;	/* (domid, ref) of every page shared */
static uint32_t *domids, *refs;		/* the same, for libxengnttab */
static struct dom0_share *shares;
static unsigned int nshared;
static unsigned long bad_bytes, failures;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One JSON object to dom0; dom0 prints it as GNTLAB-LOG bench <json>. */
static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
	char line[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (dom0_request_line(NULL, 0, "bench %s", line))
		fprintf(stderr, "bench: dom0 did not take: %s\n", line);
	printf("bench %s\n", line);
	fflush(stdout);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	char line[800], esc[900];
	size_t j = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (size_t i = 0; line[i] && j < sizeof(esc) - 2; i++) {
		if (line[i] == '"' || line[i] == '\\')
			esc[j++] = '\\';
		esc[j++] = line[i] == '\n' ? ' ' : line[i];
	}
	esc[j] = '\0';
	emit("{\"kind\":\"note\",\"text\":\"%s\"}", esc);
}

static long meminfo_kb(const char *key)
{
	char line[160];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long read_param(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static int write_param(const char *path, unsigned long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%lu\n", v);
	n = write(fd, buf, (size_t)n) == n ? 0 : -1;
	close(fd);
	return n;
}

/* Read one byte of every page; count bytes that are not dom0's pattern. */
static void touch(const volatile uint8_t *p, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		if (p[(size_t)i * PAGE] != gntlab_pattern_byte(SEED, i % GNTLAB_PROTO_MAX_REFS, 0))
			bad_bytes++;
}

/*
 * Map pages [0, count) of what dom0 shared, touch, unmap, with our module in
 * `mode`. Phases accumulate into ph. Returns 0 or -errno.
 */
static int ours_cycle(unsigned int mode, unsigned int count, struct phases *ph,
		      long *mapped_free_kb)
{
	long long t0, t1, t2, t3, t4, t5, skip = 0;
	uint64_t index;
	void *p = NULL;
	int err, uerr;

	/* The raw calls of tests/guest/gtmap.h, each phase timed on its own. */
	t0 = now_ns();
	err = gt_ioc_map(gfd, grefs, count, mode, 0, &index);
	if (err)
		return -err;
	t1 = now_ns();
	err = -gt_mmap_at(gfd, index, (size_t)count * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  &p);
	t2 = now_ns();
	if (err) {
		t3 = t4 = t2;
	} else {
		touch(p, count);
		t3 = now_ns();
		/* Not timed: the memory reading of the scaling runs. */
		if (mapped_free_kb) {
			*mapped_free_kb = meminfo_kb("MemFree");
			skip = now_ns() - t3;
		}
		munmap(p, (size_t)count * PAGE);
		t4 = now_ns() - skip;
	}
	uerr = gt_ioc_unmap(gfd, index, count);
	if (uerr && !err)
		err = -uerr;
	t5 = now_ns() - skip;
	ph->map += t1 - t0;
	ph->mmap += t2 - t1;
	ph->touch += t3 - t2;
	ph->munmap += t4 - t3;
	ph->unmap += t5 - t4;
	return err;
}

static int gntdev_cycle(unsigned int count, struct phases *ph, long *mapped_free_kb)
{
	long long t0, t1, t2, t3, skip = 0;
	void *p;
	int err = 0;

	t0 = now_ns();
	p = xengnttab_map_grant_refs(xgt, count, domids, refs, PROT_READ | PROT_WRITE);
	t1 = now_ns();
	if (!p)
		return errno ? -errno : -EIO;
	touch(p, count);
	t2 = now_ns();
	if (mapped_free_kb) {
		*mapped_free_kb = meminfo_kb("MemFree");
		skip = now_ns() - t2;
	}
	if (xengnttab_unmap(xgt, p, count))
		err = errno ? -errno : -EIO;
	t3 = now_ns() - skip;
	ph->map += t1 - t0;
	ph->touch += t2 - t1;
	ph->unmap += t3 - t2;
	return err;
}

static int cycle(enum impl im, unsigned int count, struct phases *ph, long *free_kb)
{
	if (im == IMPL_GNTDEV)
		return xgt ? gntdev_cycle(count, ph, free_kb) : -ENODEV;
	return ours_cycle(impl_mode[im], count, ph, free_kb);
}

static bool available(enum impl im)
{
	return im != IMPL_GNTDEV || xgt;
}

/*
 * A new random order of the variants for every round (fixed seed: the
 * same sequence every run). A rotating order gave every variant the same
 * predecessor every round, which biased their ratios by a few percent
 * (docs/bench.md, change 4).
 */
static void shuffle(enum impl order[IMPL_COUNT])
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	for (unsigned int k = 0; k < IMPL_COUNT; k++)
		order[k] = (enum impl)k;
	for (unsigned int k = IMPL_COUNT - 1; k > 0; k--) {
		unsigned int j;
		enum impl t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (unsigned int)(x % (k + 1));
		t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long median_ll(long long *v, unsigned long n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One repetition at one batch size: rounds of one cycle of every variant
 * (a new random order each round), until MIN_NS have passed, so that every
 * variant sees the same moments of the shared machine. One record per
 * variant.
 */
static void measure_rep(unsigned int batch, unsigned int rep)
{
	static long long samples[IMPL_COUNT][MAX_SAMPLES];
	struct phases ph[IMPL_COUNT] = { 0 };
	unsigned long iters[IMPL_COUNT] = { 0 }, bad[IMPL_COUNT] = { 0 };
	long long ns[IMPL_COUNT] = { 0 }, t0 = now_ns();
	int err[IMPL_COUNT] = { 0 };

	for (unsigned int round = 0; round < MIN_ITERS || now_ns() - t0 < MIN_NS; round++) {
		enum impl order[IMPL_COUNT];

		shuffle(order);
		for (unsigned int k = 0; k < IMPL_COUNT; k++) {
			enum impl im = order[k];
			unsigned long before = bad_bytes;
			long long t;

			if (!available(im) || err[im])
				continue;
			t = now_ns();
			err[im] = cycle(im, batch, &ph[im], NULL);
			t = now_ns() - t;
			ns[im] += t;
			if (iters[im] < MAX_SAMPLES)
				samples[im][iters[im]] = t;
			bad[im] += bad_bytes - before;
			if (!err[im])
				iters[im]++;
		}
	}
	for (unsigned int k = 0; k < IMPL_COUNT; k++) {
		if (!available((enum impl)k))
			continue;
		if (err[k])
			failures++;
		unsigned long nsamp = iters[k] < MAX_SAMPLES ? iters[k] : MAX_SAMPLES;

		emit("{\"kind\":\"tput\",\"impl\":\"%s\",\"batch\":%u,\"rep\":%u,\"iters\":%lu,"
		     "\"ns\":%lld,\"pages_per_s\":%.1f,\"ns_cycle_median\":%lld,\"ns_map\":%lld,"
		     "\"ns_mmap\":%lld,\"ns_touch\":%lld,\"ns_munmap\":%lld,\"ns_unmap\":%lld,"
		     "\"bad_bytes\":%lu,\"errno\":%d}",
		     impl_name[k], batch, rep, iters[k], ns[k],
		     ns[k] > 0 ? (double)iters[k] * batch * 1e9 / (double)ns[k] : 0.0,
		     median_ll(samples[k], nsamp),
		     ph[k].map, ph[k].mmap, ph[k].touch, ph[k].munmap, ph[k].unmap, bad[k],
		     -err[k]);
	}
}

/* Time and memory of one map+touch+unmap of `count` grants. */
static void scale_one(enum impl im, unsigned int count, unsigned int rep)
{
	struct gntlab_stats st0 = { 0 }, st1 = { 0 };
	struct phases ph = { 0 };
	long free0 = meminfo_kb("MemFree"), free_mapped = -1, free1;
	unsigned long before = bad_bytes;
	int err;

	gt_stats(gfd, &st0);
	err = cycle(im, count, &ph, &free_mapped);
	free1 = meminfo_kb("MemFree");
	gt_stats(gfd, &st1);
	if (err)
		failures++;
	emit("{\"kind\":\"scale\",\"impl\":\"%s\",\"pages\":%u,\"rep\":%u,"
	     "\"ns\":%lld,\"ns_map\":%lld,\"ns_mmap\":%lld,\"ns_touch\":%lld,"
	     "\"ns_munmap\":%lld,\"ns_unmap\":%lld,\"memfree_before_kb\":%ld,"
	     "\"memfree_mapped_kb\":%ld,\"memfree_after_kb\":%ld,\"bad_bytes\":%lu,"
	     "\"pages_held_after\":%llu,\"errno\":%d}",
	     impl_name[im], count, rep,
	     ph.map + ph.mmap + ph.touch + ph.munmap + ph.unmap,
	     ph.map, ph.mmap, ph.touch, ph.munmap, ph.unmap, free0, free_mapped,
	     free1, bad_bytes - before, (unsigned long long)st1.pages_held, -err);
}

/*
 * 3. Counts (bench_count.h): what COUNT_CYCLES cycles of each variant at
 * each batch size ask of Xen. Deterministic, unlike the times.
 */
#define COUNT_CYCLES 4
#define COUNT_WINDOWS 3
static void count_all(void)
{
	char why[160];
	bool ours_complete;

	if (bench_count_setup(why, sizeof(why), &ours_complete)) {
		note("counts not measured: %s", why);
		bench_count_teardown();
		return;
	}
	if (why[0])
		note("counts: %s", why);
	if (!ours_complete)
		note("counts: no kprobe on gntlab_user_unmap_run: ours' unmap counts miss "
		     "the module's direct unmap hypercall");
	for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++)
		for (unsigned int k = 0; k < IMPL_COUNT; k++) {
			struct bench_counts c = { 0 };
			struct phases ph = { 0 };
			int err = 0;

			if (!available((enum impl)k))
				continue;
			/*
			 * COUNT_WINDOWS windows of COUNT_CYCLES cycles; the one
			 * with the fewest counted multicall flushes is kept. The
			 * trace sees the whole guest: other tasks' context
			 * switches are kept apart (bench_count.c, mc_other), and
			 * whatever else runs in a window only adds multicalls.
			 */
			for (unsigned int w = 0; w < COUNT_WINDOWS && !err; w++) {
				struct bench_counts cw;

				bench_count_begin();
				for (unsigned int i = 0; i < COUNT_CYCLES && !err; i++)
					err = cycle((enum impl)k, batches[b], &ph, NULL);
				/* deferred unmaps (ours' work item, gntdev's async unmap) */
				gt_wait_zero(gfd, 1000, NULL);
				usleep(50 * 1000);
				if (bench_count_end(&cw))
					err = -1;
				else if (w == 0 || cw.mc_calls < c.mc_calls)
					c = cw;
			}
			if (err) {
				failures++;
				continue;
			}
			if (c.mc_by_n) {
				char by[600];
				size_t off = 0;

				for (unsigned int i = 0; i < c.mc_by_n && off < sizeof(by); i++)
					off += (size_t)snprintf(by + off, sizeof(by) - off, "%s%s %lu",
								i ? ", " : "", c.mc_by[i].who,
								c.mc_by[i].n);
				note("counts %s batch %u: %lu multicall flushes counted, %lu other "
				     "tasks' context switches not; by task:caller: %s",
				     impl_name[k], batches[b], c.mc_calls, c.mc_other, by);
			}
			emit("{\"kind\":\"count\",\"impl\":\"%s\",\"batch\":%u,\"cycles\":%u,"
			     "\"map_calls\":%lu,\"map_entries\":%lu,\"unmap_calls\":%lu,"
			     "\"unmap_entries\":%lu,\"xen_unmap_flushes\":%lu,\"mc_calls\":%lu,"
			     "\"mc_ops\":%lu,\"tlb_multi\":%lu,\"tlb_one\":%lu,\"pt_alloc\":%lu,"
			     "\"pt_release\":%lu,\"lost\":%lu,\"mc_other\":%lu,\"complete\":%d}",
			     impl_name[k], batches[b], COUNT_CYCLES, c.map_calls, c.map_entries,
			     c.unmap_calls, c.unmap_entries, c.xen_unmap_flushes, c.mc_calls,
			     c.mc_ops, c.tlb_multi, c.tlb_one, c.pt_alloc, c.pt_release, c.lost,
			     c.mc_other,
			     k == IMPL_GNTDEV || ours_complete);
		}
	bench_count_teardown();
}

/* Get `n` shares of 4096 pages from dom0, all filled with pattern(SEED). */
static int share_more(unsigned int n)
{
	for (; nshared < n; nshared++) {
		struct dom0_share *s = &shares[nshared];
		unsigned int base = nshared * GNTLAB_PROTO_MAX_REFS;
		int rc = dom0_share(GNTLAB_PROTO_MAX_REFS, true, SEED, s);

		if (rc) {
			note("dom0 could not share pages %u..%u: rc %d", base,
			     base + GNTLAB_PROTO_MAX_REFS - 1, rc);
			return -1;
		}
		for (unsigned int i = 0; i < s->count; i++) {
			grefs[base + i] = (struct gntlab_grant_ref){ s->domid, s->ref[i] };
			domids[base + i] = s->domid;
			refs[base + i] = s->ref[i];
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned int scale_sizes[] = { 1, 1u << 10, 1u << 14, 1u << 16 };
	const char *gntdev_limit = "/sys/module/xen_gntdev/parameters/limit";
	long lim;

	(void)argc;
	(void)argv;
	setvbuf(stdout, NULL, _IOLBF, 0);
	grefs = calloc(SCALE_MAX, sizeof(*grefs));
	domids = calloc(SCALE_MAX, sizeof(*domids));
	refs = calloc(SCALE_MAX, sizeof(*refs));
	shares = calloc(NSHARES, sizeof(*shares));
	if (!grefs || !domids || !refs || !shares)
		return 2;
	gfd = gt_open();
	if (gfd < 0) {
		note("open %s: %s", GNTLAB_DEVICE, strerror(errno));
		return 2;
	}
	/* gntdev's per-request limit (6.1 default 65536): make room for 2^16. */
	lim = read_param(gntdev_limit);
	if (lim >= 0 && lim < (long)SCALE_MAX)
		write_param(gntdev_limit, SCALE_MAX);
	xgt = xengnttab_open(NULL, 0);
	if (!xgt)
		note("xengnttab_open: %s (gntdev variant skipped)", strerror(errno));
	emit("{\"kind\":\"env\",\"memtotal_kb\":%ld,\"memfree_kb\":%ld,"
	     "\"gntdev_limit_before\":%ld,\"gntdev_limit\":%ld,\"reps\":%d,"
	     "\"min_ns\":%lld,\"clock\":\"CLOCK_MONOTONIC\"}",
	     meminfo_kb("MemTotal"), meminfo_kb("MemFree"), lim,
	     read_param(gntdev_limit), REPS, MIN_NS);

	if (share_more(1))
		return 2;
	/*
	 * Warm-up, not reported: the first grant maps of a boot fill the
	 * kernel's pool of unpopulated pages (a whole memory section), which
	 * would be charged to whichever variant came first.
	 */
	for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++)
		for (unsigned int k = 0; k < IMPL_COUNT; k++) {
			struct phases ph = { 0 };

			if (!available((enum impl)k))
				continue;
			cycle((enum impl)k, batches[b], &ph, NULL);
		}

	count_all();

	/* 1. Throughput: REPS repetitions of every batch size, the variants
	 * interleaved cycle by cycle inside each (measure_rep). */
	for (unsigned int rep = 0; rep < REPS; rep++)
		for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++)
			measure_rep(batches[b], rep);

	/* 2. Scaling: one map of 1 .. 2^16 grants, ours (special) and gntdev. */
	if (share_more(NSHARES) == 0) {
		for (unsigned int rep = 0; rep < SCALE_REPS; rep++)
			for (size_t s = 0; s < sizeof(scale_sizes) / sizeof(scale_sizes[0]); s++) {
				scale_one(IMPL_SPECIAL, scale_sizes[s], rep);
				if (xgt)
					scale_one(IMPL_GNTDEV, scale_sizes[s], rep);
			}
	} else {
		failures++;
	}

	for (unsigned int i = 0; i < nshared; i++)
		dom0_unshare(&shares[i]);
	emit("{\"kind\":\"done\",\"failures\":%lu,\"bad_bytes\":%lu}", failures, bad_bytes);
	if (xgt)
		xengnttab_close(xgt);
	close(gfd);
	return failures || bad_bytes ? 1 : 0;
}
