// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-runner's command line, and the QEMU command line made from it.
 * Pure (besides the environment checks at the end), so the unit tests can
 * check what QEMU would be asked to do.
 */
#ifndef GNTLAB_HOST_CLI_H
#define GNTLAB_HOST_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "phase.h"

#define CLI_DEFAULT_XEN_ARGS                                                                       \
	"console=com1 com1=115200 dom0_mem=1536M,max:1536M loglvl=all guest_loglvl=all"
/*
 * Added to Xen's command line under TCG, unless the command line already
 * says xpti=: an emulated CPU does not speculate, so Meltdown (what XPTI
 * guards against) cannot happen, but the emulated Nehalem does not say so
 * (QEMU 7.2's TCG cannot offer ARCH_CAPABILITIES.RDCL_NO) and Xen turns
 * XPTI on for dom0 and every PV guest. Then every guest kernel entry and
 * exit rewrites CR3 once more, and TCG drops its whole software TLB on
 * every CR3 write: a syscall-heavy test runs about twice as slow
 * (docs/bench.md, change 18).
 */
#define CLI_TCG_XEN_ARGS "xpti=no"
/* tsc=reliable: no clocksource watchdog lines (they land inside markers). */
#define CLI_DEFAULT_DOM0_ARGS "console=hvc0 earlyprintk=xen clocksource=xen tsc=reliable"

struct config {
	const char *xen, *dom0_kernel, *dom0_initrd, *results;
	const char *xen_args, *dom0_args;
	const char *xen_args_add;	/* appended to xen_args, or NULL */
	const char *accel; /* "tcg" or "kvm" */
	const char *cpu;
	long mem, smp;
	const char *qemu;
	const char *tests; /* filter, or NULL */
	const char *expect; /* --expect FILE: the tests the run must report, or NULL */
	bool verbose;
	struct timeouts to;
	double crash_grace; /* seconds QEMU may go on logging after a crash */
	/* --host: on an existing Xen host, no QEMU (hostmode.h, docs/hostmode.md). */
	bool host;
	bool host_check; /* --check: the environment checks only */
	const char *guest_kernel, *guest_initrd, *conductor, *tool, *uri, *virsh;
	const char *host_root; /* --host-root DIR: where /proc, /dev, /run are (tests) */
	long host_euid;	       /* --host-euid N: the euid checked (tests); -1: the real one */
};

/* Returns 0 to run, 1 if --help was printed, -1 on a usage error (printed to err). */
int cli_parse(int argc, char **argv, struct config *cfg, FILE *err);
/* How long dom0 waits for the guest to come up (gntlab.ready=S): before our phase timeout. */
int cli_guest_ready_timeout(const struct config *cfg);
/*
 * The dom0 kernel's command line: dom0 args plus " gntlab.ready=S" and
 * " gntlab.tests=FILTER". malloc'd.
 */
char *cli_dom0_cmdline(const struct config *cfg);
/*
 * QEMU's -initrd value "DOM0_KERNEL DOM0_CMDLINE,DOM0_INITRD". Commas separate
 * modules, and a module's command line ends at one, so none may contain a
 * comma (nor may the paths contain spaces). Returns NULL with the reason in
 * err. malloc'd.
 */
char *cli_initrd_arg(const struct config *cfg, FILE *err);
/* NULL-terminated QEMU argv for this accelerator, or NULL (reason in err). */
/*
 * Xen's command line for a boot with accel: --xen-args, --xen-args-add, and
 * under TCG CLI_TCG_XEN_ARGS unless either already sets xpti=. Malloc'd.
 */
char *cli_xen_cmdline(const struct config *cfg, const char *accel);
char **cli_qemu_argv(const struct config *cfg, const char *accel, FILE *err);
void cli_free_argv(char **argv);

/* Find prog (a path, or a name looked up in PATH) as an executable file. */
bool cli_find_program(const char *prog, char *out, size_t size);
/*
 * The input files exist and QEMU is found (host mode: the guest's images,
 * the conductor and gntlab-tool). Returns 0 or -1 (reason in err).
 */
int cli_check_env(const struct config *cfg, FILE *err);

#endif /* GNTLAB_HOST_CLI_H */
