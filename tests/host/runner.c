// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-runner: boot Xen + dom0 under QEMU, follow the serial console and
 * write the results. The parsing and the verdicts live in session.c,
 * phase.c and report.c; this file owns the QEMU process, the clock, signals,
 * and the KVM -> TCG fallback. --host (hostmode.c) runs dom0's conductor on
 * this machine's Xen instead of QEMU and reads its output the same way.
 *
 * QEMU must never outlive the runner: it runs in its own process group that
 * is killed as a whole (SIGTERM, then SIGKILL), and PR_SET_PDEATHSIG covers
 * the runner dying without a chance to do so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hostmode.h"
#include "plan.h"
#include "report.h"
#include "serial.h"
#include "session.h"

#define EXIT_PASS	 0
#define EXIT_FAIL	 1
#define EXIT_ENV	 2
#define EXIT_INTERRUPTED 130

/* SIGTERM, then this long before SIGKILL. */
#define STOP_GRACE 3.0
/* How long the serial output may gather between two reads (see the loop). */
#define RUNNER_GATHER_MS 20

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (!got_signal)
		got_signal = sig;
	if (write(signal_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a wakeup is already pending. */
	}
	errno = saved;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* ---- results directory ---- */

static bool is_our_file(const char *name)
{
	// clang-format off
	static const char *const fixed[] = {
		"results.tap", "junit.xml", "summary.txt", "matrix.md", "matrix.html",
		"matrix.tsv", "results.tap.tmp", "junit.xml.tmp", "summary.txt.tmp",
		"matrix.md.tmp", "matrix.html.tmp", "matrix.tsv.tmp", "manifest.txt",
	};
	// clang-format on
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(name, fixed[i]) == 0)
			return true;
	/* serial.log, serial-kvm.log and the <domain>.log files (sanitized names) */
	if (len <= 4 || strcmp(name + len - 4, ".log") != 0)
		return false;
	for (size_t i = 0; i < len - 4; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int mkdir_p(const char *dir)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Create dir and remove what an earlier run wrote there (only our own files). */
static int prepare_results_dir(const char *dir)
{
	DIR *d;
	struct dirent *de;

	if (mkdir_p(dir) != 0) {
		fprintf(stderr, "gntlab-runner: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "gntlab-runner: cannot open %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (is_our_file(de->d_name) && unlinkat(dirfd(d), de->d_name, 0) != 0 &&
		    errno != ENOENT) {
			fprintf(stderr, "gntlab-runner: cannot remove %s/%s: %s\n", dir, de->d_name,
				strerror(errno));
			closedir(d);
			return -1;
		}
	closedir(d);
	return 0;
}

/* ---- QEMU ---- */

struct qemu {
	pid_t pid;
	int fd; /* QEMU's stdout + stderr */
	bool eof;
};

static int spawn_qemu(char *const argv[], struct qemu *q)
{
	pid_t parent = getpid();
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	q->pid = fork();
	if (q->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (q->pid == 0) {
		sigset_t none;
		int null;

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the runner died before prctl */
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(2, "gntlab-runner: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Also here, so the group exists before any kill(-pid) of ours. */
	setpgid(q->pid, q->pid);
	close(fds[1]);
	q->fd = fds[0];
	q->eof = false;
	fcntl(q->fd, F_SETFL, fcntl(q->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

struct feed_ctx {
	struct session *s;
	double t;
};

static void feed_line(void *ctx, const char *line, size_t len)
{
	struct feed_ctx *fc = ctx;

	session_line(fc->s, line, len, fc->t);
}

/*
 * Read what QEMU has written so far, at most max_reads chunks (0: no limit),
 * so that a console flooding faster than we read cannot starve the timeout
 * checks of the main loop. Returns false at EOF.
 */
static bool drain(struct qemu *q, struct linebuf *lb, struct session *s, int max_reads)
{
	char buf[65536];
	struct feed_ctx fc = {.s = s};
	int reads = 0;

	while (!q->eof && (max_reads == 0 || reads++ < max_reads)) {
		ssize_t n = read(q->fd, buf, sizeof(buf));

		if (n > 0) {
			fc.t = now_s();
			linebuf_feed(lb, buf, (size_t)n, feed_line, &fc);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		/* EOF or a read error: either way nothing more will come. */
		q->eof = true;
		fc.t = now_s();
		linebuf_flush(lb, feed_line, &fc);
	}
	return !q->eof;
}

/* Has QEMU exited? Leaves it unreaped, so its pid still names its group. */
static bool qemu_exited(const struct qemu *q)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)q->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return errno == ECHILD;
	return si.si_pid == q->pid;
}

/* QEMU is gone: kill what is left of its group, reap it, read the rest. */
static int reap_qemu(struct qemu *q, struct linebuf *lb, struct session *s)
{
	int status = 0;

	kill(-q->pid, SIGKILL);
	while (waitpid(q->pid, &status, 0) < 0 && errno == EINTR)
		;
	drain(q, lb, s, 0);
	if (!q->eof) {
		struct feed_ctx fc = {.s = s, .t = now_s()};

		linebuf_flush(lb, feed_line, &fc);
	}
	close(q->fd);
	q->fd = -1;
	return status;
}

/* SIGTERM to the whole group, SIGKILL after STOP_GRACE; keeps logging meanwhile. */
static int stop_qemu(struct qemu *q, struct linebuf *lb, struct session *s)
{
	double deadline = now_s() + STOP_GRACE;

	kill(-q->pid, SIGTERM);
	while (!qemu_exited(q) && now_s() < deadline) {
		struct pollfd pfd = {.fd = q->fd, .events = POLLIN};

		if (!q->eof && poll(&pfd, 1, 50) > 0)
			drain(q, lb, s, 16);
		else if (q->eof)
			poll(NULL, 0, 50);
	}
	return reap_qemu(q, lb, s);
}

static void print_cmdline(char *const argv[])
{
	fputs("gntlab-runner: running:", stderr);
	for (char *const *p = argv; *p; p++) {
		if (strpbrk(*p, " \t\"'$\\,") || !**p)
			fprintf(stderr, " '%s'", *p);
		else
			fprintf(stderr, " %s", *p);
	}
	fputc('\n', stderr);
}

/*
 * What ran, for summary.txt: Xen's and dom0's command lines as QEMU got
 * them, and the guest's as dom0 reported it (GNTLAB-LOG run guest ...,
 * which the session wrote to run.log).
 */
static void record_cmdlines(const struct config *cfg, struct results *res)
{
	char path[4200], line[1024];
	FILE *f;

	if (cfg->host) {
		/* The host's own (xl info, /proc/cmdline), and manifest.txt. */
		hostmode_record(cfg, res);
	} else {
		char *dom0 = cli_dom0_cmdline(cfg);

		char *xen = cli_xen_cmdline(cfg, res->accel);

		snprintf(res->xen_cmdline, sizeof(res->xen_cmdline), "%s", xen);
		free(xen);
		snprintf(res->dom0_cmdline, sizeof(res->dom0_cmdline), "%s", dom0);
		free(dom0);
	}
	snprintf(path, sizeof(path), "%s/run.log", cfg->results);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "guest ", 6) != 0)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(res->guest_boot, sizeof(res->guest_boot), "%s", line + 6);
		break;
	}
	fclose(f);
}

static bool kvm_usable(char *why, size_t size)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, size, "/dev/kvm is not usable: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/*
 * Feed the lines a writer prints (begin != NULL: hostmode_begin_lines;
 * else hostmode_end_lines for wstatus) to the session, as if read.
 */
static void feed_lines(struct session *s, void (*begin)(FILE *), int wstatus, double t)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return;
	if (begin)
		begin(f);
	else
		hostmode_end_lines(f, wstatus);
	fclose(f);
	for (char *line = text, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0'; /* the session reads lines as C strings, as linebuf gives them */
		session_line(s, line, (size_t)(nl - line), t);
	}
	free(text);
}

enum outcome {
	OUTCOME_DONE,
	OUTCOME_KVM_FAILED, /* rerun with TCG */
	OUTCOME_ERROR,
};

/* One boot with one accelerator. Fills res; returns what the caller should do. */
static enum outcome run_once(const struct config *cfg, const char *accel, struct results *res,
			     char *kvm_reason, size_t kvm_reason_size)
{
	char path[4200];
	char **argv;
	FILE *serial;
	struct session s;
	struct session_opts so = {0};
	static struct linebuf lb;
	struct qemu q;
	bool stopped = false;
	int status;
	double t0;

	argv = cfg->host ? hostmode_conductor_argv(cfg) : cli_qemu_argv(cfg, accel, stderr);
	if (!argv)
		return OUTCOME_ERROR;
	/* Host mode: the conductor's output is what the serial console is here. */
	snprintf(path, sizeof(path), "%s/%s", cfg->results,
		 cfg->host ? "conductor.log" : "serial.log");
	serial = fopen(path, "w");
	if (!serial) {
		fprintf(stderr, "gntlab-runner: cannot write %s: %s\n", path, strerror(errno));
		cli_free_argv(argv);
		return OUTCOME_ERROR;
	}
	/* Line-buffered, so that serial.log can be followed while it grows. */
	setvbuf(serial, NULL, _IOLBF, 0);
	so.progress = stderr;
	so.verbose = cfg->verbose;
	so.serial = serial;
	so.logdir = cfg->results;
	so.watch_kvm = strcmp(accel, "kvm") == 0;
	snprintf(res->accel, sizeof(res->accel), "%s", accel);
	linebuf_init(&lb);

	print_cmdline(argv);
	t0 = now_s();
	session_init(&s, res, &so, t0);
	if (cfg->host) {
		/* No Xen or dom0 boot here; the guest's relayed "Linux version" is not one. */
		phase_reach(&res->phase, MS_XEN, t0);
		phase_reach(&res->phase, MS_LINUX, t0);
		/* A domain an earlier, killed run left would make the guest's creation fail. */
		hostmode_cleanup(cfg);
		feed_lines(&s, hostmode_begin_lines, 0, t0);
	}
	if (spawn_qemu(argv, &q) != 0) {
		fprintf(stderr, "gntlab-runner: cannot start %s: %s\n",
			cfg->host ? cfg->conductor : "QEMU", strerror(errno));
		cli_free_argv(argv);
		fclose(serial);
		session_free(&s);
		return OUTCOME_ERROR;
	}
	cli_free_argv(argv);
	if (cfg->host)
		fprintf(stderr, "[%6.1fs] conductor started (pid %d, libvirt %s)\n", 0.0,
			(int)q.pid, cfg->uri);
	else
		fprintf(stderr, "[%6.1fs] qemu started (pid %d, accel %s)\n", 0.0, (int)q.pid,
			accel);

	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = signal_pipe[0], .events = POLLIN},
			{.fd = q.fd, .events = POLLIN},
		};
		double now = now_s(), deadline;
		enum timeout_kind kind;
		int wait_ms;

		if (got_signal) {
			session_interrupted(&s, got_signal, now);
			stopped = true;
			break;
		}
		kind = phase_timeout(&res->phase, &cfg->to, now, &deadline);
		if (kind != TIMEOUT_NONE) {
			session_timeout(&s, kind, &cfg->to, now);
			stopped = true;
			break;
		}
		if (s.crashing) {
			if (now >= s.crash_at + cfg->crash_grace) {
				fprintf(stderr, "[%6.1fs] stopping QEMU after the crash\n",
					now - t0);
				stopped = true;
				break;
			}
			if (s.crash_at + cfg->crash_grace < deadline)
				deadline = s.crash_at + cfg->crash_grace;
		}
		if (s.kvm_failed) {
			stopped = true;
			break;
		}
		if (qemu_exited(&q))
			break;

		/* Wake up at the next deadline, and at least every 200 ms to look
		 * for an exit that left the pipe open (a straggler holding it). */
		wait_ms = (int)((deadline - now) * 1000) + 1;
		if (wait_ms > (q.eof ? 10 : 200))
			wait_ms = q.eof ? 10 : 200;
		if (wait_ms < 0)
			wait_ms = 0;
		if (poll(pfd, q.eof ? 1 : 2, wait_ms) < 0 && errno != EINTR) {
			fprintf(stderr, "gntlab-runner: poll: %s\n", strerror(errno));
			stopped = true;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			unsigned char c;

			while (read(signal_pipe[0], &c, 1) == 1)
				;
		}
		if (!q.eof && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			drain(&q, &lb, &s, 16);
			/*
			 * QEMU's UART writes the serial line one byte per
			 * write(2): reading as soon as anything was there woke
			 * this process ~2,400 times a second in a full run
			 * (1.05 s of its CPU; 0.11 s now; QEMU's own CPU did not
			 * measurably move). Let the output gather instead
			 * (RUNNER_GATHER_MS; a burst of
			 * 64 KiB, the pipe's size, in that time only makes QEMU
			 * wait that long). Line times stay within that bound.
			 */
			if (!q.eof && !got_signal)
				usleep(RUNNER_GATHER_MS * 1000);
		}
	}

	status = stopped ? stop_qemu(&q, &lb, &s) : reap_qemu(&q, &lb, &s);
	if (cfg->host) {
		/* What dom0's /init says after the conductor, in a QEMU run. */
		if (!stopped)
			feed_lines(&s, NULL, status, now_s());
		hostmode_cleanup(cfg);
	}
	session_qemu_exit(&s, status, stopped, now_s());

	if (so.watch_kvm && !s.dom0_spoke && !res->interrupted) {
		const char *how = "exit";

		if (res->crashed)
			how = "crash";
		else if (res->timed_out)
			how = "timeout";
		if (s.kvm_failed)
			snprintf(kvm_reason, kvm_reason_size, "%s", s.kvm_reason);
		else
			snprintf(kvm_reason, kvm_reason_size,
				 "QEMU with KVM ended (%s) before dom0's first marker", how);
		session_free(&s);
		fclose(serial);
		return OUTCOME_KVM_FAILED;
	}
	session_finish(&s, now_s());
	session_free(&s);
	if (fclose(serial) != 0) {
		fprintf(stderr, "gntlab-runner: error writing serial.log: %s\n", strerror(errno));
		return OUTCOME_ERROR;
	}
	return OUTCOME_DONE;
}

/*
 * The plan, announced before booting: on the console and as the head of
 * results.tap (rewritten with every result when the run ends).
 */
static int announce_plan(const struct config *cfg, const struct expect_list *e)
{
	char path[4200];
	FILE *f;

	fprintf(stderr, "[runner] %zu tests selected (list: %s)\n", e->n, e->path);
	snprintf(path, sizeof(path), "%s/results.tap", cfg->results);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gntlab-runner: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"TAP version 13\n1..%zu\n# %zu tests selected (list: %s); the run is in progress\n",
		e->n, e->n, e->path);
	return fclose(f) == 0 ? 0 : -1;
}

/* The listed tests that never reported, and those reported but not listed. */
static void hold_to_list(struct results *res, const struct expect_list *e)
{
	size_t missing = expect_apply(e, res);
	size_t unlisted = 0;
	char where[512];

	for (size_t i = 0; i < res->n; i++)
		unlisted += !res->tests[i].synthetic && !expect_has(e, res->tests[i].name);
	if (!missing && !unlisted)
		return;
	expect_where(res, where, sizeof(where));
	if (missing)
		fprintf(stderr, "[runner] %zu of %zu selected tests missing: %s\n", missing, e->n,
			where);
	for (size_t i = 0; i < res->n; i++)
		if (res->tests[i].missing)
			fprintf(stderr, "[runner]   not ok %s # %s\n", res->tests[i].name,
				res->tests[i].reason);
		else if (res->tests[i].status == TEST_ERROR && !res->tests[i].synthetic &&
			 !expect_has(e, res->tests[i].name))
			fprintf(stderr, "[runner]   not ok %s # ERROR %s\n", res->tests[i].name,
				res->tests[i].reason);
}

int main(int argc, char **argv)
{
	struct expect_list expect = {0};
	struct config cfg;
	struct results res;
	char note[512] = "", kvm_reason[300] = "";
	const char *accel;
	enum outcome out;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--compare") == 0)
		return hostmode_compare_main(argc, argv, stdout, stderr);
	if (argc >= 2 && strcmp(argv[1], "--verdicts") == 0)
		return hostmode_verdicts_main(argc, argv, stdout, stderr);
	rc = cli_parse(argc, argv, &cfg, stderr);
	if (rc != 0)
		return rc > 0 ? EXIT_PASS : EXIT_ENV;
	if (cfg.host) {
		int problems;

		if (!cfg.host_check && cli_check_env(&cfg, stderr) != 0)
			return EXIT_ENV;
		problems = hostmode_check(&cfg, stderr);
		if (problems) {
			fprintf(stderr,
				"gntlab-runner --host: refusing to run: %d thing%s missing "
				"(docs/hostmode.md)\n",
				problems, problems == 1 ? "" : "s");
			return EXIT_ENV;
		}
		if (cfg.host_check) {
			fprintf(stderr, "gntlab-runner --host: ready: dom0, the Xen drivers, "
					"xenstored and libvirt (%s)\n",
				cfg.uri);
			return EXIT_PASS;
		}
	}
	/* Fail on a bad module line before touching anything. */
	if (!cfg.host) {
		char *initrd = cli_initrd_arg(&cfg, stderr);

		if (!initrd)
			return EXIT_ENV;
		free(initrd);
	}
	if (!cfg.host && cli_check_env(&cfg, stderr) != 0)
		return EXIT_ENV;
	if (cfg.expect && expect_load(&expect, cfg.expect, stderr) != 0)
		return EXIT_ENV;
	if (setup_signals() != 0) {
		fprintf(stderr, "gntlab-runner: cannot set up signals: %s\n", strerror(errno));
		return EXIT_ENV;
	}
	if (prepare_results_dir(cfg.results) != 0 ||
	    (cfg.expect && announce_plan(&cfg, &expect) != 0)) {
		expect_free(&expect);
		return EXIT_ENV;
	}

	accel = cfg.host ? "host" : cfg.accel;
	if (strcmp(accel, "kvm") == 0 && !kvm_usable(kvm_reason, sizeof(kvm_reason))) {
		fprintf(stderr, "gntlab-runner: %s; using TCG\n", kvm_reason);
		snprintf(note, sizeof(note), "kvm requested; %s; used tcg", kvm_reason);
		accel = "tcg";
	}

	results_init(&res);
	out = run_once(&cfg, accel, &res, kvm_reason, sizeof(kvm_reason));
	if (out == OUTCOME_KVM_FAILED) {
		char from[4200], to[4200];

		fprintf(stderr,
			"gntlab-runner: %s; rerunning once with TCG (KVM log: serial-kvm.log)\n",
			kvm_reason);
		snprintf(note, sizeof(note),
			 "kvm requested; %s; reran with tcg (see serial-kvm.log)", kvm_reason);
		snprintf(from, sizeof(from), "%s/serial.log", cfg.results);
		snprintf(to, sizeof(to), "%s/serial-kvm.log", cfg.results);
		if (rename(from, to) != 0)
			fprintf(stderr, "gntlab-runner: cannot rename %s: %s\n", from,
				strerror(errno));
		results_free(&res);
		results_init(&res);
		out = run_once(&cfg, "tcg", &res, kvm_reason, sizeof(kvm_reason));
	}
	if (out == OUTCOME_ERROR) {
		results_free(&res);
		expect_free(&expect);
		return EXIT_ENV;
	}
	record_cmdlines(&cfg, &res);
	if (cfg.expect)
		hold_to_list(&res, &expect);
	expect_free(&expect);
	snprintf(res.accel_note, sizeof(res.accel_note), "%s", note);

	if (report_write_dir(cfg.results, &res) != 0) {
		results_free(&res);
		return EXIT_ENV;
	}
	{
		struct counts c = results_count(&res);
		bool passed = results_passed(&res);

		fprintf(stderr,
			"gntlab-runner: %s: pass %zu, fail %zu, skip %zu, error %zu, xfail %zu, "
			"xpass %zu, total %zu (%s)\n",
			passed ? "PASS" : "FAIL", c.pass, c.fail, c.skip, c.error, c.xfail, c.xpass,
			c.total, cfg.results);
		rc = res.interrupted ? EXIT_INTERRUPTED : passed ? EXIT_PASS : EXIT_FAIL;
	}
	results_free(&res);
	return rc;
}
