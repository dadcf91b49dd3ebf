// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-inspect: the checks behind each variable of "bring your own"
 * (XEN=, DOM0_KERNEL=, GUEST_KERNEL=, KERNEL_BUILD=). Each refuses with
 * one line naming the variable, the file and what is wrong with it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

/* Xen's PV ELF note types (xen/include/public/elfnote.h). */
#define XEN_ELFNOTE_ENTRY	 1
#define XEN_ELFNOTE_PHYS32_ENTRY 18

static const char *packing_name(enum packing p)
{
	return p == PACK_GZIP ? "gzip" : p == PACK_XZ ? "xz" : "none";
}

int xen_resolve(const char *src, char *file, size_t size, struct ierr *e)
{
	static const char *const cand[] = {"xen/xen.gz", "xen/xen", "xen.gz", "xen"};

	if (!src || !*src)
		return ierr_set(e, "XEN: no Xen image named (and no default from the packages)");
	if (path_is_file(src)) {
		snprintf(file, size, "%s", src);
		return 0;
	}
	if (!path_is_dir(src))
		return ierr_set(e, "XEN=%s: no such file or directory", src);
	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		snprintf(file, size, "%s/%s", src, cand[i]);
		if (path_is_file(file))
			return 0;
	}
	return ierr_set(e, "XEN=%s: a directory without xen/xen.gz or xen/xen (not a built Xen "
			   "tree? build it with `make -C xen` or name the image file)", src);
}

/* A Xen tree's .config beside the image, or Debian's <image>.config. */
static char *xen_config_beside(const char *file, char *path, size_t size)
{
	char dir[4096];
	const char *slash = strrchr(file, '/');
	size_t fl = strlen(file);
	char *text;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".");
	snprintf(path, size, "%s/.config", dir);
	if ((text = text_read(path)) && strstr(text, "# Xen/"))
		return text;
	free(text);
	if (fl > 3 && strcmp(file + fl - 3, ".gz") == 0)
		snprintf(path, size, "%.*s.config", (int)(fl - 3), file);
	else
		snprintf(path, size, "%s.config", file);
	if ((text = text_read(path)) && strstr(text, "# Xen/"))
		return text;
	free(text);
	return NULL;
}

int xen_stage(const char *src, const char *out, struct info *in, struct ierr *e)
{
	char file[4096], ver[80], cfg_sha[65], bid[130], cfg_path[4400];
	struct blob b;
	char *cfg, *embedded = NULL;
	long mb;

	if (xen_resolve(src, file, sizeof(file), e) != 0)
		return -1;
	if (blob_read(file, &b, e) != 0)
		return ierr_set(e, "XEN=%s: %s", src, e->msg);
	if (!elf_class(b.data, b.len)) {
		bool packed = b.packing != PACK_NONE;

		blob_free(&b);
		return ierr_set(e, "XEN=%s: %s is not an ELF image%s (expected xen.gz or the xen "
				   "ELF of a build: xen/xen)", src, file, packed ? " once unpacked" : "");
	}
	mb = multiboot1_offset(b.data, b.len);
	if (mb < 0) {
		blob_free(&b);
		return ierr_set(e, "XEN=%s: %s is an ELF file but not a multiboot image (no multiboot "
				   "header in its first 8 KiB; xen-syms? QEMU boots xen/xen or "
				   "xen/xen.gz)", src, file);
	}
	xen_version(b.data, b.len, ver, sizeof(ver), cfg_sha, &embedded);
	elf_build_id(b.data, b.len, bid, sizeof(bid));
	info_add(in, "role", "xen");
	info_add(in, "source", "%s", file);
	info_add(in, "source-sha256", "%s", b.file_sha256);
	info_add(in, "packing", "%s", packing_name(b.packing));
	{
		char img_sha[65];

		sha256_hex(b.data, b.len, img_sha);
		info_add(in, "image-sha256", "%s", img_sha);
	}
	info_add(in, "kind", "elf%d-multiboot", elf_class(b.data, b.len));
	info_add(in, "version", "%s", ver[0] ? ver : "unknown");
	info_add(in, "build-id", "%s", bid[0] ? bid : "none");
	cfg = xen_config_beside(file, cfg_path, sizeof(cfg_path));
	if (embedded) {
		free(cfg);
		cfg = embedded;
	}
	if (cfg_sha[0]) {
		info_add(in, "config", "embedded");
		info_add(in, "config-sha256", "%s", cfg_sha);
	} else if (cfg) {
		sha256_hex(cfg, strlen(cfg), cfg_sha);
		info_add(in, "config", "%s", cfg_path);
		info_add(in, "config-sha256", "%s", cfg_sha);
	} else {
		info_add(in, "config", "none");
	}
	if (cfg) {
		const char *dbg = kconfig_get(cfg, "DEBUG");

		info_add(in, "debug", "%s", dbg ? dbg : "n");
		free(cfg);
	}
	if (out && file_replace(out, b.data, b.len, e) < 0) {
		blob_free(&b);
		return -1;
	}
	blob_free(&b);
	return 0;
}

/* The .config of a kernel: the build tree's, else Debian's config-<release>
 * beside the image or in its modules directory. */
static int kbuild_release(const char *dir, char *out, size_t size);

static char *kernel_config(const struct kernel_opts *o, const char *release, char *path,
			   size_t size)
{
	char dir[4096], mods[4096];
	const char *slash = strrchr(o->src, '/');
	char *text;

	if (o->kbuild && *o->kbuild) {
		snprintf(path, size, "%s/.config", o->kbuild);
		if ((text = text_read(path)))
			return text;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - o->src) : 1, slash ? o->src : ".");
	snprintf(path, size, "%s/config-%s", dir, release);
	if ((text = text_read(path)))
		return text;
	snprintf(path, size, "%s/config", dir);
	if ((text = text_read(path)) && strstr(text, "CONFIG_"))
		return text;
	free(text);
	if (o->kbuild && *o->kbuild) {
		modules_dir(o->kbuild, release, mods, sizeof(mods));
		snprintf(path, size, "%s/config", mods);
		if (mods[0] && (text = text_read(path)))
			return text;
	}
	path[0] = '\0';
	return NULL;
}

int kernel_stage(const struct kernel_opts *o, struct info *in, struct ierr *e)
{
	char version[512] = "", release[256], bid[130] = "", cfg_path[4400], kb_rel[256] = "";
	const char *staged = o->staged && *o->staged ? o->staged : o->src;
	struct blob src, img;
	const char *kind;
	char *cfg;

	if (!o->src || !*o->src)
		return ierr_set(e, "%s: no kernel named", o->var);
	if (blob_read(o->src, &src, e) != 0)
		return ierr_set(e, "%s=%s", o->var, e->msg);
	if (bzimage_version(src.data, src.len, version, sizeof(version)) == 0) {
		kind = "bzImage";
	} else if (elf_class(src.data, src.len) == 64) {
		kind = "vmlinux";
		if (linux_banner(src.data, src.len, version, sizeof(version)) != 0) {
			blob_free(&src);
			return ierr_set(e, "%s=%s: an ELF file without a \"Linux version\" banner "
					   "(not a Linux vmlinux)", o->var, o->src);
		}
	} else {
		blob_free(&src);
		return ierr_set(e, "%s=%s: neither a bzImage nor a 64-bit vmlinux ELF", o->var,
				o->src);
	}
	if (!version[0]) {
		blob_free(&src);
		return ierr_set(e, "%s=%s: a bzImage without a version string (setup header too "
				   "old?)", o->var, o->src);
	}
	release_of(version, release, sizeof(release));
	if (strcmp(staged, o->src) == 0) {
		img = src;
		memset(&src, 0, sizeof(src));
	} else if (blob_read(staged, &img, e) != 0) {
		blob_free(&src);
		return ierr_set(e, "%s=%s: its extracted image: %s", o->var, o->src, e->msg);
	}
	/* A PV kernel carries Xen's ELF notes; the entry note is PV's (a
	 * PVH-only kernel has only PHYS32_ENTRY). */
	if (elf_class(img.data, img.len) == 64) {
		elf_build_id(img.data, img.len, bid, sizeof(bid));
		if (!elf_has_note(img.data, img.len, "Xen", XEN_ELFNOTE_ENTRY)) {
			bool pvh = elf_has_note(img.data, img.len, "Xen", XEN_ELFNOTE_PHYS32_ENTRY);

			blob_free(&src);
			blob_free(&img);
			return ierr_set(e, "%s=%s: Linux %s cannot boot as a Xen PV %s: its image has "
					   "no Xen PV entry note (%s; CONFIG_XEN_PV=y needed)",
					o->var, o->src, release, o->role,
					pvh ? "only PVH's" : "no Xen notes at all");
		}
	}
	if (o->kbuild && *o->kbuild) {
		kbuild_release(o->kbuild, kb_rel, sizeof(kb_rel));
		if (kb_rel[0] && strcmp(kb_rel, release) != 0) {
			blob_free(&src);
			blob_free(&img);
			if (o->kbuild_var)
				return ierr_set(e, "%s=%s is Linux %s but %s=%s is the build of %s: the "
						   "modules would be built for another kernel", o->var,
						o->src, release, o->kbuild_var, o->kbuild, kb_rel);
			return ierr_set(e, "%s=%s is Linux %s, not the configuration's %s: name its "
					   "build tree or headers too (%s=<dir>), for the modules",
					o->var, o->src, release, kb_rel,
					strcmp(o->role, "dom0") == 0 ? "DOM0_KERNEL_BUILD" : "KERNEL_BUILD");
		}
	}
	cfg = kernel_config(o, release, cfg_path, sizeof(cfg_path));
	if (cfg) {
		const char *pv = kconfig_get(cfg, "XEN_PV");

		if (!pv || strcmp(pv, "y") != 0) {
			free(cfg);
			blob_free(&src);
			blob_free(&img);
			return ierr_set(e, "%s=%s: its configuration %s has no CONFIG_XEN_PV=y: the "
					   "kernel cannot boot as a Xen PV %s", o->var, o->src,
					cfg_path, o->role);
		}
	}
	info_add(in, "role", "%s-kernel", o->role);
	info_add(in, "source", "%s", o->src);
	info_add(in, "source-sha256", "%s", src.data ? src.file_sha256 : img.file_sha256);
	info_add(in, "kind", "%s", kind);
	{
		char sha[65];

		sha256_hex(img.data, img.len, sha);
		info_add(in, "image-sha256", "%s", sha);
	}
	info_add(in, "release", "%s", release);
	info_add(in, "version", "%s", version);
	info_add(in, "build-id", "%s", bid[0] ? bid : "none");
	if (cfg) {
		char sha[65];

		sha256_hex(cfg, strlen(cfg), sha);
		info_add(in, "config", "%s", cfg_path);
		info_add(in, "config-sha256", "%s", sha);
		for (const char *const *k = (const char *const[]){"KASAN", "PROVE_LOCKING",
								   "DEBUG_VM", NULL}; *k; k++) {
			const char *v = kconfig_get(cfg, *k);

			if (v)
				info_add(in, "config-debug", "CONFIG_%s=%s", *k, v);
		}
	} else {
		info_add(in, "config", "none");
	}
	if (o->kbuild && *o->kbuild)
		info_add(in, "kbuild", "%s", o->kbuild);
	free(cfg);
	if (o->out && file_replace(o->out, img.data, img.len, e) < 0) {
		blob_free(&src);
		blob_free(&img);
		return -1;
	}
	blob_free(&src);
	blob_free(&img);
	return 0;
}

/* What vermagic says for modules built in dir: UTS_RELEASE (Debian's 6.1
 * headers have "6.1.192" in kernel.release but 6.1.0-57-amd64 here). */
static int kbuild_release(const char *dir, char *out, size_t size)
{
	char path[4200];
	char *text, *q;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/include/generated/utsrelease.h", dir);
	text = text_read(path);
	if (text && (q = strstr(text, "UTS_RELEASE \""))) {
		q += strlen("UTS_RELEASE \"");
		snprintf(out, size, "%.*s", (int)strcspn(q, "\"\n"), q);
	} else {
		free(text);
		snprintf(path, sizeof(path), "%s/include/config/kernel.release", dir);
		text = text_read(path);
		release_of(text ? text : "", out, size);
	}
	free(text);
	return out[0] ? 0 : -1;
}

int kbuild_describe(const char *dir, const char *var, struct info *in, struct ierr *e)
{
	static const char *const need[] = {"Makefile", ".config", "Module.symvers",
					   "include/config/kernel.release"};
	char path[4200], rel[256], sha[65];
	char *text;

	if (!dir || !*dir)
		return ierr_set(e, "%s: no kernel build tree named", var);
	if (!path_is_dir(dir))
		return ierr_set(e, "%s=%s: no such directory", var, dir);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, need[i]);
		if (!path_is_file(path))
			return ierr_set(e, "%s=%s: no %s (a kernel build tree after `make`, or a "
					   "headers directory such as /lib/modules/<release>/build, "
					   "is needed to build gntlab.ko)", var, dir, need[i]);
	}
	if (kbuild_release(dir, rel, sizeof(rel)) != 0)
		return ierr_set(e, "%s=%s: no release in include/generated/utsrelease.h nor "
				   "include/config/kernel.release", var, dir);
	info_add(in, "dir", "%s", dir);
	info_add(in, "release", "%s", rel);
	snprintf(path, sizeof(path), "%s/.config", dir);
	text = text_read(path);
	sha256_hex(text, strlen(text), sha);
	info_add(in, "config-sha256", "%s", sha);
	{
		const char *pv = kconfig_get(text, "XEN_PV");

		info_add(in, "xen-pv", "%s", pv ? pv : "n");
		pv = kconfig_get(text, "CC_VERSION_TEXT");
		info_add(in, "compiler", "%s", pv ? pv : "unknown");
	}
	free(text);
	snprintf(path, sizeof(path), "%s/Module.symvers", dir);
	text = text_read(path);
	sha256_hex(text, strlen(text), sha);
	free(text);
	info_add(in, "symvers-sha256", "%s", sha);
	return 0;
}

void modules_dir(const char *kbuild, const char *release, char *out, size_t size)
{
	/* INSTALL_MOD_PATH=<kbuild>; Debian's headers beside their modules
	 * (<root>/usr/src/linux-headers-R: <root>/usr/lib/modules/R or
	 * <root>/lib/modules/R); /lib/modules/R/build -> /lib/modules/R. */
	static const char *const fmt[] = {"%s/lib/modules/%s", "%s/../../lib/modules/%s",
					  "%s/../../../lib/modules/%s", "%s/../../../usr/lib/modules/%s"};
	char real[4200];

	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(out, size, fmt[i], kbuild, release);
		if (path_is_dir(out)) {
			if (realpath(out, real))
				snprintf(out, size, "%s", real);
			return;
		}
	}
	snprintf(real, sizeof(real), "%s/..", kbuild);
	if (realpath(real, out) && strstr(out, release) && strstr(out, "/modules/")) {
		char dep[4300];

		snprintf(dep, sizeof(dep), "%s/modules.dep", out);
		if (path_is_file(dep))
			return;
	}
	out[0] = '\0';
}

int module_check(const char *path, const char *release, struct ierr *e)
{
	char vermagic[256], mrel[256];
	struct blob b;

	if (blob_read(path, &b, e) != 0)
		return -1;
	if (elf_class(b.data, b.len) != 64) {
		blob_free(&b);
		return ierr_set(e, "%s: not a kernel module (not a 64-bit ELF file)", path);
	}
	if (elf_modinfo(b.data, b.len, "vermagic", vermagic, sizeof(vermagic)) != 0) {
		blob_free(&b);
		return ierr_set(e, "%s: not a kernel module (no vermagic in .modinfo)", path);
	}
	blob_free(&b);
	release_of(vermagic, mrel, sizeof(mrel));
	if (strcmp(mrel, release) != 0)
		return ierr_set(e, "%s: built for Linux %s, but the kernel that boots is %s (vermagic "
				   "\"%s\")", path, mrel, release, vermagic);
	return 0;
}

/* Depth-first search of dir for name.ko or name.ko.xz. */
static bool find_module(const char *dir, const char *name, char *out, size_t size, int depth)
{
	DIR *d;
	struct dirent *de;
	bool found = false;

	if (depth > 8 || !(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		char p[4200];
		size_t nl = strlen(name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (strncmp(de->d_name, name, nl) == 0 &&
		    (strcmp(de->d_name + nl, ".ko") == 0 || strcmp(de->d_name + nl, ".ko.xz") == 0) &&
		    path_is_file(p)) {
			snprintf(out, size, "%s", p);
			found = true;
		} else if (de->d_type == DT_DIR ||
			   (de->d_type == DT_UNKNOWN && path_is_dir(p))) {
			if (strcmp(de->d_name, "source") && strcmp(de->d_name, "build"))
				found = find_module(p, name, out, size, depth + 1);
		}
	}
	closedir(d);
	return found;
}

/* modules.builtin lists "kernel/drivers/xen/xen-gntdev.ko" for a built-in. */
static bool is_builtin(const char *dir, const char *name)
{
	char path[4200], needle[300];
	char *text;
	bool yes;

	snprintf(path, sizeof(path), "%s/modules.builtin", dir);
	text = text_read(path);
	if (!text)
		return false;
	snprintf(needle, sizeof(needle), "/%s.ko\n", name);
	yes = strstr(text, needle) != NULL;
	free(text);
	return yes;
}

int kmods_stage(const char *kbuild, const char *kbuild_var, const char *release,
		const char *outdir, const char *const *names, int n, char *list, size_t size,
		struct ierr *e)
{
	char mods[4200];
	const char *roots[2];
	int nroots = 0;
	size_t used = 0;

	list[0] = '\0';
	modules_dir(kbuild, release, mods, sizeof(mods));
	if (mods[0])
		roots[nroots++] = mods;
	if (kbuild && *kbuild)
		roots[nroots++] = kbuild;
	for (int i = 0; i < n; i++) {
		char path[4200] = "", out[4300];
		bool builtin = false, found = false;
		struct blob b;
		int r;

		for (int j = 0; j < nroots && !found; j++) {
			builtin = builtin || is_builtin(roots[j], names[i]);
			found = find_module(roots[j], names[i], path, sizeof(path), 0);
		}
		if (!found && builtin)
			continue;
		if (!found)
			return ierr_set(e, "%s=%s: no module %s.ko for Linux %s (looked in %s%s%s) and "
					   "it is not built in: the guest needs it", kbuild_var, kbuild,
					names[i], release, mods[0] ? mods : "", mods[0] ? " and " : "",
					kbuild);
		if (module_check(path, release, e) != 0)
			return ierr_set(e, "%s=%s: %s", kbuild_var, kbuild, e->msg);
		if (blob_read(path, &b, e) != 0)
			return -1;
		snprintf(out, sizeof(out), "%s/%s.ko", outdir, names[i]);
		r = file_replace(out, b.data, b.len, e);
		blob_free(&b);
		if (r < 0)
			return -1;
		used += (size_t)snprintf(list + used, used < size ? size - used : 0, "%s%s.ko",
					 used ? " " : "", names[i]);
	}
	return 0;
}
