// SPDX-License-Identifier: GPL-2.0
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: gntlab-runner --xen FILE --dom0-kernel FILE --dom0-initrd FILE --results DIR\n"
	"         [--xen-args STR] [--xen-args-add STR] [--dom0-args STR] [--accel tcg|kvm] [--cpu "
	"MODEL]\n"
	"         [--mem MiB] [--smp N] [--qemu PROG] [--timeout-boot S]\n"
	"         [--timeout-phase S] [--timeout-total S] [--tests FILTER] [--expect FILE]\n"
	"         [--verbose]\n"
	"       gntlab-runner --host --results DIR --conductor FILE --guest-kernel FILE\n"
	"         --guest-initrd FILE [--tool FILE] [--uri URI] [--tests FILTER]\n"
	"         [--expect FILE] [--timeout-phase S] [--timeout-total S] [--verbose]\n"
	"       gntlab-runner --host --check [--uri URI]\n"
	"       gntlab-runner --compare A/results.tap B/results.tap [--ignore PREFIX]...\n"
	"       gntlab-runner --verdicts results.tap\n"
	"\n"
	"Boots Xen + dom0 under QEMU, follows the serial console and writes\n"
	"serial.log, <domain>.log, results.tap, junit.xml and summary.txt to DIR.\n"
	"--host: runs the suites on this machine's Xen instead (as root in dom0, no\n"
	"QEMU): checks dom0, the Xen drivers, xenstored and libvirt, starts the\n"
	"conductor, which starts the guest through the local libvirt, follows its\n"
	"output (conductor.log) and writes the same results, plus manifest.txt.\n"
	"--compare: the two runs name the same tests with the same verdicts.\n"
	"\n"
	"  --xen-args STR       Xen command line (default: " CLI_DEFAULT_XEN_ARGS ")\n"
	"  --xen-args-add STR   appended to the Xen command line (e.g. gnttab_max_frames=256)\n"
	"  --dom0-args STR      dom0 kernel command line, no commas\n"
	"                       (default: " CLI_DEFAULT_DOM0_ARGS ")\n"
	"  --accel tcg|kvm      default tcg; kvm falls back to tcg once if it fails\n"
	"  --cpu MODEL          default Nehalem\n"
	"  --mem MiB            default 3072\n"
	"  --smp N              default 2\n"
	"  --qemu PROG          default qemu-system-x86_64\n"
	"  --timeout-boot S     QEMU start -> dom0-init (default 120)\n"
	"  --timeout-phase S    each later phase, and each test (default 120)\n"
	"  --timeout-total S    whole run (default 900)\n"
	"  --crash-grace S      log kept after a crash before QEMU is stopped (default 5)\n"
	"  --tests FILTER       passed to dom0 as gntlab.tests=FILTER\n"
	"  --expect FILE        the tests the run must report, one name per line (the\n"
	"                       programs' --list): announced as the plan before booting;\n"
	"                       each one that never reports is 'not ok NAME # missing: ...'\n"
	"  --verbose            echo the serial console to stderr\n"
	"  --host               on this Xen host (docs/hostmode.md); with --check: the\n"
	"                       environment checks only (exit 0 ready, 2 not, each\n"
	"                       missing piece named)\n"
	"  --conductor FILE     host mode: gntlab-conductor (build/dom0/gntlab-conductor)\n"
	"  --tool FILE          host mode: gntlab-tool (default: beside the conductor)\n"
	"  --guest-kernel FILE  host mode: the guest's kernel (build/boot/guest-kernel)\n"
	"  --guest-initrd FILE  host mode: its initramfs (build/guest/initrd.cpio.gz)\n"
	"  --uri URI            host mode: libvirt URI (default xen:///system)\n"
	"\n"
	"Exit: 0 all tests passed, skipped or failed as expected (XFAIL);\n"
	"      1 FAIL, ERROR, XPASS, a missing test, a crash or a timeout;\n"
	"      2 usage or environment error; 130 interrupted.\n";

enum {
	OPT_XEN = 256,
	OPT_DOM0_KERNEL,
	OPT_DOM0_INITRD,
	OPT_RESULTS,
	OPT_XEN_ARGS,
	OPT_XEN_ARGS_ADD,
	OPT_DOM0_ARGS,
	OPT_ACCEL,
	OPT_CPU,
	OPT_MEM,
	OPT_SMP,
	OPT_QEMU,
	OPT_TIMEOUT_BOOT,
	OPT_TIMEOUT_PHASE,
	OPT_TIMEOUT_TOTAL,
	OPT_CRASH_GRACE,
	OPT_TESTS,
	OPT_EXPECT,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_HOST,
	OPT_CHECK,
	OPT_GUEST_KERNEL,
	OPT_GUEST_INITRD,
	OPT_CONDUCTOR,
	OPT_TOOL,
	OPT_URI,
	OPT_VIRSH,
	OPT_HOST_ROOT,
	OPT_HOST_EUID,
};

static const struct option options[] = {
	{"xen", required_argument, NULL, OPT_XEN},
	{"dom0-kernel", required_argument, NULL, OPT_DOM0_KERNEL},
	{"dom0-initrd", required_argument, NULL, OPT_DOM0_INITRD},
	{"results", required_argument, NULL, OPT_RESULTS},
	{"xen-args", required_argument, NULL, OPT_XEN_ARGS},
	{"xen-args-add", required_argument, NULL, OPT_XEN_ARGS_ADD},
	{"dom0-args", required_argument, NULL, OPT_DOM0_ARGS},
	{"accel", required_argument, NULL, OPT_ACCEL},
	{"cpu", required_argument, NULL, OPT_CPU},
	{"mem", required_argument, NULL, OPT_MEM},
	{"smp", required_argument, NULL, OPT_SMP},
	{"qemu", required_argument, NULL, OPT_QEMU},
	{"timeout-boot", required_argument, NULL, OPT_TIMEOUT_BOOT},
	{"timeout-phase", required_argument, NULL, OPT_TIMEOUT_PHASE},
	{"timeout-total", required_argument, NULL, OPT_TIMEOUT_TOTAL},
	{"crash-grace", required_argument, NULL, OPT_CRASH_GRACE},
	{"tests", required_argument, NULL, OPT_TESTS},
	{"expect", required_argument, NULL, OPT_EXPECT},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{"host", no_argument, NULL, OPT_HOST},
	{"check", no_argument, NULL, OPT_CHECK},
	{"guest-kernel", required_argument, NULL, OPT_GUEST_KERNEL},
	{"guest-initrd", required_argument, NULL, OPT_GUEST_INITRD},
	{"conductor", required_argument, NULL, OPT_CONDUCTOR},
	{"tool", required_argument, NULL, OPT_TOOL},
	{"uri", required_argument, NULL, OPT_URI},
	/* For the runner's own tests: a fake root, a fake virsh, a fake euid. */
	{"virsh", required_argument, NULL, OPT_VIRSH},
	{"host-root", required_argument, NULL, OPT_HOST_ROOT},
	{"host-euid", required_argument, NULL, OPT_HOST_EUID},
	{NULL, 0, NULL, 0},
};

static int parse_long(const char *opt, const char *s, long *out, FILE *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		fprintf(err, "gntlab-runner: --%s wants a positive integer, not '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_seconds(const char *opt, const char *s, double *out, bool zero_ok, FILE *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || (v == 0 && !zero_ok)) {
		fprintf(err, "gntlab-runner: --%s wants a %s number of seconds, not '%s'\n", opt,
			zero_ok ? "non-negative" : "positive", s);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse(int argc, char **argv, struct config *cfg, FILE *err)
{
	int c, rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->xen_args = CLI_DEFAULT_XEN_ARGS;
	cfg->dom0_args = CLI_DEFAULT_DOM0_ARGS;
	cfg->accel = "tcg";
	cfg->cpu = "Nehalem";
	cfg->mem = 3072;
	cfg->smp = 2;
	cfg->qemu = "qemu-system-x86_64";
	cfg->to.boot = 120;
	cfg->to.phase = 120;
	cfg->to.total = 900;
	cfg->to.after_end = 15;
	cfg->crash_grace = 5;
	cfg->uri = "xen:///system";
	cfg->virsh = "virsh";
	cfg->host_euid = -1;

	optind = 0; /* glibc: full reinitialisation, so tests can parse twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_XEN:
			cfg->xen = optarg;
			break;
		case OPT_DOM0_KERNEL:
			cfg->dom0_kernel = optarg;
			break;
		case OPT_DOM0_INITRD:
			cfg->dom0_initrd = optarg;
			break;
		case OPT_RESULTS:
			cfg->results = optarg;
			break;
		case OPT_XEN_ARGS:
			cfg->xen_args = optarg;
			break;
		case OPT_XEN_ARGS_ADD:
			cfg->xen_args_add = optarg;
			break;
		case OPT_DOM0_ARGS:
			cfg->dom0_args = optarg;
			break;
		case OPT_ACCEL:
			cfg->accel = optarg;
			if (strcmp(optarg, "tcg") != 0 && strcmp(optarg, "kvm") != 0) {
				fprintf(err, "gntlab-runner: --accel is tcg or kvm, not '%s'\n",
					optarg);
				rc = -1;
			}
			break;
		case OPT_CPU:
			cfg->cpu = optarg;
			break;
		case OPT_MEM:
			rc |= parse_long("mem", optarg, &cfg->mem, err);
			break;
		case OPT_SMP:
			rc |= parse_long("smp", optarg, &cfg->smp, err);
			break;
		case OPT_QEMU:
			cfg->qemu = optarg;
			break;
		case OPT_TIMEOUT_BOOT:
			rc |= parse_seconds("timeout-boot", optarg, &cfg->to.boot, false, err);
			break;
		case OPT_TIMEOUT_PHASE:
			rc |= parse_seconds("timeout-phase", optarg, &cfg->to.phase, false, err);
			break;
		case OPT_TIMEOUT_TOTAL:
			rc |= parse_seconds("timeout-total", optarg, &cfg->to.total, false, err);
			break;
		case OPT_CRASH_GRACE:
			rc |= parse_seconds("crash-grace", optarg, &cfg->crash_grace, true, err);
			break;
		case OPT_TESTS:
			cfg->tests = optarg;
			break;
		case OPT_EXPECT:
			cfg->expect = optarg;
			break;
		case OPT_VERBOSE:
			cfg->verbose = true;
			break;
		case OPT_HELP:
			fputs(usage, err);
			return 1;
		case OPT_HOST:
			cfg->host = true;
			break;
		case OPT_CHECK:
			cfg->host_check = true;
			break;
		case OPT_GUEST_KERNEL:
			cfg->guest_kernel = optarg;
			break;
		case OPT_GUEST_INITRD:
			cfg->guest_initrd = optarg;
			break;
		case OPT_CONDUCTOR:
			cfg->conductor = optarg;
			break;
		case OPT_TOOL:
			cfg->tool = optarg;
			break;
		case OPT_URI:
			cfg->uri = optarg;
			break;
		case OPT_VIRSH:
			cfg->virsh = optarg;
			break;
		case OPT_HOST_ROOT:
			cfg->host_root = optarg;
			break;
		case OPT_HOST_EUID: {
			char *end;

			errno = 0;
			cfg->host_euid = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || cfg->host_euid < 0) {
				fprintf(err, "gntlab-runner: --host-euid wants a number, not '%s'\n",
					optarg);
				rc = -1;
			}
			break;
		}
		default:
			if (optopt)
				fprintf(err,
					"gntlab-runner: option needs a value or is unknown: %s\n",
					argv[optind - 1]);
			else
				fprintf(err, "gntlab-runner: unknown option %s\n",
					argv[optind - 1]);
			rc = -1;
			break;
		}
	}
	if (optind < argc) {
		fprintf(err, "gntlab-runner: unexpected argument '%s'\n", argv[optind]);
		rc = -1;
	}
	if (cfg->host_check && !cfg->host) {
		fprintf(err, "gntlab-runner: --check goes with --host\n");
		rc = -1;
	}
	if (rc == 0) {
		struct required {
			const char *name;
			size_t off;
		};
		static const struct required qemu_mode[] = {
			{"xen", offsetof(struct config, xen)},
			{"dom0-kernel", offsetof(struct config, dom0_kernel)},
			{"dom0-initrd", offsetof(struct config, dom0_initrd)},
			{"results", offsetof(struct config, results)},
		};
		static const struct required host_mode[] = {
			{"results", offsetof(struct config, results)},
			{"conductor", offsetof(struct config, conductor)},
			{"guest-kernel", offsetof(struct config, guest_kernel)},
			{"guest-initrd", offsetof(struct config, guest_initrd)},
		};
		const struct required *req = cfg->host ? host_mode : qemu_mode;
		size_t nreq = cfg->host ? sizeof(host_mode) / sizeof(host_mode[0])
					: sizeof(qemu_mode) / sizeof(qemu_mode[0]);

		for (size_t i = 0; i < nreq && !cfg->host_check; i++) {
			const char *v = *(const char **)((const char *)cfg + req[i].off);

			if (!v || !*v) {
				fprintf(err, "gntlab-runner: --%s is required%s\n", req[i].name,
					cfg->host ? " with --host" : "");
				rc = -1;
			}
		}
	}
	/* gntlab-tool: beside the conductor unless named. */
	if (rc == 0 && cfg->host && !cfg->tool && cfg->conductor) {
		const char *slash = strrchr(cfg->conductor, '/');
		static char tool[4096];

		snprintf(tool, sizeof(tool), "%.*sgntlab-tool",
			 slash ? (int)(slash - cfg->conductor + 1) : 0, cfg->conductor);
		cfg->tool = tool;
	}
	/* In host mode the filter goes on an argv, not a QEMU module list. */
	if (rc == 0 && cfg->tests && cfg->host && !*cfg->tests) {
		fprintf(err, "gntlab-runner: --tests wants a filter\n");
		rc = -1;
	}
	if (rc == 0 && cfg->tests && !cfg->host) {
		if (!*cfg->tests) {
			fprintf(err, "gntlab-runner: --tests wants a filter\n");
			rc = -1;
		}
		for (const char *p = cfg->tests; *p; p++)
			if (isspace((unsigned char)*p) || *p == ',') {
				fprintf(err,
					"gntlab-runner: --tests '%s': no spaces or commas allowed "
					"(it becomes one kernel parameter in a QEMU module list)\n",
					cfg->tests);
				rc = -1;
				break;
			}
	}
	/* After GNTLAB-END QEMU should exit at once (dom0 reboots, -no-reboot). */
	if (cfg->to.after_end > cfg->to.phase)
		cfg->to.after_end = cfg->to.phase;
	if (rc != 0)
		fputs("run 'gntlab-runner --help' for usage\n", err);
	return rc ? -1 : 0;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "gntlab-runner: out of memory\n");
		exit(2);
	}
	va_end(ap);
	return s;
}

/*
 * dom0's conductor gives up waiting for the guest (gntlab.ready=S) clearly
 * before this runner's phase timeout, so that it reports the step that
 * failed and relays the guest's console and libxl/libvirt logs while QEMU
 * still runs: a quarter of the phase, at most 30 s, earlier.
 */
int cli_guest_ready_timeout(const struct config *cfg)
{
	double margin = cfg->to.phase / 4 < 30 ? cfg->to.phase / 4 : 30;
	int s = (int)(cfg->to.phase - margin);

	return s < 1 ? 1 : s;
}

char *cli_dom0_cmdline(const struct config *cfg)
{
	const char *sep = *cfg->dom0_args ? " " : "";

	if (cfg->tests)
		return xasprintf("%s%sgntlab.ready=%d gntlab.tests=%s", cfg->dom0_args, sep,
				 cli_guest_ready_timeout(cfg), cfg->tests);
	return xasprintf("%s%sgntlab.ready=%d", cfg->dom0_args, sep, cli_guest_ready_timeout(cfg));
}

char *cli_initrd_arg(const struct config *cfg, FILE *err)
{
	char *cmdline = cli_dom0_cmdline(cfg);
	char *arg = NULL;

	if (strchr(cmdline, ',')) {
		fprintf(err,
			"gntlab-runner: the dom0 command line '%s' contains a comma; QEMU's "
			"-initrd "
			"separates modules with commas, so it cannot be passed (drop the comma)\n",
			cmdline);
	} else if (strpbrk(cfg->dom0_kernel, ", \t")) {
		fprintf(err,
			"gntlab-runner: the dom0 kernel path '%s' contains a comma or a space, "
			"which QEMU's -initrd module list cannot carry\n",
			cfg->dom0_kernel);
	} else if (strchr(cfg->dom0_initrd, ',')) {
		fprintf(err,
			"gntlab-runner: the dom0 initrd path '%s' contains a comma, which QEMU's "
			"-initrd module list cannot carry\n",
			cfg->dom0_initrd);
	} else {
		arg = xasprintf("%s%s%s,%s", cfg->dom0_kernel, *cmdline ? " " : "", cmdline,
				cfg->dom0_initrd);
	}
	free(cmdline);
	return arg;
}

/* Does the command line carry the option name= (as a whole word)? */
static bool has_option(const char *cmdline, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = cmdline; p && *p; p = strchr(p, ' ')) {
		p += strspn(p, " ");
		if (strncmp(p, name, len) == 0 && p[len] == '=')
			return true;
	}
	return false;
}

char *cli_xen_cmdline(const struct config *cfg, const char *accel)
{
	const char *add = cfg->xen_args_add ? cfg->xen_args_add : "";
	bool tcg = strcmp(accel, "tcg") == 0 && !has_option(cfg->xen_args, "xpti") &&
		   !has_option(add, "xpti");

	return xasprintf("%s%s%s%s%s", cfg->xen_args, *add ? " " : "", add, tcg ? " " : "",
			 tcg ? CLI_TCG_XEN_ARGS : "");
}

char **cli_qemu_argv(const struct config *cfg, const char *accel, FILE *err)
{
	char *initrd = cli_initrd_arg(cfg, err);
	char **argv;
	size_t n = 0;

	if (!initrd)
		return NULL;
	argv = calloc(40, sizeof(*argv));
	if (!argv) {
		fprintf(stderr, "gntlab-runner: out of memory\n");
		exit(2);
	}
#define ARG(...) (argv[n++] = xasprintf(__VA_ARGS__))
	ARG("%s", cfg->qemu);
	ARG("-accel");
	ARG("%s", accel);
	ARG("-cpu");
	ARG("%s", cfg->cpu);
	ARG("-m");
	ARG("%ld", cfg->mem);
	ARG("-smp");
	ARG("%ld", cfg->smp);
	ARG("-display");
	ARG("none");
	ARG("-vga");
	ARG("none");
	ARG("-monitor");
	ARG("none");
	ARG("-serial");
	ARG("stdio");
	ARG("-no-reboot");
	ARG("-kernel");
	ARG("%s", cfg->xen);
	ARG("-append");
	argv[n++] = cli_xen_cmdline(cfg, accel);
	ARG("-initrd");
	argv[n++] = initrd;
#undef ARG
	argv[n] = NULL;
	return argv;
}

void cli_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool cli_find_program(const char *prog, char *out, size_t size)
{
	const char *path = getenv("PATH");

	if (!*prog)
		return false;
	if (strchr(prog, '/')) {
		snprintf(out, size, "%s", prog);
		return is_exec_file(prog);
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		snprintf(out, size, "%.*s/%s", (int)len, len ? path : ".", prog);
		if (len == 0)
			snprintf(out, size, "./%s", prog);
		if (is_exec_file(out))
			return true;
		path += len + (colon ? 1 : 0);
	}
	return false;
}

static int check_file(const char *opt, const char *path, FILE *err)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(err, "gntlab-runner: --%s %s: %s\n", opt, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(err, "gntlab-runner: --%s %s: not a regular file\n", opt, path);
		return -1;
	}
	if (access(path, R_OK) != 0) {
		fprintf(err, "gntlab-runner: --%s %s: not readable: %s\n", opt, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int check_exec(const char *opt, const char *path, FILE *err)
{
	if (check_file(opt, path, err) != 0)
		return -1;
	if (access(path, X_OK) != 0) {
		fprintf(err, "gntlab-runner: --%s %s: not executable\n", opt, path);
		return -1;
	}
	return 0;
}

int cli_check_env(const struct config *cfg, FILE *err)
{
	char found[4096];
	int rc = 0;

	if (cfg->host) {
		rc |= check_file("guest-kernel", cfg->guest_kernel, err);
		rc |= check_file("guest-initrd", cfg->guest_initrd, err);
		rc |= check_exec("conductor", cfg->conductor, err);
		rc |= check_exec("tool", cfg->tool, err);
		return rc ? -1 : 0;
	}

	rc |= check_file("xen", cfg->xen, err);
	rc |= check_file("dom0-kernel", cfg->dom0_kernel, err);
	rc |= check_file("dom0-initrd", cfg->dom0_initrd, err);
	if (!cli_find_program(cfg->qemu, found, sizeof(found))) {
		fprintf(err,
			"gntlab-runner: QEMU '%s' not found%s (install qemu-system-x86, or pass "
			"--qemu)\n",
			cfg->qemu, strchr(cfg->qemu, '/') ? " or not executable" : " on PATH");
		rc = -1;
	}
	return rc ? -1 : 0;
}
