// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hostmode.c (gntlab-runner --host): its refusals on a fake
 * root (no dom0, a domU, no drivers, no xenstored, no libvirt, not root),
 * the comparison of two runs, and the whole host mode end to end with a
 * fake conductor and a fake virsh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hostmode.h"
#include "unit.h"

/* A fake virsh: "uri" answers (or fails with $1's message), "destroy" finds nothing. */
static char *fake_virsh(const char *dir, const char *fail)
{
	char *path = NULL, *text = NULL;

	if (asprintf(&path, "%s/virsh", dir) < 0 ||
	    asprintf(&text,
		     "#!/bin/sh\n"
		     "case \"$3\" in\n"
		     "uri) %s ;;\n"
		     "destroy) echo \"error: failed to get domain '$4'\" >&2; exit 1 ;;\n"
		     "esac\n",
		     fail ? fail : "echo \"$2\"") < 0)
		abort();
	ut_write_file(path, text);
	chmod(path, 0755);
	free(text);
	return path;
}

/* A fake dom0 under root: capabilities, the devices, a listening xenstored socket. */
static int fake_dom0(const char *root, const char *caps, bool devices, bool xenstored)
{
	char path[4200];
	int fd = -1;

	snprintf(path, sizeof(path), "mkdir -p '%s/proc/xen' '%s/dev/xen' '%s/run/xenstored'", root,
		 root, root);
	EXPECT_EQ(system(path), 0);
	if (caps) {
		snprintf(path, sizeof(path), "%s/proc/xen/capabilities", root);
		ut_write_file(path, caps);
	}
	if (devices)
		for (size_t i = 0; i < hostmode_ndevices; i++) {
			snprintf(path, sizeof(path), "%s%s", root, hostmode_devices[i].what);
			ut_write_file(path, "");
		}
	if (xenstored) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/run/xenstored/socket", root);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		EXPECT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0) TH_MSG("%s", sa.sun_path);
		EXPECT_EQ(listen(fd, 4), 0);
	}
	return fd;
}

/* hostmode_check on cfg; its messages in *msg. */
static int check(struct config *cfg, char **msg)
{
	size_t len = 0;
	FILE *f = open_memstream(msg, &len);
	int n = hostmode_check(cfg, f);

	fclose(f);
	return n;
}

static void host_cfg(struct config *cfg, const char *root, const char *virsh)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->host = true;
	cfg->host_root = root;
	cfg->virsh = virsh;
	cfg->uri = "xen:///system";
	cfg->host_euid = 0;
}

TH_DOC(hostmode, ready,
       "A dom0 with control_d, the four Xen devices, a xenstored that accepts connections and a "
       "libvirt that answers: no problem reported.")
TEST(hostmode, ready)
{
	char *root = ut_tmpdir("root"), *virsh = fake_virsh(root, NULL), *msg = NULL;
	struct config cfg;
	int fd = fake_dom0(root, "control_d\n", true, true);

	host_cfg(&cfg, root, virsh);
	EXPECT_EQ(check(&cfg, &msg), 0);
	EXPECT_STREQ(msg, "");
	close(fd);
	free(msg);
	free(virsh);
	free(root);
}

TH_DOC(hostmode, refusals,
       "Each missing piece is refused with a line naming it and how to get it: not root, not "
       "under Xen, a domU (no control_d), a missing driver, xenstored not running, libvirt not "
       "answering, virsh not installed.")
TEST(hostmode, refusals)
{
	char *root = ut_tmpdir("root"), *msg = NULL;
	char *virsh = fake_virsh(root, "echo 'error: failed to connect to the hypervisor' >&2; exit 1");
	struct config cfg;
	int fd;

	host_cfg(&cfg, root, virsh);
	/* Nothing at all: not in a dom0 (and nothing else is listed). */
	EXPECT_EQ(check(&cfg, &msg), 1);
	EXPECT_HAS(msg, "gntlab-runner --host: not in a Xen dom0: cannot read ");
	EXPECT_HAS(msg, "/proc/xen/capabilities (No such file or directory)");
	free(msg);
	/* A domU: capabilities without control_d; and not root. */
	fake_dom0(root, "\n", false, false);
	cfg.host_euid = 1000;
	EXPECT_EQ(check(&cfg, &msg), 2);
	EXPECT_HAS(msg, "not root (euid 1000)");
	EXPECT_HAS(msg, "says '', not control_d (this is a guest domain");
	free(msg);
	/* dom0, but no drivers, no xenstored, libvirt failing. */
	cfg.host_euid = 0;
	fake_dom0(root, "control_d\n", false, false);
	EXPECT_EQ(check(&cfg, &msg), 6);
	EXPECT_HAS(msg, "driver xen-gntdev missing: no ");
	EXPECT_HAS(msg, "/dev/xen/gntdev (modprobe xen-gntdev)");
	EXPECT_HAS(msg, "driver xen-privcmd missing");
	EXPECT_HAS(msg, "/proc/xen/privcmd (modprobe xen-privcmd)");
	EXPECT_HAS(msg, "xenstored is not running: ");
	EXPECT_HAS(msg, "/run/xenstored/socket does not exist");
	EXPECT_HAS(msg, "libvirt does not answer at xen:///system: error: failed to connect to "
			"the hypervisor (start libvirtd");
	free(msg);
	/* The drivers and xenstored there; no virsh at all. */
	fd = fake_dom0(root, "control_d\n", true, true);
	cfg.virsh = "/nonexistent/virsh";
	EXPECT_EQ(check(&cfg, &msg), 1);
	EXPECT_HAS(msg, "libvirt's client '/nonexistent/virsh' not found (install libvirt-clients)");
	EXPECT_LACKS(msg, "driver");
	free(msg);
	close(fd);
	free(virsh);
	free(root);
}

TH_DOC(hostmode, stale_xenstored,
       "A xenstored socket that no longer accepts connections is not a running xenstored.")
TEST(hostmode, stale_xenstored)
{
	char *root = ut_tmpdir("root"), *virsh = fake_virsh(root, NULL), *msg = NULL;
	struct config cfg;
	int fd = fake_dom0(root, "control_d\n", true, true);

	close(fd);
	host_cfg(&cfg, root, virsh);
	EXPECT_EQ(check(&cfg, &msg), 1);
	EXPECT_HAS(msg, "/run/xenstored/socket does not accept connections");
	free(msg);
	free(virsh);
	free(root);
}

static void load(struct tap_set *s, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	EXPECT_EQ(tap_set_parse(s, f), 0);
	fclose(f);
}

TH_DOC(hostmode, compare,
       "Two results.tap name the same tests with the same verdicts, order, reasons and "
       "diagnostics aside; each other difference (a verdict, a test only on one side) is one "
       "line; ignored prefixes (hostmode/) do not count.")
TEST(hostmode, compare)
{
	static const char qemu[] = "TAP version 13\n1..5\n# diag\n"
				   "ok 1 - boot/dom0-setup\n"
				   "ok 2 - m2p/a # SKIP no gntdev\n"
				   "not ok 3 - gup/b # TODO XSA-1 Oops in gntdev\n"
				   "not ok 4 - gup/c # ERROR broken\n"
				   "ok 5 - hostmode/run # fine\n"
				   "# totals: pass 1\n";
	static const char same[] = "not ok 1 - gup/b # TODO\n"
				   "ok 2 - m2p/a # SKIP\n"
				   "not ok 3 - gup/c # ERROR\n"
				   "ok 4 - boot/dom0-setup # host mode\n";
	static const char other[] = "ok 1 - boot/dom0-setup\n"
				    "ok 2 - m2p/a\n"
				    "not ok 3 - gup/b # TODO x\n"
				    "ok 4 - gup/d\n";
	struct tap_set a, b, c;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	load(&a, qemu);
	load(&b, same);
	load(&c, other);
	EXPECT_EQ(a.n, 5);
	static const char *const ignore[] = {"hostmode/", NULL};

	f = open_memstream(&out, &len);
	EXPECT_EQ(hostmode_compare(&a, "qemu", &b, "host", ignore, f), 0);
	EXPECT_EQ(hostmode_compare(&a, "qemu", &b, "host", NULL, f), 1);
	fclose(f);
	EXPECT_STREQ(out, "only in qemu: hostmode/run (PASS)\n");
	free(out);
	f = open_memstream(&out, &len);
	EXPECT_EQ(hostmode_compare(&a, "qemu", &c, "host", ignore, f), 3);
	fclose(f);
	EXPECT_STREQ(out, "verdict differs: m2p/a is SKIP in qemu, PASS in host\n"
			  "only in qemu: gup/c (ERROR)\n"
			  "only in host: gup/d (PASS)\n");
	free(out);
	/* The verdicts-only TAP reads back as the same verdicts. */
	f = open_memstream(&out, &len);
	tap_set_write_verdicts(&a, f);
	fclose(f);
	EXPECT_STREQ(out, "ok 1 - boot/dom0-setup\n"
			  "ok 2 - m2p/a # SKIP\n"
			  "not ok 3 - gup/b # TODO\n"
			  "not ok 4 - gup/c # ERROR\n"
			  "ok 5 - hostmode/run\n");
	tap_set_free(&b);
	load(&b, out);
	f = open_memstream(&out, &len);
	EXPECT_EQ(hostmode_compare(&a, "a", &b, "b", NULL, f), 0);
	fclose(f);
	free(out);
	tap_set_free(&a);
	tap_set_free(&b);
	tap_set_free(&c);
}

TH_DOC(hostmode, end_lines,
       "What the runner reports after the conductor, as dom0's /init does in a QEMU run: "
       "program/gntlab-conductor ok for exit 0 and 1, ERROR for another status or a signal; "
       "GNTLAB-END with the status.")
TEST(hostmode, end_lines)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	hostmode_end_lines(f, 1 << 8);
	hostmode_end_lines(f, 3 << 8);
	hostmode_end_lines(f, 9);
	fclose(f);
	EXPECT_STREQ(out, "GNTLAB-TAP ok program/gntlab-conductor\n"
			  "GNTLAB-END 1\n"
			  "GNTLAB-TAP not ok program/gntlab-conductor # ERROR exited with status 3\n"
			  "GNTLAB-END 3\n"
			  "GNTLAB-TAP not ok program/gntlab-conductor # ERROR exited on signal 9 "
			  "(Killed)\n"
			  "GNTLAB-END 137\n");
	free(out);
}

TH_DOC(hostmode, cli,
       "--host wants --results, --conductor, --guest-kernel and --guest-initrd (not QEMU's "
       "files); gntlab-tool defaults to beside the conductor; a filter with commas is fine; "
       "--check alone needs nothing else, and goes only with --host.")
TEST(hostmode, cli)
{
	static const char *const ok[] = {"gntlab-runner", "--host", "--results", "r",
					 "--conductor", "/b/dom0/gntlab-conductor",
					 "--guest-kernel", "k", "--guest-initrd", "i",
					 "--tests", "m2p/*,gup/*", NULL};
	static const char *const missing[] = {"gntlab-runner", "--host", "--results", "r", NULL};
	static const char *const check_only[] = {"gntlab-runner", "--host", "--check", NULL};
	static const char *const check_no_host[] = {"gntlab-runner", "--check", NULL};
	struct config cfg;
	char *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&err, &len);

	EXPECT_EQ(cli_parse(12, (char **)ok, &cfg, f), 0);
	EXPECT_STREQ(cfg.tool, "/b/dom0/gntlab-tool");
	EXPECT_STREQ(cfg.uri, "xen:///system");
	EXPECT_STREQ(cfg.tests, "m2p/*,gup/*");
	EXPECT_EQ(cli_parse(4, (char **)missing, &cfg, f), -1);
	EXPECT_EQ(cli_parse(3, (char **)check_only, &cfg, f), 0);
	EXPECT_TRUE(cfg.host_check);
	EXPECT_EQ(cli_parse(2, (char **)check_no_host, &cfg, f), -1);
	fclose(f);
	EXPECT_HAS(err, "--conductor is required with --host\n");
	EXPECT_HAS(err, "--guest-initrd is required with --host\n");
	EXPECT_LACKS(err, "--xen is required");
	EXPECT_HAS(err, "--check goes with --host\n");
	free(err);
}

/* ---- end to end: the real runner, a fake conductor, a fake virsh ---- */

static char *host_e2e(const char *dir, const char *conductor_body, const char *extra, int *rc)
{
	char path[4200], *cmd = NULL, *virsh = fake_virsh(dir, NULL);
	char *root;
	int fd;

	if (asprintf(&root, "%s/root", dir) < 0)
		abort();
	fd = fake_dom0(root, "control_d\n", true, true);
	snprintf(path, sizeof(path), "%s/conductor", dir);
	ut_write_file(path, conductor_body);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/kernel", dir);
	ut_write_file(path, "kernel");
	snprintf(path, sizeof(path), "%s/initrd", dir);
	ut_write_file(path, "initrd");
	if (asprintf(&cmd,
		     "'%s' --host --host-root '%s' --virsh '%s' --results '%s/results' "
		     "--conductor '%s/conductor' --tool '%s/conductor' --guest-kernel '%s/kernel' "
		     "--guest-initrd '%s/initrd' --timeout-phase 10 %s >'%s/err' 2>&1",
		     ut_runner, root, virsh, dir, dir, dir, dir, dir, extra, dir) < 0)
		abort();
	*rc = system(cmd);
	*rc = WIFEXITED(*rc) ? WEXITSTATUS(*rc) : 128;
	free(cmd);
	free(virsh);
	free(root);
	close(fd);
	snprintf(path, sizeof(path), "%s/results/results.tap", dir);
	return ut_slurp(path);
}

static const char good_conductor[] =
	"#!/bin/sh\n"
	"echo \"args: $*\" >&2\n"
	"echo 'GNTLAB-PHASE dom0-ready'\n"
	"echo 'GNTLAB-PHASE guest-start'\n"
	"echo 'GNTLAB-LOG run guest gntlab-guest1: kernel=k initrd=i'\n"
	"echo 'GNTLAB-PHASE guest-ready'\n"
	"echo 'GNTLAB-PHASE tests'\n"
	"echo 'GNTLAB-DIAG mapping 4 refs'\n"
	"echo 'GNTLAB-TAP ok m2p/a'\n"
	"echo 'GNTLAB-TAP ok gup/b # SKIP no such thing'\n"
	"echo 'GNTLAB-LOG guest [    0.000000] Linux version 6.1'\n"
	"echo 'GNTLAB-PHASE tests-done'\n"
	"exit 0\n";

TH_DOC(hostmode, e2e_pass,
       "gntlab-runner --host on a fake dom0 with a fake conductor: boot/dom0-setup, the "
       "conductor's tests and program/gntlab-conductor in results.tap, its output in "
       "conductor.log (no serial.log), guest.log and manifest.txt written, exit 0; the list "
       "(--expect) holds.")
TEST_TIMEOUT(hostmode, e2e_pass, 60)
{
	char *dir, *tap, *s, path[4200];
	int rc;

	ut_need_runner();
	dir = ut_tmpdir("host");
	snprintf(path, sizeof(path), "%s/expected", dir);
	ut_write_file(path, "boot/dom0-setup\nm2p/a\ngup/b\nprogram/gntlab-conductor\n");
	snprintf(path, sizeof(path), "--tests 'm2p/*,gup/*' --expect '%s/expected'", dir);
	tap = host_e2e(dir, good_conductor, path, &rc);
	EXPECT_EQ(rc, 0);
	EXPECT_HAS(tap, "TAP version 13\n1..4\n# 4 tests selected (list: ");
	EXPECT_HAS(tap, "expected), 0 missing\n"
			 "# host mode: dom0, drivers, xenstored and libvirt checked by the runner\n"
			 "ok 1 - boot/dom0-setup\n"
			 "# mapping 4 refs\n"
			 "ok 2 - m2p/a\n"
			 "ok 3 - gup/b # SKIP no such thing\n"
			 "ok 4 - program/gntlab-conductor\n"
			 "# totals: pass 3, fail 0, skip 1, error 0, xfail 0, xpass 0, total 4\n");
	snprintf(path, sizeof(path), "%s/results/conductor.log", dir);
	s = ut_slurp(path);
	EXPECT_HAS(s, "args: --kernel ");
	EXPECT_HAS(s, "--uri xen:///system --tool ");
	EXPECT_HAS(s, "--tests m2p/*,gup/*\n");
	EXPECT_HAS(s, "GNTLAB-TAP ok m2p/a\n");
	free(s);
	snprintf(path, sizeof(path), "%s/results/serial.log", dir);
	EXPECT_EQ(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/results/guest.log", dir);
	s = ut_slurp(path);
	EXPECT_STREQ(s, "[    0.000000] Linux version 6.1\n");
	free(s);
	snprintf(path, sizeof(path), "%s/results/manifest.txt", dir);
	s = ut_slurp(path);
	EXPECT_HAS(s, "mode host (gntlab-runner --host, no QEMU)\n");
	EXPECT_HAS(s, "/kernel sha256 ");
	free(s);
	snprintf(path, sizeof(path), "%s/results/summary.txt", dir);
	s = ut_slurp(path);
	EXPECT_HAS(s, "verdict: PASS\n");
	EXPECT_HAS(s, "accel: host\n");
	EXPECT_HAS(s, "conductor: exited with status 0\n");
	EXPECT_HAS(s, "seconds since the conductor's start");
	/* The guest's relayed "Linux version" is not a dom0 boot. */
	EXPECT_HAS(s, "  dom0-kernel         0.0 s\n");
	free(s);
	/* --compare of a run with itself; with a different file. */
	snprintf(path, sizeof(path),
		 "'%s' --compare '%s/results/results.tap' '%s/results/results.tap' >'%s/cmp'",
		 ut_runner, dir, dir, dir);
	EXPECT_EQ(system(path), 0);
	snprintf(path, sizeof(path), "%s/other.tap", dir);
	ut_write_file(path, "ok 1 - m2p/a\nnot ok 2 - gup/b\n");
	snprintf(path, sizeof(path),
		 "'%s' --compare '%s/results/results.tap' '%s/other.tap' --ignore boot/ "
		 "--ignore program/ >'%s/cmp'",
		 ut_runner, dir, dir, dir);
	EXPECT_EQ(WEXITSTATUS(system(path)), 1);
	snprintf(path, sizeof(path), "%s/cmp", dir);
	s = ut_slurp(path);
	EXPECT_HAS(s, "verdict differs: gup/b is SKIP in ");
	EXPECT_HAS(s, "1 difference between ");
	free(s);
	free(tap);
	free(dir);
}

TH_DOC(hostmode, e2e_conductor_dies,
       "A conductor that dies on a signal: program/gntlab-conductor is an ERROR naming it and "
       "the run fails (exit 1); a refusal (a domU) stops before anything runs (exit 2).")
TEST_TIMEOUT(hostmode, e2e_conductor_dies, 60)
{
	char *dir, *tap, *err, path[4200];
	int rc;

	ut_need_runner();
	dir = ut_tmpdir("host");
	tap = host_e2e(dir,
		       "#!/bin/sh\necho 'GNTLAB-PHASE dom0-ready'\necho 'GNTLAB-TAP ok m2p/a'\n"
		       "kill -SEGV $$\n",
		       "", &rc);
	EXPECT_EQ(rc, 1);
	EXPECT_HAS(tap, "ok 2 - m2p/a\n");
	EXPECT_HAS(tap, "not ok 3 - program/gntlab-conductor # ERROR exited on signal 11");
	free(tap);
	/* Not under Xen at all (a later --host-root wins over host_e2e's fake dom0). */
	snprintf(path, sizeof(path), "rm -rf '%s/results' '%s/root'", dir, dir);
	EXPECT_EQ(system(path), 0);
	tap = host_e2e(dir, good_conductor, "--host-root /nonexistent", &rc);
	EXPECT_EQ(rc, 2);
	EXPECT_TRUE(tap == NULL);
	snprintf(path, sizeof(path), "%s/err", dir);
	err = ut_slurp(path);
	EXPECT_HAS(err, "gntlab-runner --host: not in a Xen dom0: cannot read "
			"/nonexistent/proc/xen/capabilities");
	EXPECT_HAS(err, "refusing to run: 1 thing missing (docs/hostmode.md)");
	free(err);
	free(dir);
}
