// SPDX-License-Identifier: GPL-2.0
/* Unit tests of cli.c: options, usage errors, the QEMU command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "unit.h"

static int parse(struct config *cfg, char **errtext, const char *const *args)
{
	char *argv[64];
	int argc = 0, rc;
	size_t len = 0;
	FILE *err = open_memstream(errtext, &len);

	argv[argc++] = "gntlab-runner";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	rc = cli_parse(argc, argv, cfg, err);
	fclose(err);
	return rc;
}

static char *join_argv(char **argv)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	for (char **p = argv; p && *p; p++)
		fprintf(f, "%s[%s]", p == argv ? "" : " ", *p);
	fclose(f);
	return buf;
}

/* The QEMU command line the defaults make, argument by argument. */
TEST(cli, defaults_and_argv)
{
	static const char *const args[] = {"--xen",	 "/b/xen",	  "--dom0-kernel",
					   "/b/vmlinuz", "--dom0-initrd", "/b/initrd",
					   "--results",	 "/b/r",	  NULL};
	struct config cfg;
	char *err = NULL, *joined;
	char **argv;

	EXPECT_EQ(parse(&cfg, &err, args), 0);
	EXPECT_STREQ(err, "");
	free(err);
	EXPECT_TRUE(cfg.to.boot == 120 && cfg.to.phase == 120 && cfg.to.total == 900);
	EXPECT_TRUE(cfg.crash_grace == 5);
	EXPECT_FALSE(cfg.verbose);
	argv = cli_qemu_argv(&cfg, cfg.accel, stderr);
	joined = join_argv(argv);
	EXPECT_STREQ(joined,
		     "[qemu-system-x86_64] [-accel] [tcg] [-cpu] [Nehalem] [-m] [3072] [-smp] "
		     "[2] [-display] [none] [-vga] [none] [-monitor] [none] [-serial] [stdio] "
		     "[-no-reboot] [-kernel] [/b/xen] [-append] [console=com1 com1=115200 "
		     "dom0_mem=1536M,max:1536M loglvl=all guest_loglvl=all xpti=no] [-initrd] "
		     "[/b/vmlinuz console=hvc0 earlyprintk=xen clocksource=xen tsc=reliable gntlab.ready=90,/b/initrd]");
	free(joined);
	cli_free_argv(argv);
}

/* xpti=no under TCG only, and never against the user's own xpti=. */
TEST(cli, xen_cmdline_xpti)
{
	struct config cfg = { .xen_args = "console=com1" };
	char *c;

	c = cli_xen_cmdline(&cfg, "tcg");
	EXPECT_STREQ(c, "console=com1 xpti=no");
	free(c);
	c = cli_xen_cmdline(&cfg, "kvm");
	EXPECT_STREQ(c, "console=com1");
	free(c);
	cfg.xen_args_add = "gnttab_max_frames=256";
	c = cli_xen_cmdline(&cfg, "tcg");
	EXPECT_STREQ(c, "console=com1 gnttab_max_frames=256 xpti=no");
	free(c);
	cfg.xen_args_add = "xpti=dom0=1";
	c = cli_xen_cmdline(&cfg, "tcg");
	EXPECT_STREQ(c, "console=com1 xpti=dom0=1");
	free(c);
	cfg.xen_args_add = NULL;
	cfg.xen_args = "xpti=yes console=com1";
	c = cli_xen_cmdline(&cfg, "tcg");
	EXPECT_STREQ(c, "xpti=yes console=com1");
	free(c);
	cfg.xen_args = "console=com1 noxpti=1"; /* not the option xpti= */
	c = cli_xen_cmdline(&cfg, "tcg");
	EXPECT_STREQ(c, "console=com1 noxpti=1 xpti=no");
	free(c);
}

/* Every option reaches the QEMU command line; --tests reaches dom0. */
TEST(cli, options)
{
	static const char *const args[] = {"--xen",	      "x",
					   "--dom0-kernel",   "k",
					   "--dom0-initrd",   "i",
					   "--results",	      "r",
					   "--xen-args",      "console=com1",
					   "--dom0-args",     "console=hvc0 quiet",
					   "--accel",	      "kvm",
					   "--cpu",	      "qemu64",
					   "--mem",	      "4096",
					   "--smp",	      "4",
					   "--qemu",	      "/opt/q",
					   "--timeout-boot",  "30",
					   "--timeout-phase", "2.5",
					   "--timeout-total", "60",
					   "--tests",	      "map/*",
					   "--verbose",	      NULL};
	struct config cfg;
	char *err = NULL, *joined;
	char **argv;

	EXPECT_EQ(parse(&cfg, &err, args), 0);
	free(err);
	EXPECT_TRUE(cfg.to.boot == 30 && cfg.to.phase == 2.5 && cfg.to.total == 60);
	EXPECT_TRUE(cfg.to.after_end == 2.5); /* never longer than a phase */
	EXPECT_TRUE(cfg.verbose);
	argv = cli_qemu_argv(&cfg, "kvm", stderr);
	joined = join_argv(argv);
	EXPECT_STREQ(joined, "[/opt/q] [-accel] [kvm] [-cpu] [qemu64] [-m] [4096] [-smp] [4] "
			     "[-display] [none] [-vga] [none] [-monitor] [none] [-serial] [stdio] "
			     "[-no-reboot] [-kernel] [x] [-append] [console=com1] [-initrd] "
			     "[k console=hvc0 quiet gntlab.ready=1 gntlab.tests=map/*,i]");
	free(joined);
	cli_free_argv(argv);
}

static void check_usage_error(const char *const *args, const char *message)
{
	struct config cfg;
	char *err = NULL;

	EXPECT_EQ(parse(&cfg, &err, args), -1);
	EXPECT_HAS(err, message);
	free(err);
}

/*
 * Usage errors are refused with a reason; a comma in dom0's command line
 * would silently cut it (QEMU module separator), the Xen one may have commas.
 */
TEST(cli, errors)
{
	struct config cfg;
	char *err = NULL;
	size_t len;
	FILE *f;

#define BASE "--xen", "x", "--dom0-kernel", "k", "--dom0-initrd", "i", "--results", "r"
	check_usage_error((const char *const[]){"--dom0-kernel", "k", "--dom0-initrd", "i",
						"--results", "r", NULL},
			  "--xen is required");
	check_usage_error((const char *const[]){BASE, "--accel", "hvf", NULL},
			  "--accel is tcg or kvm");
	check_usage_error((const char *const[]){BASE, "--mem", "lots", NULL},
			  "--mem wants a positive integer");
	check_usage_error((const char *const[]){BASE, "--smp", "0", NULL},
			  "--smp wants a positive integer");
	check_usage_error((const char *const[]){BASE, "--timeout-boot", "-1", NULL},
			  "--timeout-boot wants a positive number");
	check_usage_error((const char *const[]){BASE, "--bogus", NULL}, "--bogus");
	check_usage_error((const char *const[]){BASE, "extra", NULL},
			  "unexpected argument 'extra'");
	check_usage_error((const char *const[]){BASE, "--tests", "a b", NULL},
			  "no spaces or commas");
	check_usage_error((const char *const[]){BASE, "--tests", "a,b", NULL},
			  "no spaces or commas");
	check_usage_error((const char *const[]){BASE, "--xen", NULL}, "--xen");

	/* A comma in the dom0 command line would end the module: refused. */
	EXPECT_EQ(parse(&cfg, &err, (const char *const[]){BASE, "--dom0-args", "a=1,2", NULL}), 0);
	free(err);
	err = NULL;
	f = open_memstream(&err, &len);
	EXPECT_TRUE(cli_qemu_argv(&cfg, "tcg", f) == NULL);
	fclose(f);
	EXPECT_HAS(err, "contains a comma");
	free(err);
	/* The Xen command line may have commas (dom0_mem=...,max:...). */
	EXPECT_EQ(parse(&cfg, &err, (const char *const[]){BASE, "--xen-args", "a=1,2", NULL}), 0);
	free(err);
	f = open_memstream(&err, &len);
	cli_free_argv(cli_qemu_argv(&cfg, "tcg", f));
	fclose(f);
	EXPECT_STREQ(err, "");
	free(err);
#undef BASE
}

/* QEMU is looked up on PATH like a shell would, and must be executable. */
TEST(cli, find_program)
{
	char out[4096];
	const char *saved = getenv("PATH");
	char *copy = saved ? strdup(saved) : NULL;

	setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
	EXPECT_TRUE(cli_find_program("sh", out, sizeof(out)));
	EXPECT_TRUE(strcmp(out, "/bin/sh") == 0 || strcmp(out, "/usr/bin/sh") == 0);
	EXPECT_FALSE(cli_find_program("gntlab-no-such-program", out, sizeof(out)));
	EXPECT_TRUE(cli_find_program("/bin/sh", out, sizeof(out)));
	EXPECT_FALSE(cli_find_program("/etc/passwd", out, sizeof(out))); /* not executable */
	EXPECT_FALSE(cli_find_program("/etc", out, sizeof(out)));	 /* not a file */
	if (copy)
		setenv("PATH", copy, 1);
	free(copy);
}
