/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `make soak`, the guest's part (gntlab-soak: soak_ioctls.c, soak_cycles.c,
 * run by the agent's `soak` verb with SOAK_IOCTLS, SOAK_CYCLES and
 * SOAK_SECONDS in the environment). docs/soak.md.
 */
#ifndef GNTLAB_SOAK_GUEST_H
#define GNTLAB_SOAK_GUEST_H

/* SOAK_<name> from the environment; def if absent or malformed. */
unsigned long soak_env(const char *name, unsigned long def);
/* The guest's MemFree in KiB (-1 if unreadable). */
long soak_guest_free_kb(void);
/*
 * One soak.log record through dom0 ("<record> key=value ..."; dom0 appends
 * its time and memory). Does not wait for dom0's answer.
 */
void soak_record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "errnos phase=<phase> EINVAL=n ..." for the non-zero counts of errnos[1..n). */
void soak_record_errnos(const char *phase, const unsigned long *errnos, int n);

#endif
