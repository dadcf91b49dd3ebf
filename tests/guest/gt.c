// SPDX-License-Identifier: GPL-2.0
#include "gt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>

const char *const gt_mode_name[GNTLAB_MODE_COUNT] = {
	[GNTLAB_MODE_SPECIAL] = "special",
	[GNTLAB_MODE_NOHOOK] = "nohook",
	[GNTLAB_MODE_PFNMAP] = "pfnmap",
};

int gt_reserve(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	       struct gt_map *m)
{
	return gt_reserve_refs(fd, s->domid, s->ref, s->count, mode,
			       readonly ? GNTLAB_MAP_READONLY : 0, m);
}

int gt_map(int fd, const struct peer_share *s, uint32_t mode, bool readonly,
	   struct gt_map *m)
{
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

bool gt_kernel_log_bad(char *line, size_t len)
{
	static char buf[1 << 18];
	static const char *const pat[] = {
		"WARNING:", "BUG:", "Oops", "Bad page", "Bad rss-counter",
		"general protection fault", "Call Trace:",
	};
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(pat) / sizeof(pat[0]); i++) {
		char *hit = strstr(buf, pat[i]), *s, *e;

		if (!hit)
			continue;
		for (s = hit; s > buf && s[-1] != '\n'; s--)
			;
		e = strchr(hit, '\n');
		snprintf(line, len, "%.*s", (int)((e ? e : hit + strlen(hit)) - s), s);
		return true;
	}
	return false;
}
