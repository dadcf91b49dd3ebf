// SPDX-License-Identifier: GPL-2.0
#include "hostmode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../markers.h"
#include "serial.h"
#include "xalloc.h"

/* How long virsh may take to answer (libvirtd starting the libxl driver). */
#define VIRSH_TIMEOUT_S 20

const struct host_need hostmode_devices[] = {
	{"/dev/xen/evtchn", NULL, "xen-evtchn"},
	{"/dev/xen/gntdev", NULL, "xen-gntdev"},
	{"/dev/xen/gntalloc", NULL, "xen-gntalloc"},
	{"/dev/xen/privcmd", "/proc/xen/privcmd", "xen-privcmd"},
};
const size_t hostmode_ndevices = sizeof(hostmode_devices) / sizeof(hostmode_devices[0]);

static const char *root_of(const struct config *cfg)
{
	return cfg->host_root ? cfg->host_root : "";
}

static void problem(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("gntlab-runner --host: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
}

static int check_dom0(const struct config *cfg, FILE *err)
{
	char path[4200], buf[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/xen/capabilities", root_of(cfg));
	f = fopen(path, "r");
	if (!f && errno == EACCES) {
		problem(err, "cannot read %s: permission denied (only root can tell a dom0)", path);
		return 1;
	}
	if (!f) {
		problem(err,
			"not in a Xen dom0: cannot read %s (%s): not running under Xen, or xenfs "
			"is not mounted (mount -t xenfs xenfs /proc/xen)",
			path, strerror(errno));
		return 1;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!strstr(buf, "control_d")) {
		problem(err,
			"not in a Xen dom0: %s says '%s', not control_d (this is a guest "
			"domain; run in the host's dom0)",
			path, buf);
		return 1;
	}
	return 0;
}

static int check_devices(const struct config *cfg, FILE *err)
{
	char path[4200], alt[4200];
	int n = 0;

	for (size_t i = 0; i < hostmode_ndevices; i++) {
		const struct host_need *d = &hostmode_devices[i];

		snprintf(path, sizeof(path), "%s%s", root_of(cfg), d->what);
		if (access(path, F_OK) == 0)
			continue;
		if (d->alt) {
			snprintf(alt, sizeof(alt), "%s%s", root_of(cfg), d->alt);
			if (access(alt, F_OK) == 0)
				continue;
		}
		problem(err, "driver %s missing: no %s%s%s (modprobe %s)", d->driver, path,
			d->alt ? " nor " : "", d->alt ? alt : "", d->driver);
		n++;
	}
	return n;
}

/* Does a unix socket answer at path? */
static bool socket_answers(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

static int check_xenstored(const struct config *cfg, FILE *err)
{
	static const char *const socks[] = {"/run/xenstored/socket", "/var/run/xenstored/socket"};
	char path[4200], first[4200] = "";
	bool exists = false;

	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s%s", root_of(cfg), socks[i]);
		if (!first[0])
			snprintf(first, sizeof(first), "%s", path);
		if (stat(path, &st) != 0)
			continue;
		exists = true;
		if (socket_answers(path))
			return 0;
	}
	problem(err,
		"xenstored is not running: %s %s (start it: systemctl start xenstored, or "
		"/etc/init.d/xencommons start)",
		first, exists ? "does not accept connections" : "does not exist");
	return 1;
}

/*
 * Run argv with stdout+stderr into buf (up to size-1 bytes), killing it
 * after timeout_s. Returns its wait status, -1 if it could not run
 * (errno set), or -2 on a timeout.
 */
static int run_capture(char *const argv[], char *buf, size_t size, int timeout_s)
{
	int fds[2], status = 0;
	size_t n = 0;
	pid_t pid;
	struct timespec start, now;

	buf[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		char scratch[256];
		long left;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)timeout_s * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
						 (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			close(fds[0]);
			return -2;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		/* Past the end of buf: read on into scratch, so the child never blocks. */
		r = n + 1 < size ? read(fds[0], buf + n, size - 1 - n)
				 : read(fds[0], scratch, sizeof(scratch));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n + 1 < size) {
			n += (size_t)r;
			buf[n] = '\0';
		}
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* The first non-empty line of text, in out. */
static void first_line(const char *text, char *out, size_t size)
{
	while (*text == '\n' || *text == ' ')
		text++;
	snprintf(out, size, "%.*s", (int)strcspn(text, "\n"), text);
}

static int check_libvirt(const struct config *cfg, FILE *err)
{
	char out[2048], line[600], found[4096];
	char *argv[] = {(char *)cfg->virsh, "-c", (char *)cfg->uri, "uri", NULL};
	int st;

	if (!cli_find_program(cfg->virsh, found, sizeof(found))) {
		problem(err, "libvirt's client '%s' not found (install libvirt-clients)",
			cfg->virsh);
		return 1;
	}
	st = run_capture(argv, out, sizeof(out), VIRSH_TIMEOUT_S);
	if (st == -2) {
		problem(err, "libvirt does not answer: '%s -c %s uri' took more than %d s",
			cfg->virsh, cfg->uri, VIRSH_TIMEOUT_S);
		return 1;
	}
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		first_line(out, line, sizeof(line));
		problem(err,
			"libvirt does not answer at %s: %s (start libvirtd with its libxl driver: "
			"install libvirt-daemon-driver-xen, systemctl start libvirtd)",
			cfg->uri, st == -1 ? strerror(errno) : line[0] ? line : "virsh failed");
		return 1;
	}
	return 0;
}

int hostmode_check(const struct config *cfg, FILE *err)
{
	long euid = cfg->host_euid >= 0 ? cfg->host_euid : (long)geteuid();
	int n = 0;

	if (euid != 0) {
		problem(err,
			"not root (euid %ld): the suites open /dev/xen/* and start domains; run "
			"as root (sudo)",
			euid);
		n++;
	}
	if (check_dom0(cfg, err)) {
		/* Nothing else can be there: one clear line is better than five. */
		return n + 1;
	}
	n += check_devices(cfg, err);
	n += check_xenstored(cfg, err);
	n += check_libvirt(cfg, err);
	return n;
}

char **hostmode_conductor_argv(const struct config *cfg)
{
	char **argv = xrealloc(NULL, 24 * sizeof(*argv));
	char num[32];
	size_t n = 0;

	argv[n++] = xstrdup(cfg->conductor);
	argv[n++] = xstrdup("--kernel");
	argv[n++] = xstrdup(cfg->guest_kernel);
	argv[n++] = xstrdup("--initrd");
	argv[n++] = xstrdup(cfg->guest_initrd);
	argv[n++] = xstrdup("--uri");
	argv[n++] = xstrdup(cfg->uri);
	argv[n++] = xstrdup("--tool");
	argv[n++] = xstrdup(cfg->tool);
	argv[n++] = xstrdup("--ready-timeout");
	snprintf(num, sizeof(num), "%d", cli_guest_ready_timeout(cfg));
	argv[n++] = xstrdup(num);
	if (cfg->tests) {
		argv[n++] = xstrdup("--tests");
		argv[n++] = xstrdup(cfg->tests);
	}
	argv[n] = NULL;
	return argv;
}

void hostmode_begin_lines(FILE *out)
{
	fprintf(out, "GNTLAB-PHASE %s\n", GNTLAB_PHASE_DOM0_INIT);
	fprintf(out, "GNTLAB-TAP ok boot/dom0-setup # host mode: dom0, drivers, xenstored and "
		     "libvirt checked by the runner\n");
}

void hostmode_end_lines(FILE *out, int wstatus)
{
	int rc = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);

	if (WIFEXITED(wstatus) && rc <= 1)
		fprintf(out, "GNTLAB-TAP ok program/gntlab-conductor\n");
	else if (WIFSIGNALED(wstatus))
		fprintf(out,
			"GNTLAB-TAP not ok program/gntlab-conductor # ERROR exited on signal %d "
			"(%s)\n",
			WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	else
		fprintf(out,
			"GNTLAB-TAP not ok program/gntlab-conductor # ERROR exited with status "
			"%d\n",
			rc);
	fprintf(out, "GNTLAB-END %d\n", rc);
}

void hostmode_cleanup(const struct config *cfg)
{
	static const char *const names[] = {"gntlab-guest1", "gntlab-guest2"};
	char out[1024];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *argv[] = {(char *)cfg->virsh, "-c",	       (char *)cfg->uri,
				"destroy",	    (char *)names[i], NULL};
		int st = run_capture(argv, out, sizeof(out), VIRSH_TIMEOUT_S);

		if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			fprintf(stderr, "gntlab-runner --host: destroyed the leftover domain %s\n",
				names[i]);
	}
}

/* sha256 of a file (sha256sum), or "?" */
static void sha256_of(const char *path, char *out, size_t size)
{
	char buf[512];
	char *argv[] = {"sha256sum", "--", (char *)path, NULL};
	int st = run_capture(argv, buf, sizeof(buf), 60);

	if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && strlen(buf) >= 64)
		snprintf(out, size, "%.64s", buf);
	else
		snprintf(out, size, "?");
}

/* The value of "key : value" in xl info's output, or "". */
static void xl_info_value(const char *info, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);

	out[0] = '\0';
	for (const char *p = info; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *colon;

		if (strncmp(p, key, klen) != 0 || (p[klen] != ' ' && p[klen] != ':'))
			continue;
		colon = strchr(p, ':');
		if (!colon)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		snprintf(out, size, "%.*s", (int)strcspn(colon, "\n"), colon);
		return;
	}
}

static void read_line_of(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
}

void hostmode_record(const struct config *cfg, struct results *res)
{
	static char info[16384];
	char *xl[] = {"xl", "info", NULL};
	char xen_version[128], xen_cmdline[900], path[4200], kernel_sha[80], initrd_sha[80];
	struct utsname u;
	FILE *f;
	int st = run_capture(xl, info, sizeof(info), 30);

	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		info[0] = '\0';
	xl_info_value(info, "xen_version", xen_version, sizeof(xen_version));
	xl_info_value(info, "xen_commandline", xen_cmdline, sizeof(xen_cmdline));
	snprintf(res->xen_cmdline, sizeof(res->xen_cmdline), "%s",
		 xen_cmdline[0] ? xen_cmdline : "(unknown: xl info gave none)");
	read_line_of("/proc/cmdline", res->dom0_cmdline, sizeof(res->dom0_cmdline));
	snprintf(res->accel, sizeof(res->accel), "host");
	if (uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "?");
	sha256_of(cfg->guest_kernel, kernel_sha, sizeof(kernel_sha));
	sha256_of(cfg->guest_initrd, initrd_sha, sizeof(initrd_sha));

	snprintf(path, sizeof(path), "%s/manifest.txt", cfg->results);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gntlab-runner: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "mode host (gntlab-runner --host, no QEMU)\n");
	fprintf(f, "host-xen %s\n", xen_version[0] ? xen_version : "?");
	fprintf(f, "host-xen-cmdline %s\n", res->xen_cmdline);
	fprintf(f, "host-dom0-kernel %s\n", u.release);
	fprintf(f, "host-dom0-cmdline %s\n", res->dom0_cmdline);
	fprintf(f, "libvirt-uri %s\n", cfg->uri);
	fprintf(f, "guest-kernel %s sha256 %s\n", cfg->guest_kernel, kernel_sha);
	fprintf(f, "guest-initrd %s sha256 %s\n", cfg->guest_initrd, initrd_sha);
	fprintf(f, "conductor %s\n", cfg->conductor);
	fprintf(f, "tool %s\n", cfg->tool);
	fprintf(f, "tests %s\n", cfg->tests ? cfg->tests : "(all)");
	if (fclose(f) != 0)
		fprintf(stderr, "gntlab-runner: error writing %s\n", path);
}

/* ---- comparing two runs ---- */

int tap_set_parse(struct tap_set *s, FILE *f)
{
	char line[4096];

	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		struct tap_line t;
		size_t len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (!serial_parse_tap(line, len, &t))
			continue;
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->e = xrealloc(s->e, s->cap * sizeof(*s->e));
		}
		s->e[s->n].name = xstrdup(t.name);
		s->e[s->n].status = t.status;
		s->n++;
	}
	return ferror(f) ? -1 : 0;
}

int tap_set_load(struct tap_set *s, const char *path, FILE *err)
{
	FILE *f = fopen(path, "r");
	int rc;

	memset(s, 0, sizeof(*s));
	if (!f) {
		fprintf(err, "gntlab-runner --compare: cannot read %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	rc = tap_set_parse(s, f);
	fclose(f);
	if (rc != 0)
		fprintf(err, "gntlab-runner --compare: error reading %s\n", path);
	else if (s->n == 0) {
		fprintf(err, "gntlab-runner --compare: %s has no test lines\n", path);
		rc = -1;
	}
	return rc;
}

void tap_set_free(struct tap_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].name);
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static bool ignored(const char *name, const char *const *ignore)
{
	for (; ignore && *ignore; ignore++)
		if (strncmp(name, *ignore, strlen(*ignore)) == 0)
			return true;
	return false;
}

static const struct tap_entry *tap_find(const struct tap_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->e[i].name, name) == 0)
			return &s->e[i];
	return NULL;
}

size_t hostmode_compare(const struct tap_set *a, const char *aname, const struct tap_set *b,
			const char *bname, const char *const *ignore, FILE *out)
{
	size_t diffs = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct tap_entry *x = &a->e[i], *y;

		if (ignored(x->name, ignore) || tap_find(a, x->name) != x)
			continue;
		y = tap_find(b, x->name);
		if (!y) {
			fprintf(out, "only in %s: %s (%s)\n", aname, x->name,
				test_status_name(x->status));
			diffs++;
		} else if (y->status != x->status) {
			fprintf(out, "verdict differs: %s is %s in %s, %s in %s\n", x->name,
				test_status_name(x->status), aname, test_status_name(y->status),
				bname);
			diffs++;
		}
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct tap_entry *y = &b->e[i];

		if (ignored(y->name, ignore) || tap_find(b, y->name) != y || tap_find(a, y->name))
			continue;
		fprintf(out, "only in %s: %s (%s)\n", bname, y->name, test_status_name(y->status));
		diffs++;
	}
	return diffs;
}

void tap_set_write_verdicts(const struct tap_set *s, FILE *out)
{
	static const char *const line[TEST_STATUS_COUNT] = {
		[TEST_PASS] = "ok %zu - %s\n",		[TEST_FAIL] = "not ok %zu - %s\n",
		[TEST_SKIP] = "ok %zu - %s # SKIP\n",	[TEST_ERROR] = "not ok %zu - %s # ERROR\n",
		[TEST_XFAIL] = "not ok %zu - %s # TODO\n", [TEST_XPASS] = "not ok %zu - %s # XPASS\n",
	};

	for (size_t i = 0; i < s->n; i++)
		fprintf(out, line[s->e[i].status], i + 1, s->e[i].name);
}

int hostmode_verdicts_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct tap_set s;

	if (argc != 3) {
		fprintf(err, "usage: gntlab-runner --verdicts results.tap\n");
		return 2;
	}
	if (tap_set_load(&s, argv[2], err) != 0)
		return 2;
	tap_set_write_verdicts(&s, out);
	tap_set_free(&s);
	return 0;
}

int hostmode_compare_main(int argc, char **argv, FILE *out, FILE *err)
{
	const char *files[2] = {NULL, NULL};
	const char *ignore[16] = {NULL};
	size_t nfiles = 0, nignore = 0, diffs;
	struct tap_set a, b;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--compare") == 0)
			continue;
		if (strcmp(argv[i], "--ignore") == 0 && i + 1 < argc && nignore < 15) {
			ignore[nignore++] = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' || nfiles == 2) {
			fprintf(err, "usage: gntlab-runner --compare A/results.tap B/results.tap "
				     "[--ignore PREFIX]...\n");
			return 2;
		}
		files[nfiles++] = argv[i];
	}
	if (nfiles != 2) {
		fprintf(err, "usage: gntlab-runner --compare A/results.tap B/results.tap "
			     "[--ignore PREFIX]...\n");
		return 2;
	}
	if (tap_set_load(&a, files[0], err) != 0)
		return 2;
	if (tap_set_load(&b, files[1], err) != 0) {
		tap_set_free(&a);
		return 2;
	}
	diffs = hostmode_compare(&a, files[0], &b, files[1], ignore, out);
	{
		size_t na = 0, nb = 0;

		for (size_t i = 0; i < a.n; i++)
			na += !ignored(a.e[i].name, ignore);
		for (size_t i = 0; i < b.n; i++)
			nb += !ignored(b.e[i].name, ignore);
		if (diffs)
			fprintf(out, "%zu difference%s between %s (%zu tests) and %s (%zu tests)\n",
				diffs, diffs == 1 ? "" : "s", files[0], na, files[1], nb);
		else
			fprintf(out, "same tests, same verdicts: %s and %s (%zu tests compared)\n",
				files[0], files[1], na);
	}
	tap_set_free(&a);
	tap_set_free(&b);
	return diffs ? 1 : 0;
}
