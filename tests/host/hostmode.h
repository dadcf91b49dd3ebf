/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab-runner --host: the same suites on an existing Xen host, no QEMU
 * (docs/hostmode.md). The runner, as root in dom0, checks what the
 * conductor needs (hostmode_check), starts the conductor with its output
 * on a pipe, and feeds that marker stream to the same session (session.c)
 * that reads QEMU's serial console in the normal mode; what dom0's /init
 * reports around the conductor in a QEMU run (boot/dom0-setup,
 * program/gntlab-conductor, GNTLAB-END) the runner reports itself
 * (hostmode_*_lines), so that both modes write the same results.
 *
 * hostmode_compare: two results.tap files (a QEMU run and a host-mode run
 * of the same filter) name the same tests with the same verdicts.
 */
#ifndef GNTLAB_HOST_HOSTMODE_H
#define GNTLAB_HOST_HOSTMODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "report.h"

/* The Xen devices the conductor and gntlab-tool open, and their drivers. */
struct host_need {
	const char *what;   /* "/dev/xen/gntdev" */
	const char *alt;    /* another path that will do, or NULL */
	const char *driver; /* "xen-gntdev" */
};
extern const struct host_need hostmode_devices[];
extern const size_t hostmode_ndevices;

/*
 * Is this a dom0 the suites can run in? Checks, in order: root (euid, or
 * cfg->host_euid when >= 0, for tests), dom0 (<root>/proc/xen/capabilities
 * says control_d), the Xen devices (hostmode_devices, under <root>),
 * xenstored (its socket under <root>/run or <root>/var/run answers a
 * connect), libvirt (`virsh -c URI uri` answers within 20 s). Every problem
 * is one line on err, "gntlab-runner --host: <what is missing>: <how to fix
 * it>"; returns how many there were (0: go).
 */
int hostmode_check(const struct config *cfg, FILE *err);

/* The conductor's argv (NULL-terminated, malloc'd; cli_free_argv). */
char **hostmode_conductor_argv(const struct config *cfg);

/*
 * The lines dom0's /init prints around the conductor in a QEMU run, which
 * the runner feeds to the session in host mode: before it starts (dom0-init
 * phase, boot/dom0-setup), and after it exits (program/gntlab-conductor
 * from its wait status, GNTLAB-END). Each line is written to out, one per
 * line.
 */
void hostmode_begin_lines(FILE *out);
void hostmode_end_lines(FILE *out, int wstatus);

/*
 * Destroy what a killed conductor may leave running (gntlab-guest1,
 * gntlab-guest2) through virsh, before and after the run; quiet when there
 * is nothing.
 */
void hostmode_cleanup(const struct config *cfg);

/*
 * What ran, for summary.txt (res's command lines) and DIR/manifest.txt:
 * Xen's version and command line (xl info), dom0's kernel and command line,
 * the guest's images with their sha256, the conductor, libvirt's URI.
 */
void hostmode_record(const struct config *cfg, struct results *res);

/* ---- comparing two runs ---- */

struct tap_entry {
	char *name;
	enum test_status status;
};
struct tap_set {
	struct tap_entry *e;
	size_t n, cap;
};

/* The tests of a results.tap (serial_parse_tap per line). 0, or -1 (reason in err). */
int tap_set_load(struct tap_set *s, const char *path, FILE *err);
int tap_set_parse(struct tap_set *s, FILE *f);
void tap_set_free(struct tap_set *s);

/*
 * Every test of a is in b with the same verdict and vice versa, names
 * starting with one of the ignore prefixes aside (NULL-terminated, may be
 * NULL). Each difference is one line on out; returns how many.
 */
size_t hostmode_compare(const struct tap_set *a, const char *aname, const struct tap_set *b,
			const char *bname, const char *const *ignore, FILE *out);

/*
 * Each test's name and verdict only, as TAP ("not ok 3 - name # TODO"): what
 * a run inside the QEMU dom0 relays of its results.tap (the reasons may
 * quote kernel messages, which the outer runner would take for a crash).
 */
void tap_set_write_verdicts(const struct tap_set *s, FILE *out);
/* gntlab-runner --verdicts results.tap: exit 0, 2 unreadable. */
int hostmode_verdicts_main(int argc, char **argv, FILE *out, FILE *err);

/* gntlab-runner --compare A.tap B.tap [--ignore PREFIX]...: exit 0 same, 1 differ, 2 usage. */
int hostmode_compare_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* GNTLAB_HOST_HOSTMODE_H */
