/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's granting side through the kernel's gntalloc
 * (drivers/xen/gntalloc.c): dom0's gntalloc steps (dom0-tools/
 * scen_gntalloc.c) have the guest grant pages to dom0 through raw
 * /dev/xen/gntalloc ioctls or libxengnttab's xengntshr_*, arm unmap
 * notifications, revoke while dom0 still maps, and read the guest kernel's
 * own account of the deferred free (grant-table.c's pr_debug lines, turned on
 * through dynamic debug). Verbs: gntlab_cmd_verbs[] (dom0-tools/gntlab_proto.c).
 */
#ifndef GNTLAB_AGENT_GNTALLOC_H
#define GNTLAB_AGENT_GNTALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xengnttab.h>

#define GA_SLOTS 4
#define GA_MAX_PAGES 8

enum ga_kind { GA_NONE, GA_RAW, GA_SHR };

/* One set of pages granted to dom0. */
struct ga_slot {
	enum ga_kind kind;
	bool revoked;		/* the guest ended its use (the free may be deferred) */
	int fd;			/* GA_RAW: its own /dev/xen/gntalloc fd */
	uint8_t *addr;		/* the guest's mapping, NULL once unmapped */
	uint32_t n;
	uint64_t index;		/* GA_RAW: mmap offset from IOCTL_GNTALLOC_ALLOC_GREF */
	uint32_t ref[GA_MAX_PAGES];
	uint64_t kseq;		/* last kernel-log record before the grant */
};

struct ga_state {
	struct ga_slot slot[GA_SLOTS];
	xengntshr_handle *gs;
	int evfd;		/* /dev/xen/evtchn, once opened */
	bool evopen;
	int evport;		/* gevbind's port, -1 none */
	int dyndbg;		/* grant-table.c's pr_debug: 0 unknown, 1 on, -1 off */
	char dyndbg_why[96];
};

/* "galloc <slot> raw|shr <n> <seed>" */
int ga_cmd_alloc(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "gnotify <slot> <off|-> <dom0 port|->" */
int ga_cmd_notify(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "grevoke <slot> unshare|munmap-dealloc|dealloc-munmap|close" */
int ga_cmd_revoke(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "gpeek <slot> <page> <off>" */
int ga_cmd_peek(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "gcheck <slot> <seed> <off> <len>" */
int ga_cmd_check(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "gkmsg <slot> <ms>" */
int ga_cmd_kmsg(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "gevbind": an unbound port for dom0 (IOCTL_EVTCHN_BIND_UNBOUND_PORT). */
int ga_cmd_evbind(struct ga_state *g, const char *args, char *text, size_t tlen);
/* "gevwait <ms>": did an event arrive on that port? */
int ga_cmd_evwait(struct ga_state *g, const char *args, char *text, size_t tlen);
/* quit: end every slot's use, close what is open. */
void ga_release_all(struct ga_state *g);

#endif
