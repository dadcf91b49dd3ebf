// SPDX-License-Identifier: GPL-2.0
/* Xen's 'g' debug key, read back through the console ring (libxenctrl). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xen_grants.h"

/*
 * The ring is read incrementally, one page at a time, from where the last
 * read stopped: libxenctrl bounces the whole buffer it is given through
 * hypercall-safe memory on every call (a fresh mapping above one page), so
 * reading Xen's whole ring into a 1 MiB buffer cost more than the dump.
 * What was read accumulates in text[] until a complete dump is found.
 */
#define CHUNK 4096

static char text[1 << 20];
static size_t text_len;
static uint32_t ring_idx;

static void append(const char *s, size_t n)
{
	if (n > CHUNK)
		n = CHUNK;
	if (text_len + n >= sizeof(text)) {
		/* Keep the newest half: a dump is a few KiB at most. */
		size_t keep = sizeof(text) / 2;

		if (keep > text_len)
			keep = text_len;
		memmove(text, text + text_len - keep, keep);
		text_len = keep;
	}
	memcpy(text + text_len, s, n);
	text_len += n;
	text[text_len] = '\0';
}

int xen_grant_snapshot(xc_interface *xc, struct xen_grant_dump *out,
		       char *err, size_t errlen)
{
	static char chunk[CHUNK];
	unsigned int n;

	if (xc_send_debug_keys(xc, "g")) {
		snprintf(err, errlen, "xc_send_debug_keys(g): %s", strerror(errno));
		return -1;
	}
	do {
		n = sizeof(chunk);
		if (xc_readconsolering(xc, chunk, &n, 0, 1, &ring_idx)) {
			snprintf(err, errlen, "xc_readconsolering: %s", strerror(errno));
			return -1;
		}
		append(chunk, n);
	} while (n == sizeof(chunk));
	if (xen_grant_dump_parse(text, out)) {
		snprintf(err, errlen,
			 "no complete 'g' dump in Xen's console ring (%zu bytes read)", text_len);
		return -1;
	}
	/* The next snapshot parses only what Xen prints from now on. */
	text_len = 0;
	text[0] = '\0';
	return 0;
}
