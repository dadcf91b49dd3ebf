/* SPDX-License-Identifier: GPL-2.0 */
/* Emitting the serial markers of tests/markers.h from dom0 (hvc0). */
#ifndef GNTLAB_MARKERS_OUT_H
#define GNTLAB_MARKERS_OUT_H

#include <stdbool.h>

#include "steps.h"

void report_phase(const char *phase);
void report_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One test verdict as a GNTLAB-TAP line (tests/markers.h grammar). */
void report_verdict(enum d0_verdict v, const char *name, const char *ref,
		    const char *why);
/* One line of narration for `make demo` (GNTLAB-LOG demo <text>). */
void report_narrate(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Relay a file line by line as GNTLAB-LOG <domain>. */
void report_log_file(const char *domain, const char *path);
/* One cell of the behaviour matrix (GNTLAB-MATRIX <row> <col> <exp> <obs>). */
void report_matrix(const char *cell);
/* One line of a domain's log (GNTLAB-LOG <domain> <text>). */
void report_log(const char *domain, const char *text);
/* Verdicts so far that fail the run (FAIL, ERROR, XPASS). */
int report_problems(void);

#endif
