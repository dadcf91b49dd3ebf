// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-inspect: the command line (Makefile glue; README "Bring your own
 * Xen and kernel"). Exit 0 ok, 2 refused (the message names the file).
 *
 *   xen     --in SRC [--out IMG] [--info F]    validate XEN=, stage it
 *   kernel  --role R --var V --in SRC [--staged ELF] [--kbuild DIR
 *           [--kbuild-var V]] [--out IMG] [--info F]
 *   kbuild  --dir DIR [--var V] --out F         a build tree's release and hashes
 *   kmods   --kbuild DIR [--var V] --kernel-info F --out-dir D --list F NAME...
 *   modroot --kbuild DIR [--var V] --kernel-info F --out F
 *   module  --in KO --release R                 vermagic check
 *   preflight --xen-info F --dom0-info F --guest-info F --module KO --kbuild F
 *   summary --info F...                         lines for summary.txt
 *   show    FILE                                what a file is
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

struct args {
	const char *in, *out, *info, *role, *var, *staged, *kbuild, *kbuild_var, *kernel_info;
	const char *out_dir, *list, *release, *dir, *module;
	const char *xen_info, *dom0_info, *guest_info;
	const char *infos[8];
	int ninfos;
	char **rest;
	int nrest;
};

static int usage(void)
{
	fprintf(stderr, "usage: gntlab-inspect xen|kernel|kbuild|kmods|modroot|module|preflight|"
			"summary|show ... (see tools/inspect/main.c)\n");
	return 2;
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct {
		const char *opt;
		size_t off;
	} opts[] = {
#define O(name, field) {name, offsetof(struct args, field)}
		O("--in", in), O("--out", out), O("--info", info), O("--role", role),
		O("--var", var), O("--staged", staged), O("--kbuild", kbuild),
		O("--kbuild-var", kbuild_var), O("--kernel-info", kernel_info),
		O("--out-dir", out_dir), O("--list", list), O("--release", release),
		O("--dir", dir), O("--module", module), O("--xen-info", xen_info),
		O("--dom0-info", dom0_info), O("--guest-info", guest_info),
#undef O
	};

	memset(a, 0, sizeof(*a));
	a->rest = argv;
	for (int i = 0; i < argc; i++) {
		bool known = false;

		if (strcmp(argv[i], "--info") == 0 && i + 1 < argc && a->ninfos < 8)
			a->infos[a->ninfos++] = argv[i + 1];
		for (size_t j = 0; j < sizeof(opts) / sizeof(opts[0]); j++) {
			if (strcmp(argv[i], opts[j].opt) != 0)
				continue;
			if (i + 1 >= argc) {
				fprintf(stderr, "gntlab-inspect: %s needs a value\n", argv[i]);
				return -1;
			}
			*(const char **)((char *)a + opts[j].off) = argv[++i];
			known = true;
		}
		if (!known) {
			if (argv[i][0] == '-' && argv[i][1] == '-') {
				fprintf(stderr, "gntlab-inspect: unknown option %s\n", argv[i]);
				return -1;
			}
			a->rest[a->nrest++] = argv[i];
		}
	}
	return 0;
}

static int refuse(const struct ierr *e)
{
	fprintf(stderr, "gntlab-inspect: %s\n", e->msg);
	return 2;
}

static int write_info(const char *path, const struct info *in)
{
	struct ierr e;

	if (!path) {
		fputs(in->text, stdout);
		return 0;
	}
	return file_replace(path, in->text, in->len, &e) < 0 ? refuse(&e) : 0;
}

/* An info file's text, or a refusal naming it. */
static char *info_file(const char *path, const char *what)
{
	char *t = path ? text_read(path) : NULL;

	if (!t)
		fprintf(stderr, "gntlab-inspect: %s: cannot read %s (stage it first)\n",
			path ? path : "(none)", what);
	return t;
}

static int cmd_xen(struct args *a)
{
	struct info in = {0};
	struct ierr e;

	if (xen_stage(a->in, a->out, &in, &e) != 0)
		return refuse(&e);
	return write_info(a->info, &in);
}

static int cmd_kernel(struct args *a)
{
	struct kernel_opts o = {
		.role = a->role ? a->role : "guest",
		.var = a->var ? a->var : "kernel",
		.src = a->in,
		.staged = a->staged,
		.kbuild = a->kbuild,
		.kbuild_var = a->kbuild_var,
		.out = a->out,
	};
	struct info in = {0};
	struct ierr e;

	if (kernel_stage(&o, &in, &e) != 0)
		return refuse(&e);
	return write_info(a->info, &in);
}

static int cmd_kbuild(struct args *a)
{
	struct info in = {0};
	struct ierr e;

	if (kbuild_describe(a->dir, a->var ? a->var : "KERNEL_BUILD", &in, &e) != 0)
		return refuse(&e);
	return write_info(a->out, &in);
}

static int cmd_kmods(struct args *a)
{
	char rel[256], list[2048];
	char *ki = info_file(a->kernel_info, "the kernel's info");
	struct ierr e;
	int rc;

	if (!ki)
		return 2;
	rc = info_get(ki, "release", rel, sizeof(rel));
	free(ki);
	if (rc != 0 || !a->out_dir || !a->list)
		return usage();
	if (kmods_stage(a->kbuild, a->var ? a->var : "KERNEL_BUILD", rel, a->out_dir,
			(const char *const *)a->rest, a->nrest, list, sizeof(list), &e) != 0)
		return refuse(&e);
	strcat(list, "\n");
	return file_replace(a->list, list, strlen(list), &e) < 0 ? refuse(&e) : 0;
}

static int cmd_modroot(struct args *a)
{
	char rel[256], mods[4200], dep[4300], text[4600];
	const char *var = a->var ? a->var : "DOM0_KERNEL_BUILD";
	char *ki = info_file(a->kernel_info, "the kernel's info");
	size_t ml, sl;
	struct ierr e;
	int rc;

	if (!ki)
		return 2;
	rc = info_get(ki, "release", rel, sizeof(rel));
	free(ki);
	if (rc != 0 || !a->out)
		return usage();
	modules_dir(a->kbuild, rel, mods, sizeof(mods));
	snprintf(dep, sizeof(dep), "%s/modules.dep", mods);
	if (!mods[0] || !path_is_file(dep)) {
		ierr_set(&e, "%s=%s: no installed modules of Linux %s (lib/modules/%s with "
			     "modules.dep) below or beside it: install them there (make "
			     "modules_install INSTALL_MOD_PATH=%s)", var, a->kbuild ? a->kbuild : "",
			 rel, rel, a->kbuild ? a->kbuild : "<dir>");
		return refuse(&e);
	}
	/* The root below which lib/modules/<release> is. */
	ml = strlen(mods);
	sl = strlen("/lib/modules/") + strlen(rel);
	if (ml <= sl) {
		ierr_set(&e, "%s: unexpected modules path", mods);
		return refuse(&e);
	}
	snprintf(text, sizeof(text), "%.*s\n%s\n", (int)(ml - sl), mods, rel);
	return file_replace(a->out, text, strlen(text), &e) < 0 ? refuse(&e) : 0;
}

static int cmd_module(struct args *a)
{
	struct ierr e;

	if (!a->in || !a->release)
		return usage();
	if (module_check(a->in, a->release, &e) != 0)
		return refuse(&e);
	printf("%s: built for %s\n", a->in, a->release);
	return 0;
}

static int cmd_preflight(struct args *a)
{
	char *xi = info_file(a->xen_info, "Xen's info"), *di = info_file(a->dom0_info, "dom0's info");
	char *gi = info_file(a->guest_info, "the guest kernel's info");
	char *kb = info_file(a->kbuild, "the guest kernel build's info");
	char grel[256] = "", krel[256] = "", kdir[4096] = "", v[3][256];
	struct ierr e;
	int rc = 2;

	if (!xi || !di || !gi || !kb || !a->module)
		goto out;
	info_get(gi, "release", grel, sizeof(grel));
	info_get(kb, "release", krel, sizeof(krel));
	info_get(kb, "dir", kdir, sizeof(kdir));
	if (strcmp(grel, krel) != 0) {
		ierr_set(&e, "KERNEL_BUILD=%s is the build of Linux %s, but the guest kernel is %s: "
			     "gntlab.ko would be built for another kernel", kdir, krel, grel);
		refuse(&e);
		goto out;
	}
	if (module_check(a->module, grel, &e) != 0) {
		refuse(&e);
		goto out;
	}
	info_get(xi, "version", v[0], sizeof(v[0]));
	info_get(di, "release", v[1], sizeof(v[1]));
	printf("[preflight] Xen %s, dom0 Linux %s, guest Linux %s with gntlab.ko built for it\n",
	       v[0], v[1], grel);
	rc = 0;
out:
	free(xi), free(di), free(gi), free(kb);
	return rc;
}

/* summary.txt: one line per image. */
static int cmd_summary(struct args *a)
{
	static const char *const keys[] = {"source", "kind", "version", "release", "build-id",
					   "image-sha256", "config-sha256"};

	for (int i = 0; i < a->ninfos; i++) {
		char *t = info_file(a->infos[i], "an info file");
		char role[64], val[4096];

		if (!t)
			return 2;
		info_get(t, "role", role, sizeof(role));
		printf("%s-image:", role);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (info_get(t, keys[k], val, sizeof(val)) != 0)
				continue;
			if (strcmp(keys[k], "version") == 0 && strcmp(role, "xen") != 0)
				continue; /* the kernels: the release says it */
			printf(" %s=%s", keys[k], val);
		}
		printf("\n");
		free(t);
	}
	return 0;
}

static int cmd_show(struct args *a)
{
	struct info in = {0};
	struct ierr e;
	struct blob b;

	if (a->nrest != 1)
		return usage();
	if (blob_read(a->rest[0], &b, &e) != 0)
		return refuse(&e);
	if (multiboot1_offset(b.data, b.len) >= 0) {
		blob_free(&b);
		if (xen_stage(a->rest[0], NULL, &in, &e) != 0)
			return refuse(&e);
	} else {
		char v[256];
		struct kernel_opts o = {.role = "guest", .var = "file", .src = a->rest[0]};

		if (elf_modinfo(b.data, b.len, "vermagic", v, sizeof(v)) == 0) {
			printf("module %s\nvermagic %s\n", a->rest[0], v);
			blob_free(&b);
			return 0;
		}
		blob_free(&b);
		if (kernel_stage(&o, &in, &e) != 0)
			return refuse(&e);
	}
	fputs(in.text, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct args *);
	} cmds[] = {
		{"xen", cmd_xen},	  {"kernel", cmd_kernel},	{"kbuild", cmd_kbuild},
		{"kmods", cmd_kmods},	  {"modroot", cmd_modroot},	{"module", cmd_module},
		{"preflight", cmd_preflight}, {"summary", cmd_summary}, {"show", cmd_show},
	};
	struct args a;

	if (argc < 2)
		return usage();
	if (parse(argc - 2, argv + 2, &a) != 0)
		return 2;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(&a);
	return usage();
}
