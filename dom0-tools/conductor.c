// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-conductor: runs in dom0 and conducts the cross-domain grant test.
 *
 * dom0 is the granter: it shares pages with the guest through
 * libxengnttab's sharing API (gntalloc), hands the refs to the guest agent
 * over xenstore (gntlab_proto.h), and checks each step from its own side and
 * from Xen's (the hypervisor's grant-table dump). Results go to the console
 * as serial markers (tests/markers.h) that the host runner collects.
 *
 * The tests are the steps of the scenarios in scen_*.c (steps.h); which
 * scenarios run follows from the filter alone (plan() below), and
 * `--list [--filter F]` prints exactly the names a run with F reports.
 *
 * Exit status: 0 all tests passed, 1 some did not (each reported by name),
 * 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gntlab_proto.h"
#include "guest_requests.h"
#include "markers_out.h"
#include "scenarios.h"
#include "th_filter.h"

struct opts {
	struct scen_opts s;
	const char *tool;	/* gntlab-tool */
	bool list, list_all, verbose, list_verbs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gntlab-conductor --kernel FILE --initrd FILE [options]\n"
		"       gntlab-conductor --list [--verbose] [--filter FILTER]\n"
		"       gntlab-conductor --list-verbs\n"
		"  Starts a PV guest through libvirt, grants it pages from dom0 and\n"
		"  conducts the grant-mapping checks, reporting serial markers.\n"
		"  --kernel FILE     guest kernel\n"
		"  --initrd FILE     guest initramfs (with gntlab-agent)\n"
		"  --name NAME       guest name (default gntlab-guest1)\n"
		"  --uri URI         libvirt URI (default xen:///system)\n"
		"  --tool FILE       gntlab-tool (default /opt/gntlab/bin/gntlab-tool)\n"
		"  --pages N         pages to grant, 1..%u (default 4)\n"
		"  --timeout S       timeout of each wait on the guest (default 120)\n"
		"  --ready-timeout S how long the first guest has to come up (default 90;\n"
		"                    the runner passes its phase timeout less a margin)\n"
		"  --guest-mem MiB   guest memory (default 256; 512 for bench/*)\n"
		"  --tests FILTER    test filter (tests/harness/th_filter.h; default all)\n"
		"  --filter FILTER   the same\n"
		"  --list            print the names of the tests a run reports, exit\n"
		"  --list-all        print every test any run can report (demo, bench too)\n"
		"  --verbose         with --list: name<TAB>description\n"
		"  --list-verbs      print the xenstore verbs of both channels, exit\n"
		"exit: 0 ok, 1 a test did not pass, 2 usage\n",
		GNTLAB_PROTO_MAX_REFS);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "uri", required_argument, NULL, 'u' },
		{ "tool", required_argument, NULL, 'o' },
		{ "pages", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "ready-timeout", required_argument, NULL, 'r' },
		{ "guest-mem", required_argument, NULL, 'm' },
		{ "tests", required_argument, NULL, 'T' },
		{ "filter", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list-verbs", no_argument, NULL, 'V' },
		{ "list-all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	char *end;
	unsigned long v;

	*o = (struct opts){ .s = { .name = "gntlab-guest1", .uri = "xen:///system",
				   .pages = 4, .timeout_s = 120,
				   .ready_timeout_s = 90 },
		    .tool = "/opt/gntlab/bin/gntlab-tool" };
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': o->s.kernel = optarg; break;
		case 'i': o->s.initrd = optarg; break;
		case 'n': o->s.name = optarg; break;
		case 'u': o->s.uri = optarg; break;
		case 'o': o->tool = optarg; break;
		case 'T': o->s.tests = *optarg ? optarg : NULL; break;
		case 'l': o->list = true; break;
		case 'v': o->verbose = true; break;
		case 'V': o->list_verbs = true; break;
		case 'A': o->list = o->list_all = true; break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v < 64 || v > 65536) {
				fprintf(stderr, "gntlab-conductor: bad --guest-mem '%s'\n", optarg);
				return -1;
			}
			o->s.guest_mem = (unsigned int)v;
			break;
		case 'p':
		case 't':
		case 'r':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 ||
			    (c == 'p' && v > GNTLAB_PROTO_MAX_REFS) ||
			    (c != 'p' && v > 3600)) {
				fprintf(stderr, "gntlab-conductor: bad --%s '%s'\n",
					c == 'p' ? "pages" : c == 't' ? "timeout" : "ready-timeout",
					optarg);
				return -1;
			}
			if (c == 'p')
				o->s.pages = (unsigned int)v;
			else if (c == 't')
				o->s.timeout_s = (int)v;
			else
				o->s.ready_timeout_s = (int)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	if (o->list || o->list_verbs)
		return 0;
	if (!o->s.kernel || !o->s.initrd) {
		usage(stderr);
		return -1;
	}
	if (access(o->s.kernel, R_OK) || access(o->s.initrd, R_OK)) {
		fprintf(stderr, "gntlab-conductor: cannot read %s: %s\n",
			access(o->s.kernel, R_OK) ? o->s.kernel : o->s.initrd,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* demo, bench and soak replace the test run: only a filter that names them runs them. */
enum mode { MODE_TESTS, MODE_DEMO, MODE_BENCH, MODE_SOAK };

static enum mode mode_of(const char *filter)
{
	if (filter_names_suite(filter, "demo"))
		return MODE_DEMO;
	if (filter_names_suite(filter, "bench"))
		return MODE_BENCH;
	if (filter_names_suite(filter, "soak"))
		return MODE_SOAK;
	return MODE_TESTS;
}

#define PLAN_MAX 16

/* The scenarios a run with this filter runs, in order; all: every plan's. */
static size_t plan(const char *filter, bool every, const struct scenario **out)
{
	static const struct scenario *const tests[] = {
		&scen_init_begin, &scen_setup, &scen_core, &scen_guest, &scen_reverse, &scen_gntalloc,
		&scen_tools, &scen_multi, &scen_lifetime, &scen_end, &scen_init_end,
	};
	static const struct scenario *const demo[] = {
		&scen_init_begin, &scen_setup, &scen_demo, &scen_end, &scen_init_end,
	};
	static const struct scenario *const bench[] = {
		&scen_init_begin, &scen_setup, &scen_bench, &scen_end, &scen_init_end,
	};
	static const struct scenario *const soak[] = {
		&scen_init_begin, &scen_setup, &scen_soak, &scen_end, &scen_init_end,
	};
	const struct scenario *const *all = tests;
	size_t n = sizeof(tests) / sizeof(tests[0]), k = 0;

	switch (mode_of(filter)) {
	case MODE_DEMO:
		all = demo;
		n = sizeof(demo) / sizeof(demo[0]);
		break;
	case MODE_BENCH:
		all = bench;
		n = sizeof(bench) / sizeof(bench[0]);
		break;
	case MODE_SOAK:
		all = soak;
		n = sizeof(soak) / sizeof(soak[0]);
		break;
	case MODE_TESTS:
		break;
	}
	if (every) {
		/* The test plan, and what demo, bench and soak run instead. */
		for (size_t i = 0; i < n; i++)
			out[k++] = all[i];
		out[k++] = &scen_demo;
		out[k++] = &scen_bench;
		out[k++] = &scen_soak;
		return k;
	}
	for (size_t i = 0; i < n && k < PLAN_MAX; i++)
		if (scenario_selected(all[i], filter))
			out[k++] = all[i];
	return k;
}

/*
 * The tools' bad-input tests (scen_tools) need nothing of the guest suites
 * and spend their time starting gntlab-tool processes (libvirt, libxen*)
 * and waiting (a missing xenstore path, a missing libvirtd): they run in a
 * child process, started while the first guest boots (start_beside). Its
 * verdicts go to the console as they happen; the plan's place of scen_tools
 * collects its exit (run_beside_end).
 */
static pid_t run_beside(struct step_run *run, const struct scenario *sc, struct scen_env *e)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		steps_run_scenario(run, sc, e);
		fflush(NULL);
		_exit(report_problems() ? 1 : 0);
	}
	return pid;	/* -1: run it in its place instead */
}

/* 0 if the child's tests all passed; 1 if not; -1 if it did not end normally. */
static int run_beside_end(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) ? 1 : 0;
}

/*
 * The scenarios that need only the first guest (dom0 maps what it grants),
 * run by run_guest_programs the first time that guest is between test
 * programs while the second guest runs one (a fuzz program): they mostly
 * wait (the guest's 1 s deferred-free timer, event round trips), the fuzzer
 * keeps the CPUs busy meanwhile. Neither touches grants of dom0 mapped by the
 * second guest, which is what that program's leak check looks at.
 */
static const struct scenario *const first_guest_only[] = { &scen_reverse, &scen_gntalloc };
static struct {
	struct step_run *run;
	const struct scenario **p;
	size_t n;
	bool ran[PLAN_MAX];
} early;

/*
 * The tools' tests need the first guest's domain (its id, its xenstore
 * directory) but not its agent: they start in their child process as soon
 * as the guest exists, while it boots (agent_ready calls this), when the
 * CPUs have room; the first guest's boot is mostly one busy vCPU.
 */
static pid_t beside = -1;	/* scen_tools' child (run_beside) */

static void start_beside(struct scen_env *e)
{
	if (beside >= 0)
		return;
	for (size_t i = 0; i < early.n; i++)
		if (early.p[i] == &scen_tools)
			beside = run_beside(early.run, &scen_tools, e);
}

static void run_first_guest_only(struct scen_env *e)
{
	for (size_t i = 0; i < early.n; i++)
		for (size_t k = 0; k < sizeof(first_guest_only) / sizeof(first_guest_only[0]); k++)
			if (early.p[i] == first_guest_only[k] && !early.ran[i]) {
				early.ran[i] = true;
				steps_run_scenario(early.run, early.p[i], e);
			}
}

int main(int argc, char **argv)
{
	static struct scen_env e;
	static struct step_run run = { .emit = report_verdict };
	const struct scenario *p[PLAN_MAX];
	struct opts o;
	size_t n;
	enum d0_verdict v;
	bool beside_failed = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &o))
		return 2;
	if (o.list_verbs) {
		gntlab_verbs_print(stdout);
		return 0;
	}
	n = plan(o.list_all ? NULL : o.s.tests, o.list_all, p);
	if (o.list) {
		steps_list(stdout, p, n, o.verbose);
		return 0;
	}
	if (guest_requests_unserved()) {
		fprintf(stderr, "gntlab-conductor: no handler for request '%s'\n",
			guest_requests_unserved());
		return 2;
	}
	e.o = o.s;
	e.tool = o.tool;
	switch (mode_of(e.o.tests)) {
	case MODE_DEMO:
		e.o.pages = 1;	/* the demo narrates one page */
		break;
	case MODE_BENCH:
		/* 2^16 grants: more guest memory (the limit: scen_bench.start) */
		if (!e.o.guest_mem)
			e.o.guest_mem = 512;
		break;
	case MODE_SOAK:
		/* Long phases: the program reports progress every 5 s. */
		break;
	case MODE_TESTS:
		break;
	}
	early.run = &run;
	early.p = p;
	early.n = n;
	e.first_guest_idle = run_first_guest_only;
	e.first_guest_booting = start_beside;
	for (size_t i = 0; i < n; i++) {
		if (early.ran[i])
			continue;
		/* Not started while the guest booted (it did not get that far)? Now. */
		if (p[i] == &scen_guest)
			start_beside(&e);
		if (p[i] == &scen_tools && beside > 0) {
			int rc = run_beside_end(beside);

			if (rc < 0)
				report_verdict(D0_ERROR, "program/gntlab-tool", "",
					       "the conductor's child running the tools' tests died");
			beside_failed = rc != 0;
			continue;
		}
		steps_run_scenario(&run, p[i], &e);
		/* Once the guest is up, start what takes long (a second guest). */
		if (p[i] == &scen_setup && steps_verdict(&run, "boot/guest-agent-ready", &v) &&
		    v == D0_PASS)
			for (size_t k = 0; k < n; k++)
				if (p[k]->start)
					p[k]->start(&e);
	}
	if (e.conn)
		virConnectClose(e.conn);
	if (e.gs)
		xengntshr_close(e.gs);
	if (e.xc)
		xc_interface_close(e.xc);
	if (e.xs)
		xs_close(e.xs);
	return report_problems() || beside_failed ? 1 : 0;
}
