/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab-inspect: what a Xen or kernel image, a kernel build tree or a
 * kernel module is, and whether a set of them can boot together. Every
 * check that fails says which file and what is wrong with it, before
 * anything boots (README "Bring your own Xen and kernel").
 *
 * The library part (no main) is unit-tested on synthetic files
 * (unit_inspect.c); main.c is the command line the Makefile calls.
 */
#ifndef GNTLAB_INSPECT_H
#define GNTLAB_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The error of the last call that failed: one line naming the file. */
struct ierr {
	char msg[2048];
};
int ierr_set(struct ierr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- files --------------------------------------------------------------- */

enum packing { PACK_NONE, PACK_GZIP, PACK_XZ };

struct blob {
	unsigned char *data;
	size_t len;
	enum packing packing; /* how the file was packed (data is unpacked) */
	char file_sha256[65]; /* of the file as it is on disk */
};

/* Read path, unpacking gzip or xz by their magic. -1: e says why. */
int blob_read(const char *path, struct blob *b, struct ierr *e);
/* Unpack a memory buffer: gzip or xz (by magic); 0 and *out owned by caller. */
int blob_unpack(const unsigned char *in, size_t len, struct blob *out, struct ierr *e);
void blob_free(struct blob *b);
/* Write data to path unless path holds the same bytes already. 1 written, 0 same, -1 error. */
int file_replace(const char *path, const void *data, size_t len, struct ierr *e);
/* Read a whole text file (NUL-terminated); NULL if it cannot be read. */
char *text_read(const char *path);
bool path_is_dir(const char *path);
bool path_is_file(const char *path);

void sha256_hex(const void *data, size_t len, char out[65]);

/* ---- what an image is ---------------------------------------------------- */

/* ELF: class 32/64, or 0 if data is not ELF. */
int elf_class(const unsigned char *d, size_t len);
/* The GNU build id (hex) from the notes, "" when there is none. */
void elf_build_id(const unsigned char *d, size_t len, char *hex, size_t size);
/* Whether a note of this owner and type exists (e.g. "Xen", XEN_ELFNOTE_ENTRY). */
bool elf_has_note(const unsigned char *d, size_t len, const char *owner, uint32_t type);
/* A section's contents by name; NULL if missing. */
const unsigned char *elf_section(const unsigned char *d, size_t len, const char *name,
				 size_t *size);
/* A .modinfo value ("vermagic"): 0 and copied, -1 missing. */
int elf_modinfo(const unsigned char *d, size_t len, const char *key, char *out, size_t size);

/* Offset of a valid multiboot (v1) header within the first 8 KiB, or -1
 * (what QEMU's -kernel needs to boot Xen). */
long multiboot1_offset(const unsigned char *d, size_t len);
/* A bzImage's setup header: its kernel_version string. 0 ok, -1 not a bzImage. */
int bzimage_version(const unsigned char *d, size_t len, char *out, size_t size);
/* "Linux version <release> ..." in a vmlinux: the text after "Linux version ". */
int linux_banner(const unsigned char *d, size_t len, char *out, size_t size);
/* The first word of a version string: the release (uname -r). */
void release_of(const char *version, char *out, size_t size);
/* Xen's version: its embedded .config (gzip'd, "# Xen/x86 <v> Configuration")
 * or a "4.NN..." string; "" when neither. config_sha256 "" and *config NULL
 * if not embedded; else *config is its text (free it). */
void xen_version(const unsigned char *d, size_t len, char *ver, size_t size,
		 char config_sha256[65], char **config);

/* ---- kernel configuration ------------------------------------------------ */

/* The value of CONFIG_<name> in a .config text ("y", "m", a string),
 * NULL when unset or absent. Points into a static buffer. */
const char *kconfig_get(const char *text, const char *name);

/* ---- checks (the subcommands) -------------------------------------------- */

/* An info file: "key value" lines. */
struct info {
	char text[8192];
	size_t len;
};
void info_add(struct info *in, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of key in an info text (copied), -1 if absent. */
int info_get(const char *text, const char *key, char *out, size_t size);

/* XEN=: a file (xen.gz, xen ELF) or a build tree; the file that boots. */
int xen_resolve(const char *src, char *file, size_t size, struct ierr *e);
/* Validate the Xen image src; write the unpacked image to out (if not NULL)
 * and describe it in in. */
int xen_stage(const char *src, const char *out, struct info *in, struct ierr *e);

struct kernel_opts {
	const char *role;      /* "dom0", "guest" */
	const char *var;       /* the variable that named it: "GUEST_KERNEL" */
	const char *src;       /* as named (bzImage or vmlinux) */
	const char *staged;    /* the ELF extracted from it, or NULL (= src) */
	const char *kbuild;    /* its build tree, or NULL */
	const char *kbuild_var; /* "KERNEL_BUILD", or NULL when the default */
	const char *out;       /* where it boots from, or NULL */
};
int kernel_stage(const struct kernel_opts *o, struct info *in, struct ierr *e);

/* A kernel build tree (or headers): release, hashes. */
int kbuild_describe(const char *dir, const char *var, struct info *in, struct ierr *e);
/* The modules directory of release near a build tree; "" if none. */
void modules_dir(const char *kbuild, const char *release, char *out, size_t size);
/* Check a module file against a release. */
int module_check(const char *path, const char *release, struct ierr *e);
/* Stage the named drivers (flat, unpacked) for release from near kbuild;
 * list gets "name.ko" words of those staged (built-in ones are skipped). */
int kmods_stage(const char *kbuild, const char *kbuild_var, const char *release,
		const char *outdir, const char *const *names, int n, char *list, size_t size,
		struct ierr *e);

#endif
