/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faultinj: the module's fault injection (docs/faultinject.md), driven from
 * a guest test and restricted to the calling task, for the faultinj suite
 * (tests/guest/suite_faultinj.c).
 *
 * gntlab.ko built against a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS has
 * a fault attribute of its own, /sys/kernel/debug/gntlab/fail/: the kernel's
 * standard knobs (Documentation/fault-injection/) plus `point`, the one
 * injection point that may fail (an index into `points`, which lists
 * "<index> <function>"). Here it is always set up the same way:
 * probability 100, interval 1, task-filter Y (only tasks whose
 * make-it-fail is 1), verbose 1 (one "FAULT_INJECTION: forcing a failure"
 * line per failure, no stack dump), and each failure armed on its own with
 * `space` and `times`: space = n lets the first n - 1 calls by this task
 * pass and fails the n-th, times = 1 fails one call at most, and `times`
 * reading 0 afterwards says the failure was injected.
 *
 * Every function ends the running test with ERROR when a knob cannot be
 * written or read (the environment broke, not the module).
 */
#ifndef GNTLAB_FAULTINJ_H
#define GNTLAB_FAULTINJ_H

#include <stdbool.h>
#include <stddef.h>

#define FI_DEBUGFS "/sys/kernel/debug"
#define FI_DIR FI_DEBUGFS "/gntlab/fail"
/* fail_function's list of ALLOW_ERROR_INJECTION functions. */
#define FI_INJECTABLE FI_DEBUGFS "/error_injection/list"
/* `point` value that arms none. */
#define FI_NONE 0xffffffffu

/* The module has its fault attribute (CONFIG_FAULT_INJECTION_DEBUG_FS). */
bool fi_available(void);
/* The module lists `fn` as one of its points. */
bool fi_has_point(const char *fn);
/* Nothing armed (times 0), no point. */
void fi_reset(void);
/* Make point `fn` (a function name in `points`) the one that may fail. */
void fi_target(const char *fn);
/* Arm one failure: the n-th call (n >= 1) by a task with make-it-fail. */
void fi_arm(unsigned int n);
/* Disarm (times 0); whether the armed failure was injected. */
bool fi_disarm(void);
/* make-it-fail of the calling thread (cheap: one pwrite on an open fd). */
void fi_task(bool on);
/* The knobs as read back, for a log line. */
void fi_describe(char *buf, size_t len);

#endif
