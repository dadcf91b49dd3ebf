// SPDX-License-Identifier: GPL-2.0
/*
 * The host unit-test program's main() and the helpers every unit shares
 * (unit.h). Scratch folders are per test: the parent names the folder before
 * the test runs (before-each hook) and removes it after a pass or keeps it,
 * with the tail of any runner.err inside, after a failure (reporter). A
 * scratch file, folder or process that cannot be made is an ERROR, not a FAIL.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "unit.h"

const char *ut_runner, *ut_fake_qemu, *ut_junit_xsd;
static char *tmp_root;
static char test_dir[4096]; /* the running test's scratch folder (may not exist) */

void ut_need_runner(void)
{
	if (!ut_runner || !ut_fake_qemu)
		SKIP("needs --runner and --fake-qemu");
}

void ut_need_junit_schema(void)
{
	char found[4096];

	if (!ut_junit_xsd)
		SKIP("needs --junit-xsd");
	if (!cli_find_program("xmllint", found, sizeof(found)))
		SKIP("xmllint not installed (apt-get install libxml2-utils): junit.xml not "
		     "validated against junit.xsd");
	ut_need_runner();
}

/* ---- checks ---------------------------------------------------------------- */

/* s[0..len) with control characters shown (\n, \r, \xNN), into out. */
static void visible(char *out, size_t outsz, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			n += (size_t)snprintf(out + n, outsz - n, "\\n");
		else if (c == '\r')
			n += (size_t)snprintf(out + n, outsz - n, "\\r");
		else if (c < 0x20)
			n += (size_t)snprintf(out + n, outsz - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

/* The text a failed check was about, line by line in the test's log. */
static void log_text(const char *label, const char *s)
{
	char buf[600];
	int lines = 0;

	if (!s) {
		th_log("%s(null)", label);
		return;
	}
	th_log("%s", label);
	while (*s && lines++ < 60) {
		size_t len = strcspn(s, "\n");

		visible(buf, sizeof(buf), s, len);
		th_log("| %s", buf);
		s += len + (s[len] == '\n');
	}
	if (*s)
		th_log("| ...");
}

int ut_check_has(const char *file, int line, int is_assert, const char *expr, const char *hay,
		 const char *needle, bool want)
{
	bool has = hay && strstr(hay, needle);
	char vis[400], what[600];

	if (has == want)
		return 0;
	if (hay && strlen(hay) < 4000)
		log_text("text:", hay);
	visible(vis, sizeof(vis), needle, strlen(needle) < 300 ? strlen(needle) : 300);
	snprintf(what, sizeof(what), "%s has \"%s\"", hay ? expr : "(null)", vis);
	return th_check_bool(file, line, is_assert, want ? "HAS" : "LACKS", what, has, want);
}

int ut_check_text(const char *file, int line, int is_assert, const char *expr, const char *got,
		  const char *want)
{
	char g[400], w[400];
	size_t at = 0, from, gl, wl;

	if (got && want && strcmp(got, want) == 0)
		return 0;
	if (!got || !want)
		return th_check_str(file, line, is_assert, expr, "want", got, want);
	while (got[at] && got[at] == want[at])
		at++;
	from = at > 40 ? at - 40 : 0;
	gl = strlen(got + from) < 120 ? strlen(got + from) : 120;
	wl = strlen(want + from) < 120 ? strlen(want + from) : 120;
	visible(g, sizeof(g), got + from, gl);
	visible(w, sizeof(w), want + from, wl);
	if (!th_check_str(file, line, is_assert, expr, "want", g, w))
		th_check_bool(file, line, is_assert, "TEXT", expr, 0, 1);
	if (from)
		th_msg("first difference at byte %zu (quoted from byte %zu)", at, from);
	else
		th_msg("first difference at byte %zu", at);
	return 1;
}

/* ---- output capture and files ------------------------------------------------------------------
 */

static char *capture_buf;
static size_t capture_len;

FILE *ut_capture_open(void)
{
	FILE *f;

	capture_buf = NULL;
	f = open_memstream(&capture_buf, &capture_len);
	if (!f)
		ERROR("open_memstream: %s", strerror(errno));
	return f;
}

char *ut_capture_close(FILE *f)
{
	char *buf;

	fclose(f);
	buf = capture_buf;
	capture_buf = NULL;
	return buf;
}

char *ut_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, chunk[4096];
	size_t size = 0, n;
	FILE *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &size);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

void ut_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		ERROR("cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

char *ut_tmpdir(const char *name)
{
	char *dir;

	if (mkdir(test_dir, 0777) != 0 && errno != EEXIST)
		ERROR("mkdir %s: %s", test_dir, strerror(errno));
	if (asprintf(&dir, "%s/%s.XXXXXX", test_dir, name) < 0)
		abort();
	if (!mkdtemp(dir))
		ERROR("mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void ut_rm_rf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

pid_t ut_spawn(char *const argv[], const char *out_path, const char *const *env)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ERROR("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

		dup2(fd, 1);
		dup2(fd, 2);
		for (; env && *env; env++)
			putenv((char *)*env);
		execv(argv[0], argv);
		_exit(99);
	}
	return pid;
}

int ut_wait_exit(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

double ut_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- fixtures ---------------------------------------------------------------- */

void ut_sample_results(struct results *r)
{
	struct test_case *t;

	results_init(r);
	t = results_add(r, "map/ro-basic", TEST_PASS, "", 10.0, 1.5, false);
	excerpt_add(&t->log, "mapping 4 refs", 14);
	t = results_add(r, "map/rw#1", TEST_FAIL, "mismatch at\npage 3 <&>", 11.0, 1.0, false);
	excerpt_add(&t->log, "got 0x00 \x01<", 12);
	results_add(r, "m2p/lookup", TEST_SKIP, "needs 2 vcpus", 12.0, 0.25, false);
	results_add(r, "plain", TEST_PASS, "", 12.5, 0.5, false);
	r->end_seen = true;
}

enum matrix_add ut_add_cell(struct matrix *m, const char *row, const char *col,
			    const char *expected, const char *observed)
{
	struct matrix_line l;

	snprintf(l.row, sizeof(l.row), "%s", row);
	snprintf(l.col, sizeof(l.col), "%s", col);
	snprintf(l.expected, sizeof(l.expected), "%s", expected);
	snprintf(l.observed, sizeof(l.observed), "%s", observed);
	return matrix_add(m, &l);
}

/* ---- end to end -------------------------------------------------------------- */

char *e2e_file(struct e2e *e, const char *name)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", e->results, name);
	return ut_slurp(path);
}

char *e2e_scratch(struct e2e *e, const char *name)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	return strdup(path);
}

static pid_t e2e_start_in(struct e2e *e, char *dir, const char *scenario, const char *const *extra)
{
	char *argv[80], *env[3];
	int argc = 0;
	char *xen, *kernel, *initrd, *errpath;
	pid_t pid;

	memset(e, 0, sizeof(*e));
	e->dir = dir;
	snprintf(e->results, sizeof(e->results), "%s/results", e->dir);
	xen = e2e_scratch(e, "xen");
	kernel = e2e_scratch(e, "vmlinuz");
	initrd = e2e_scratch(e, "initrd.gz");
	errpath = e2e_scratch(e, "runner.err");
	ut_write_file(xen, "xen\n");
	ut_write_file(kernel, "kernel\n");
	ut_write_file(initrd, "initrd\n");
	if (asprintf(&env[0], "GNTLAB_FAKE_SCENARIO=%s", scenario) < 0 ||
	    asprintf(&env[1], "GNTLAB_FAKE_ARGS=%s/qemu.args", e->dir) < 0 ||
	    asprintf(&env[2], "GNTLAB_FAKE_PIDFILE=%s/qemu.pid", e->dir) < 0)
		abort();

	argv[argc++] = (char *)ut_runner;
	argv[argc++] = "--xen";
	argv[argc++] = xen;
	argv[argc++] = "--dom0-kernel";
	argv[argc++] = kernel;
	argv[argc++] = "--dom0-initrd";
	argv[argc++] = initrd;
	argv[argc++] = "--results";
	argv[argc++] = e->results;
	argv[argc++] = "--qemu";
	argv[argc++] = (char *)ut_fake_qemu;
	argv[argc++] = "--crash-grace";
	argv[argc++] = "0.5";
	for (; extra && *extra; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;

	pid = ut_spawn(argv, errpath, (const char *const[]){env[0], env[1], env[2], NULL});
	for (int i = 0; i < 3; i++)
		free(env[i]);
	free(xen);
	free(kernel);
	free(initrd);
	free(errpath);
	return pid;
}

pid_t e2e_start(struct e2e *e, const char *name, const char *scenario, const char *const *extra)
{
	return e2e_start_in(e, ut_tmpdir(name), scenario, extra);
}

int e2e_wait(struct e2e *e, pid_t pid)
{
	int rc = ut_wait_exit(pid);
	char *pidtext, *path;

	e->tap = e2e_file(e, "results.tap");
	e->junit = e2e_file(e, "junit.xml");
	e->summary = e2e_file(e, "summary.txt");
	e->serial = e2e_file(e, "serial.log");
	path = e2e_scratch(e, "runner.err");
	e->err = ut_slurp(path);
	free(path);
	path = e2e_scratch(e, "qemu.args");
	e->args = ut_slurp(path);
	free(path);
	path = e2e_scratch(e, "qemu.pid");
	pidtext = ut_slurp(path);
	free(path);
	e->qemu_pid = pidtext ? (pid_t)atoi(pidtext) : 0;
	free(pidtext);
	if (e->err && getenv("GNTLAB_UNIT_VERBOSE"))
		log_text("runner stderr:", e->err);
	return rc;
}

int e2e_run(struct e2e *e, const char *name, const char *scenario, const char *const *extra)
{
	return e2e_wait(e, e2e_start(e, name, scenario, extra));
}

int e2e_rerun(struct e2e *e, const char *scenario, const char *const *extra)
{
	char *dir = e->dir;

	e->dir = NULL;
	e2e_free(e);
	return e2e_wait(e, e2e_start_in(e, dir, scenario, extra));
}

void e2e_free(struct e2e *e)
{
	free(e->dir);
	free(e->tap);
	free(e->junit);
	free(e->summary);
	free(e->serial);
	free(e->err);
	free(e->args);
	memset(e, 0, sizeof(*e));
}

void e2e_check_xmllint(const char *results)
{
	char found[4096], cmd[4400];

	if (!cli_find_program("xmllint", found, sizeof(found))) {
		TH_LOG("xmllint not installed: junit.xml well-formedness not checked");
		return;
	}
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s/junit.xml'", results);
	EXPECT_EQ(system(cmd), 0) TH_MSG("%s", cmd);
}

/* xmllint --schema junit.xsd on path: its exit status, its output in *out. */
static int xmllint_schema(const char *path, char **out)
{
	char cmd[9000], chunk[512];
	size_t size = 0, n;
	FILE *p, *m = open_memstream(out, &size);
	int status;

	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' 2>&1", ut_junit_xsd, path);
	p = popen(cmd, "r");
	if (!p) {
		fclose(m);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, m);
	status = pclose(p);
	fclose(m);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ut_check_schema(const char *path, bool valid)
{
	char found[4096], *out = NULL;
	int rc;

	if (!ut_junit_xsd || !cli_find_program("xmllint", found, sizeof(found))) {
		TH_LOG("xmllint or --junit-xsd missing: %s not validated", path);
		return;
	}
	rc = xmllint_schema(path, &out);
	if ((rc == 0) != valid && out)
		TH_LOG("xmllint: %s", out);
	EXPECT_EQ(rc == 0, valid)
		TH_MSG("xmllint --schema %s: status %d, want %s", path, rc, valid ? "valid" : "rejected");
	free(out);
}

static bool process_gone(pid_t pid)
{
	char path[64], *stat;
	bool zombie;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = ut_slurp(path);
	zombie = stat && strstr(stat, ") Z ");
	free(stat);
	return !stat || zombie;
}

bool ut_wait_gone(pid_t pid, double seconds)
{
	for (int i = 0; i < (int)(seconds * 20); i++) {
		if (process_gone(pid))
			return true;
		usleep(50000);
	}
	return process_gone(pid);
}

/* ---- main: scratch folders around each test, then the harness ------------ */

static int before_each(const char *name, char *msg, size_t len, void *arg)
{
	size_t n;

	(void)msg;
	(void)len;
	(void)arg;
	n = (size_t)snprintf(test_dir, sizeof(test_dir), "%s/", tmp_root);
	for (const char *p = name; *p && n + 1 < sizeof(test_dir); p++)
		test_dir[n++] = *p == '/' ? '_' : *p;
	test_dir[n] = '\0';
	ut_rm_rf(test_dir); /* what an earlier run kept */
	return 0;
}

/* After a failure: name the kept folder, show the end of each runner's stderr. */
static int show_runner_err(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	char *text;

	(void)st;
	if (flag != FTW_F || strcmp(base, "runner.err") != 0)
		return 0;
	text = ut_slurp(path);
	if (text) {
		const char *s = strlen(text) > 3000 ? text + strlen(text) - 3000 : text;

		printf("#   %s (end):\n", path);
		while (*s) {
			size_t l = strcspn(s, "\n");

			printf("#   | %.*s\n", (int)l, s);
			s += l + (s[l] == '\n');
		}
	}
	free(text);
	return 0;
}

static void reporter(const struct th_result *r, void *arg)
{
	struct stat st;

	(void)arg;
	if (stat(test_dir, &st) != 0)
		return;
	if (r->verdict != TH_FAIL && r->verdict != TH_ERROR && r->verdict != TH_XPASS) {
		ut_rm_rf(test_dir);
		return;
	}
	printf("# kept %s\n", test_dir);
	nftw(test_dir, show_runner_err, 16, FTW_PHYS);
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: unit-tests [--runner PATH --fake-qemu PATH]\n"
		   "                  [--junit-xsd PATH] [--tmp DIR] [--list] [--filter PATTERNS]\n"
		   "                  [--timeout SECONDS]\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *opt;
		const char **dst;
	} paths[] = {
		{"--runner", &ut_runner},
		{"--fake-qemu", &ut_fake_qemu},
		{"--junit-xsd", &ut_junit_xsd},
		{"--tmp", (const char **)&tmp_root},
	};
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int nrest = 0, rc;
	bool own_tmp = false;

	rest[nrest++] = argv[0];
	for (int i = 1; i < argc; i++) {
		size_t k;

		for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
			if (strcmp(argv[i], paths[k].opt) == 0)
				break;
		if (k == sizeof(paths) / sizeof(paths[0])) {
			rest[nrest++] = argv[i];
			continue;
		}
		if (i + 1 >= argc) {
			usage(stderr);
			return 2;
		}
		*paths[k].dst = argv[++i];
	}
	if (!tmp_root) {
		tmp_root = strdup("/tmp/gntlab-unit.XXXXXX");
		if (!mkdtemp(tmp_root)) {
			perror("unit-tests: mkdtemp");
			return 2;
		}
		own_tmp = true;
	} else if (mkdir(tmp_root, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "unit-tests: cannot create %s: %s\n", tmp_root, strerror(errno));
		return 2;
	}
	th_set_before_each(before_each, NULL);
	th_set_reporter(reporter, NULL);
	rc = th_main(nrest, rest);
	if (own_tmp)
		rmdir(tmp_root); /* only if no failed test kept its folder */
	free(rest);
	return rc;
}
