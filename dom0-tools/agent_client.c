// SPDX-License-Identifier: GPL-2.0
#include "agent_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gntlab_proto.h"
#include "xs_wait.h"

void agent_init(struct agent_conn *a, struct xs_handle *xs, unsigned int domid,
		int timeout_s)
{
	memset(a, 0, sizeof(*a));
	a->xs = xs;
	a->domid = domid;
	a->timeout_s = timeout_s;
	snprintf(a->dir, sizeof(a->dir), "/local/domain/%u/" GNTLAB_XS_DIR, domid);
}

const char *agent_path(const struct agent_conn *a, const char *key, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s/%s", a->dir, key);
	return buf;
}

int agent_put(const struct agent_conn *a, const char *key, const char *val)
{
	char p[192];

	return xs_write(a->xs, XBT_NULL, agent_path(a, key, p, sizeof(p)), val,
			strlen(val)) ? 0 : -1;
}

char *agent_get(const struct agent_conn *a, const char *key)
{
	char p[192];
	unsigned int len;

	return xs_read(a->xs, XBT_NULL, agent_path(a, key, p, sizeof(p)), &len);
}

int agent_wait_ready(const struct agent_conn *a)
{
	char p[192];
	char *v = xs_wait_for(a->xs, agent_path(a, GNTLAB_XS_READY, p, sizeof(p)),
			      a->timeout_s * 1000, NULL, NULL);

	free(v);
	return v ? 0 : -1;
}

enum agent_ready_rc agent_wait_ready_while(const struct agent_conn *a, int timeout_s,
					   bool (*alive)(void *arg), void *arg, int *waited_s)
{
	long long t0 = xs_now_ms(), deadline = t0 + timeout_s * 1000LL;
	enum agent_ready_rc rc = AGENT_TIMEOUT;
	char p[192];

	agent_path(a, GNTLAB_XS_READY, p, sizeof(p));
	for (;;) {
		long long left = deadline - xs_now_ms();
		char *v;

		if (left <= 0)
			break;
		v = xs_wait_for(a->xs, p, left < 1000 ? (int)left : 1000, NULL, NULL);
		if (v) {
			free(v);
			rc = AGENT_READY;
			break;
		}
		if (alive && !alive(arg)) {
			/* It may have written "ready" just before it ended. */
			v = xs_wait_for(a->xs, p, 1, NULL, NULL);
			free(v);
			rc = v ? AGENT_READY : AGENT_GONE;
			break;
		}
	}
	*waited_s = (int)((xs_now_ms() - t0 + 500) / 1000);
	return rc;
}

static bool ack_matches(const char *val, void *arg)
{
	struct gntlab_ack a;

	return !gntlab_ack_parse(val, &a) && a.seq == *(uint32_t *)arg;
}

int agent_command(struct agent_conn *a, const char *verb_args, char *text,
		  size_t len)
{
	char p[192], v[1100];
	struct gntlab_ack ack;
	uint32_t seq = ++a->seq;
	char *val;

	snprintf(v, sizeof(v), "%u %s", seq, verb_args);
	if (agent_put(a, GNTLAB_XS_CMD, v)) {
		snprintf(text, len, "xs_write(%s/cmd): %s", a->dir, strerror(errno));
		return -1;
	}
	val = xs_wait_for(a->xs, agent_path(a, GNTLAB_XS_ACK, p, sizeof(p)),
			  a->timeout_s * 1000, ack_matches, &seq);
	if (!val) {
		snprintf(text, len, "d%u: no ack for command %u '%.60s' in %d s (%s)",
			 a->domid, seq, verb_args, a->timeout_s, strerror(errno));
		return -1;
	}
	gntlab_ack_parse(val, &ack);
	free(val);
	snprintf(text, len, "%s", ack.text);
	return ack.rc;
}
