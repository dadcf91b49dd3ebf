/* SPDX-License-Identifier: GPL-2.0 */
/* Waiting on xenstore with a watch and a deadline, for dom0 and guest. */
#ifndef GNTLAB_XS_WAIT_H
#define GNTLAB_XS_WAIT_H

#include <stdbool.h>
#include <xenstore.h>

/* Returns true when `val` (never NULL) is what the caller waits for. */
typedef bool (*xs_wait_pred)(const char *val, void *arg);

/*
 * Wait until `path` exists and pred(value) holds (pred NULL: any value).
 * Returns the malloc'd value, or NULL on timeout (errno = ETIMEDOUT) or
 * xenstore error (errno set). Uses a watch; never polls.
 */
char *xs_wait_for(struct xs_handle *xs, const char *path, int timeout_ms,
		  xs_wait_pred pred, void *arg);

/*
 * The same, for a caller that keeps a watch on `path` (or a parent of it)
 * registered: saves the watch and unwatch round trips of every wait. Stale
 * events of earlier writes are drained and ignored.
 */
char *xs_wait_watched(struct xs_handle *xs, const char *path, int timeout_ms,
		      xs_wait_pred pred, void *arg);

/* Monotonic milliseconds. */
long long xs_now_ms(void);

#endif
