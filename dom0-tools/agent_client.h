/* SPDX-License-Identifier: GPL-2.0 */
/* dom0's side of the cmd/ack channel to one guest's agent (gntlab_proto.h). */
#ifndef GNTLAB_AGENT_CLIENT_H
#define GNTLAB_AGENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

struct agent_conn {
	struct xs_handle *xs;
	unsigned int domid;
	char dir[128];		/* /local/domain/<domid>/data/gntlab */
	uint32_t seq;
	int timeout_s;
};

void agent_init(struct agent_conn *a, struct xs_handle *xs, unsigned int domid,
		int timeout_s);
/* Full xenstore path of `key` under the agent's directory. */
const char *agent_path(const struct agent_conn *a, const char *key, char *buf,
		       size_t len);
int agent_put(const struct agent_conn *a, const char *key, const char *val);
/* Read a key (malloc'd, NULL if absent). */
char *agent_get(const struct agent_conn *a, const char *key);
/* Wait for the agent's "ready"; 0 or -1 after the timeout. */
int agent_wait_ready(const struct agent_conn *a);
enum agent_ready_rc { AGENT_READY = 0, AGENT_TIMEOUT = -1, AGENT_GONE = -2 };
/*
 * Wait up to timeout_s for the agent's "ready", asking alive(arg) every
 * second whether the guest still runs (a guest whose kernel panicked or
 * whose /init gave up is gone long before any timeout). *waited_s: how
 * long it waited.
 */
enum agent_ready_rc agent_wait_ready_while(const struct agent_conn *a, int timeout_s,
					   bool (*alive)(void *arg), void *arg, int *waited_s);
/*
 * Send one command and wait for its ack. Returns the agent's rc (0 ok), or
 * -1 if it did not answer in time; `text` gets its message.
 */
int agent_command(struct agent_conn *a, const char *verb_args, char *text,
		  size_t len);

#endif
