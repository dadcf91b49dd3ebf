/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faultinj: the kernel's fault injection (Documentation/fault-injection/),
 * driven from a guest test and restricted to the calling task, for the
 * faultinj suite (tests/guest/suite_faultinj.c, docs/faultinject.md).
 *
 * fail_function makes a function marked ALLOW_ERROR_INJECTION return an
 * error without running; its knobs are in /sys/kernel/debug/fail_function.
 * Here it is always set up the same way: probability 100, interval 1,
 * task-filter Y (only tasks whose /proc/<pid>/make-it-fail is 1) where the
 * kernel's kprobes run in task context (ftrace-based), else N (int3
 * kprobes run as an NMI, where no task matches: fi_target()), verbose 1
 * (one "FAULT_INJECTION: forcing a failure" line per failure, no stack
 * dump), and each failure armed on its own with `space` and `times`:
 * space = n lets the first n - 1 calls by this task pass and fails the
 * n-th, times = 1 fails one call at most, and `times` reading 0 afterwards
 * says the failure was injected.
 *
 * Every function ends the running test with ERROR when a knob cannot be
 * written or read (the environment broke, not the module).
 */
#ifndef GNTLAB_FAULTINJ_H
#define GNTLAB_FAULTINJ_H

#include <stdbool.h>

#define FI_DEBUGFS "/sys/kernel/debug"
#define FI_FAIL_FUNCTION FI_DEBUGFS "/fail_function"
#define FI_INJECTABLE FI_DEBUGFS "/error_injection/list"

/* fail_function exists (CONFIG_FAIL_FUNCTION, debugfs mounted). */
bool fi_available(void);
/* Reset fail_function: no function, nothing armed (times 0). */
void fi_reset(void);
/*
 * Make fail_function target `fn` alone (fail_function's inject list), set up
 * as above; `errno_ret` (e.g. -ENOMEM) is what an ERRNO-type function
 * returns when failed (0 for a NULL-type one, which returns NULL).
 */
void fi_target(const char *fn, long errno_ret);
/* Whether fi_target() could restrict it to tasks with make-it-fail. */
bool fi_task_filtered(void);
/* Arm one failure: the n-th call (n >= 1) by a task with make-it-fail. */
void fi_arm(unsigned int n);
/* Disarm (times 0); whether the armed failure was injected. */
bool fi_disarm(void);
/* make-it-fail of the calling thread (cheap: one pwrite on an open fd). */
void fi_task(bool on);
/* Set task-filter (Y: only tasks with make-it-fail; N: every task). */
void fi_task_filter(bool on);
/*
 * The knobs as they are, for a log line: "probability 100 interval 1 times 1
 * space 1 task-filter Y verbose 1 inject gntlab_alloc_file make-it-fail 1
 * kprobe <line of /sys/kernel/debug/kprobes/list naming gntlab>".
 */
void fi_describe(char *buf, size_t len);

#endif
