// SPDX-License-Identifier: GPL-2.0
#include "xs_wait.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long long xs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_if_ready(struct xs_handle *xs, const char *path,
			   xs_wait_pred pred, void *arg)
{
	unsigned int len;
	char *val = xs_read(xs, XBT_NULL, path, &len);

	if (val && (!pred || pred(val, arg)))
		return val;
	free(val);
	return NULL;
}

char *xs_wait_watched(struct xs_handle *xs, const char *path, int timeout_ms,
		      xs_wait_pred pred, void *arg)
{
	long long deadline = xs_now_ms() + timeout_ms;
	char *val = NULL;
	int err = ETIMEDOUT;

	for (;;) {
		char **ev;

		val = read_if_ready(xs, path, pred, arg);
		if (val)
			break;
		/*
		 * An event libxenstore already took off the fd (while waiting
		 * for a reply) would not wake poll(): drain those first.
		 */
		ev = xs_check_watch(xs);
		if (ev) {
			free(ev);
			continue;
		}
		long long left = deadline - xs_now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
		int rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR) {
			err = errno;
			break;
		}
		if (rc > 0) {
			unsigned int n;

			ev = xs_read_watch(xs, &n);
			free(ev);
		}
	}
	if (!val)
		errno = err;
	return val;
}

char *xs_wait_for(struct xs_handle *xs, const char *path, int timeout_ms,
		  xs_wait_pred pred, void *arg)
{
	char token[32];
	char *val;
	int err;

	snprintf(token, sizeof(token), "w%p", (void *)&token);
	if (!xs_watch(xs, path, token))
		return NULL;
	/* A watch fires once when set; the first read covers races too. */
	val = xs_wait_watched(xs, path, timeout_ms, pred, arg);
	err = errno;
	xs_unwatch(xs, path, token);
	if (!val)
		errno = err;
	return val;
}
