// SPDX-License-Identifier: GPL-2.0
/* The dom0 tools reject bad input with exit 2 and a message; none crashes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "markers_out.h"
#include "scenarios.h"

extern char **environ;

/* What in a program's stderr means it misbehaved, whatever its status. */
static const char *const sanitizer_marks[] = {
	"AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
	"ThreadSanitizer", "runtime error:",
};

/*
 * Run gntlab-tool with args; capture its exit status and stderr. Returns
 * the status, -1 if it could not be started, -2 if it ended abnormally (a
 * signal, a status above 2, a sanitizer report; err says which, and the
 * first such run is kept for program/gntlab-tool).
 */
static int run_tool(struct scen_env *e, char *const argv[], char *err, size_t len)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = -1;
	size_t used = 0;
	pid_t pid;
	char why[160] = "";
	struct rusage ru;
	double cpu;

	err[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, e->tool, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	for (;;) {
		ssize_t n = read(pipefd[0], err + used, len - 1 - used);

		if (n <= 0)
			break;
		used += (size_t)n;
		if (used >= len - 1)
			break;
	}
	err[used] = '\0';
	/* Libraries may print their own line first: keep all, on one line. */
	for (char *c = err; *c; c++)
		if (*c == '\n')
			*c = ' ';
	close(pipefd[0]);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	e->tool_runs++;
	cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	      ru.ru_stime.tv_usec / 1e6;
	e->tool_cpu += cpu;
	if (cpu > e->tool_cpu_max) {
		e->tool_cpu_max = cpu;
		snprintf(e->tool_cpu_max_cmd, sizeof(e->tool_cpu_max_cmd), "%s", argv[1] ? argv[1] : "");
	}
	if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "exited on SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) > 2)
		snprintf(why, sizeof(why), "exited with status %d", WEXITSTATUS(status));
	for (size_t i = 0; !why[0] && i < sizeof(sanitizer_marks) / sizeof(sanitizer_marks[0]); i++)
		if (strstr(err, sanitizer_marks[i]))
			snprintf(why, sizeof(why), "printed a %s report", sanitizer_marks[i]);
	if (!why[0])
		return WEXITSTATUS(status);
	if (!e->tool_trouble[0])
		snprintf(e->tool_trouble, sizeof(e->tool_trouble), "gntlab-tool %s %s%s%.300s",
			 argv[1] ? argv[1] : "", why, err[0] ? ": " : "", err);
	snprintf(err + strlen(err), len - strlen(err), "%s[gntlab-tool %s]", err[0] ? " " : "", why);
	return -2;
}

/* One bad input: the arguments (@g1, @missing, @uri replaced) and the
 * substring the message must contain. */
static const struct tool_case {
	const char *want;
	const char *argv[9];
} cases[] = {
	{ "no domain 31999", { "share", "--domid", "31999", "--pages", "1" } },
	{ "bad --pages", { "share", "--domid", "@g1", "--pages", "0" } },
	{ "bad --pages", { "share", "--domid", "@g1", "--pages", "100000000" } },
	{ "bad --domid", { "share", "--domid", "-3", "--pages", "1" } },
	{ "xengnttab_map_domain_grant_refs", { "map", "--domid", "@g1", "--refs", "4000000000" } },
	{ "bad ref", { "map", "--domid", "@g1", "--refs", "12,x" } },
	{ "did not appear", { "wait", "--path", "@missing", "--timeout", "1" } },
	{ "libvirtd running", { "guest", "--uri", "xen+unix:///system?socket=/run/gntlab-no-libvirtd",
				"--name", "x", "list" } },
	{ "no guest", { "guest", "--uri", "@uri", "--name", "no-such-guest", "list" } },
	{ "unknown command", { "frobnicate" } },
	{ NULL, { "share", "--domid", "@g1", "--pages", "2" } },	/* good input */
};

static void tool_case(struct scen_env *e, struct step_res *r, size_t k)
{
	const struct tool_case *c = &cases[k];
	char g1[16], missing[192], out[512], *argv[10] = { "gntlab-tool" };
	int rc;

	snprintf(g1, sizeof(g1), "%u", e->domid);
	snprintf(missing, sizeof(missing), "%s/no-such-key", e->ag.dir);
	for (size_t i = 0; c->argv[i]; i++)
		argv[i + 1] = !strcmp(c->argv[i], "@g1") ? g1 :
			      !strcmp(c->argv[i], "@missing") ? missing :
			      !strcmp(c->argv[i], "@uri") ? (char *)e->o.uri : (char *)c->argv[i];
	rc = run_tool(e, argv, out, sizeof(out));
	report_diag("%s: exit %d: %s", argv[1], rc, out);
	if (rc == -1)
		step_error(r, "cannot start %s: %s", e->tool, strerror(errno));
	else if (rc == -2)
		step_error(r, "%s", out);
	else if (c->want)
		step_check(r, rc == 2 && strstr(out, c->want),
			   "want exit 2 and a message with '%s'; got exit %d: %s", c->want, rc, out);
	else
		step_check(r, rc == 0, "exit %d: %s", rc, out);
}

#define CASE(k)                                                                \
	static void tool_case_##k(struct scen_env *e, struct step_res *r)      \
	{                                                                      \
		tool_case(e, r, k);                                            \
	}
CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10)

static void tool_exits(struct scen_env *e, struct step_res *r)
{
	if (e->tool_runs)
		report_diag("%u runs of gntlab-tool used %.2f s of CPU (user + system), the most "
			    "%.2f s (%s)", e->tool_runs, e->tool_cpu, e->tool_cpu_max,
			    e->tool_cpu_max_cmd);
	if (!e->tool_runs)
		step_error(r, "gntlab-tool never ran");
	else if (e->tool_trouble[0])
		step_error(r, "%s", e->tool_trouble);
}

#define BAD "Runs `gntlab-tool` in dom0; expects exit status 2 and a message that names the\n" \
	    "problem (the library call and errno, where one failed).\n"

static const struct step tools[] = {
	{ "tools/share-unknown-domid", BAD
	  "`share --domid 31999`: no such domain (checked with `xc_domain_getinfolist` before\n"
	  "granting; a grant to a domid nobody holds would silently succeed in gntalloc).",
	  tool_case_0, NULL },
	{ "tools/share-zero-pages", BAD "`share --pages 0`: rejected at parsing.", tool_case_1, NULL },
	{ "tools/share-huge-count", BAD "`share --pages 100000000`: rejected at parsing (limit 4096).",
	  tool_case_2, NULL },
	{ "tools/share-bad-domid", BAD "`share --domid -3`: rejected at parsing.", tool_case_3, NULL },
	{ "tools/map-ref-out-of-range", BAD
	  "`map --refs 4000000000`: Xen refuses the map (bad gntref); the message names\n"
	  "`xengnttab_map_domain_grant_refs` and errno.", tool_case_4, NULL },
	{ "tools/map-malformed-refs", BAD "`map --refs 12,x`: rejected at parsing.", tool_case_5, NULL },
	{ "tools/wait-missing-xenstore-path", BAD
	  "`wait --path <missing> --timeout 1`: the path does not appear; exit 2 after the\n"
	  "timeout, naming the path.", tool_case_6, NULL },
	{ "tools/libvirtd-not-running", BAD
	  "`guest --uri xen+unix:///system?socket=<none>`: no libvirtd at that socket; the\n"
	  "message says so.", tool_case_7, NULL },
	{ "tools/unknown-guest", BAD "`guest --name no-such-guest list`: libvirt has no such domain.",
	  tool_case_8, NULL },
	{ "tools/unknown-command", BAD "`gntlab-tool frobnicate`: unknown command.", tool_case_9, NULL },
	{ "tools/share-good-input",
	  "The same tool with good input exits 0: the checks above are not false alarms.",
	  tool_case_10, NULL },
	{ "program/gntlab-tool",
	  "Checks: no run of `gntlab-tool` above died on a signal, exited with a status other\n"
	  "than 0, 1 or 2, or printed a sanitizer report.\n"
	  "Expected: pass. ERROR names the first run that did.", tool_exits, NULL },
};
const struct scenario scen_tools = SCENARIO("tools", SCEN_BY_NAME, "boot/guest-via-libvirt",
					    tools, NULL, NULL);
