/* SPDX-License-Identifier: GPL-2.0 */
/* Emitting the serial markers of tests/markers.h from dom0. */
#ifndef GNTLAB_REPORT_H
#define GNTLAB_REPORT_H

#include <stdbool.h>

void report_phase(const char *phase);
void report_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Report one test; fmt describes what went wrong and is only printed on
 * failure. Returns ok, so callers can write `if (!report_test(...)) ...`.
 */
bool report_test(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void report_skip(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One line of narration for `make demo` (GNTLAB-LOG demo <text>). */
void report_narrate(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Relay a file line by line as GNTLAB-LOG <domain>. */
void report_log_file(const char *domain, const char *path);
/* The names dom0 may report (test_names.c), NULL-terminated. */
extern const char *const conductor_tests[];
/* Names relayed from the guest are checked by the guest's own harness. */
void report_relayed(bool on);

/* Number of failed tests so far. */
int report_failures(void);

#endif
