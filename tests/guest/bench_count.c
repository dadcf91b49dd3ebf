// SPDX-License-Identifier: GPL-2.0
/* Counting hypercalls, grant ops and TLB flush requests (bench_count.h). */
#define _GNU_SOURCE
#include "bench_count.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define GROUP "gntlab_cnt"

static char tdir[64];

/* Tracepoints counted (their names in the trace). */
static const char *const xen_events[] = {
	"xen_mc_flush", "xen_mmu_flush_tlb_multi", "xen_mmu_flush_tlb_one_user",
	"xen_mmu_alloc_ptpage", "xen_mmu_release_ptpage",
};

/* Write val to tracefs file rel (append: kprobe_events, which a truncating
 * open would clear). 0 or errno. */
static int put(const char *rel, const char *val, bool append)
{
	char p[160];
	int fd, err = 0;
	size_t n = strlen(val);

	snprintf(p, sizeof(p), "%s/%s", tdir, rel);
	fd = open(p, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return errno;
	if (write(fd, val, n) != (ssize_t)n)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

static int find_tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct stat st;
	char p[96];

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(p, sizeof(p), "%s/trace", dirs[i]);
			if (!stat(p, &st)) {
				snprintf(tdir, sizeof(tdir), "%s", dirs[i]);
				return 0;
			}
			if (!pass)
				mount("tracefs", dirs[i], "tracefs", 0, NULL);
		}
	return -1;
}

int bench_count_setup(char *why, size_t len, bool *ours_complete)
{
	static const char *const probes[] = {
		"p:" GROUP "/gl_map_refs gnttab_map_refs kops=%si:x64 count=%cx:u32\n",
		"p:" GROUP "/gl_unmap_refs gnttab_unmap_refs kops=%si:x64 count=%cx:u32\n",
	};
	char p[128];
	int err;

	*ours_complete = false;
	if (find_tracefs()) {
		snprintf(why, len, "no tracefs (mount -t tracefs: %s)", strerror(errno));
		return -1;
	}
	put("tracing_on", "0", false);
	bench_count_teardown();
	put("buffer_size_kb", "8192", false);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		err = put("kprobe_events", probes[i], true);
		if (err) {
			snprintf(why, len, "kprobe_events '%.60s': %s", probes[i], strerror(err));
			return -1;
		}
	}
	/* The module's direct GNTTABOP_unmap_grant_ref (gntlab_grant.c). */
	*ours_complete = !put("kprobe_events",
			      "p:" GROUP "/gl_user_unmap gntlab:gntlab_user_unmap_run n=%dx:u32\n",
			      true);
	err = put("events/" GROUP "/enable", "1", false);
	if (err) {
		snprintf(why, len, "enabling the kprobe events: %s", strerror(err));
		return -1;
	}
	/* Who flushes the multicalls: a stack trace with each (optional). */
	put("events/xen/xen_mc_flush/trigger", "stacktrace", false);
	/* A tracepoint this kernel lacks is counted as 0 and named in why[]. */
	why[0] = '\0';
	for (size_t i = 0; i < sizeof(xen_events) / sizeof(xen_events[0]); i++) {
		snprintf(p, sizeof(p), "events/xen/%s/enable", xen_events[i]);
		err = put(p, "1", false);
		if (err)
			snprintf(why + strlen(why), len - strlen(why), "%sno xen:%s (%s)",
				 why[0] ? ", " : "", xen_events[i], strerror(err));
	}
	return 0;
}

void bench_count_begin(void)
{
	put("trace", "", false);	/* a truncating open clears the buffer */
	put("tracing_on", "1", false);
}

/* Count one multicall flush of task comm by caller fn in c->mc_by. */
static void mc_by_add(struct bench_counts *c, const char *comm, const char *fn)
{
	char who[64];
	unsigned int i;

	snprintf(who, sizeof(who), "%s:%s", comm, fn);
	for (i = 0; i < c->mc_by_n && strcmp(c->mc_by[i].who, who); i++)
		;
	if (i == c->mc_by_n && i == BENCH_COUNT_MC_BY) {
		/* Full: the rest goes to "(others)", in the least used slot. */
		for (i = 0; i < c->mc_by_n && strcmp(c->mc_by[i].who, "(others)"); i++)
			;
		if (i == c->mc_by_n) {
			i = c->mc_by_n - 1;
			snprintf(c->mc_by[i].who, sizeof(c->mc_by[i].who), "(others)");
		}
	} else if (i == c->mc_by_n) {
		snprintf(c->mc_by[i].who, sizeof(c->mc_by[i].who), "%s", who);
		c->mc_by[i].n = 0;
		c->mc_by_n++;
	}
	c->mc_by[i].n++;
	/* Keep the most frequent first. */
	while (i > 0 && c->mc_by[i].n > c->mc_by[i - 1].n) {
		__typeof__(c->mc_by[0]) t = c->mc_by[i];

		c->mc_by[i] = c->mc_by[i - 1];
		c->mc_by[--i] = t;
	}
}

/*
 * One multicall flush of n ops by task comm from caller fn ("?" when the
 * event came without its stack). A context switch of another task (the
 * idle task, the RCU thread: they happen in the window whatever it
 * measures, as often as the window is long) goes to mc_other; everything
 * else (this program, the workers that finish its unmaps, any other
 * multicall of any task) to mc_calls.
 */
static void mc_count(struct bench_counts *c, const char *comm, const char *fn,
		     unsigned long n)
{
	static const char *const switches[] = {
		"xen_load_sp0", "xen_end_context_switch", "__switch_to", "xen_load_tls",
	};
	bool sw = false;

	for (size_t i = 0; i < sizeof(switches) / sizeof(switches[0]); i++)
		sw |= !strcmp(fn, switches[i]);
	mc_by_add(c, comm, fn);
	if (sw && strncmp(comm, program_invocation_short_name, 15) &&
	    strncmp(comm, "kworker", 7)) {
		c->mc_other++;
		return;
	}
	c->mc_calls++;
	c->mc_ops += n;
}

/* The task of a trace line ("  comm-pid  [cpu] ..."), without "-pid". */
static void line_comm(const char *line, char *comm, size_t len)
{
	size_t n;
	char *dash;

	line += strspn(line, " ");
	n = strcspn(line, " ");
	snprintf(comm, len, "%.*s", (int)n, line);
	dash = strrchr(comm, '-');
	if (dash && dash != comm && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
		*dash = '\0';
}

/* The unsigned value after key= in line, or 0. */
static unsigned long arg_of(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoul(p + strlen(key), NULL, 0) : 0;
}

int bench_count_end(struct bench_counts *c)
{
	char p[96], line[512];
	FILE *f;

	put("tracing_on", "0", false);
	memset(c, 0, sizeof(*c));
	snprintf(p, sizeof(p), "%s/trace", tdir);
	f = fopen(p, "r");
	if (!f)
		return -1;
	char comm[32] = "";
	bool want_caller = false;	/* a counted flush's stack follows */
	unsigned long pend = 0;		/* its number of ops */

	while (fgets(line, sizeof(line), f)) {
		const char *l;
		unsigned long n;

		if (line[0] == '#')
			continue;
		if ((l = strstr(line, " => "))) {
			char fn[48];

			if (!want_caller || sscanf(l + 4, "%47[A-Za-z0-9_.]", fn) != 1 ||
			    !strncmp(fn, "xen_mc_", 7) || strstr(fn, "trace"))
				continue;
			mc_count(c, comm, fn, pend);
			want_caller = false;
			continue;
		}
		if (strstr(line, "<stack trace>"))
			continue;
		if (want_caller)
			mc_count(c, comm, "?", pend);
		want_caller = false;
		if ((l = strstr(line, "[LOST "))) {
			c->lost += strtoul(l + 6, NULL, 10);
		} else if (strstr(line, " gl_map_refs:") || strstr(line, " gl_unmap_refs:")) {
			/* the ops, and the kernel-half ops when that pointer is set */
			unsigned long calls = 1 + (arg_of(line, "kops=") != 0);
			bool map = strstr(line, " gl_map_refs:");

			n = arg_of(line, "count=");
			if (map) {
				c->map_calls += calls;
				c->map_entries += calls * n;
			} else {
				c->unmap_calls += calls;
				c->unmap_entries += calls * n;
				c->xen_unmap_flushes += calls * ((n + 31) / 32);
			}
		} else if (strstr(line, " gl_user_unmap:")) {
			n = arg_of(line, " n=");
			c->unmap_calls++;
			c->unmap_entries += n;
			c->xen_unmap_flushes += (n + 31) / 32;
		} else if ((l = strstr(line, " xen_mc_flush: flushing "))) {
			n = strtoul(l + strlen(" xen_mc_flush: flushing "), NULL, 10);
			if (n) {
				line_comm(line, comm, sizeof(comm));
				pend = n;
				want_caller = true;
			}
		} else if (strstr(line, " xen_mmu_flush_tlb_multi:")) {
			c->tlb_multi++;
		} else if (strstr(line, " xen_mmu_flush_tlb_one_user:")) {
			c->tlb_one++;
		} else if (strstr(line, " xen_mmu_alloc_ptpage:")) {
			c->pt_alloc++;
		} else if (strstr(line, " xen_mmu_release_ptpage:")) {
			c->pt_release++;
		}
	}
	if (want_caller)
		mc_count(c, comm, "?", pend);
	fclose(f);
	return 0;
}

void bench_count_teardown(void)
{
	char p[128];

	if (!tdir[0])
		return;
	put("tracing_on", "0", false);
	put("events/xen/xen_mc_flush/trigger", "!stacktrace", false);
	put("events/" GROUP "/enable", "0", false);
	for (size_t i = 0; i < sizeof(xen_events) / sizeof(xen_events[0]); i++) {
		snprintf(p, sizeof(p), "events/xen/%s/enable", xen_events[i]);
		put(p, "0", false);
	}
	put("kprobe_events", "-:" GROUP "/gl_map_refs\n", true);
	put("kprobe_events", "-:" GROUP "/gl_unmap_refs\n", true);
	put("kprobe_events", "-:" GROUP "/gl_user_unmap\n", true);
}
