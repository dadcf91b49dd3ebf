// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of gntlab-inspect (`make unit`): every refusal of "bring your
 * own" on synthetic files made here (ELF images with and without a
 * multiboot header, gzip'd and not, a bzImage setup header, vmlinux files
 * with and without Xen's PV note, .config files with and without
 * CONFIG_XEN_PV, modules with another kernel's vermagic, xz'd modules),
 * and that staging replaces a file only when its content changes.
 */
#define _GNU_SOURCE
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"
#include "inspect.h"

#define REL "6.99.0-unit-amd64"

/* ---- making files ---- */

struct buf {
	unsigned char *d;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->d = realloc(b->d, b->cap);
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		unsigned char c = (unsigned char)(v >> (8 * i));

		put(b, &c, 1);
	}
}

static void pad_to(struct buf *b, size_t at)
{
	static const unsigned char z[1];

	while (b->len < at)
		put(b, z, 1);
}

struct sect {
	const char *name;
	uint32_t type; /* 1 PROGBITS, 7 NOTE */
	const void *data;
	size_t len;
};

/* An ELF file of class 32 or 64 whose first bytes after the header are
 * `early` (e.g. a multiboot header), then the sections. */
static struct buf elf_make(int cls, const void *early, size_t early_len, const struct sect *s,
			   int ns)
{
	struct buf b = {0}, shstr = {0};
	size_t ehsz = cls == 32 ? 52 : 64, shsz = cls == 32 ? 40 : 64;
	size_t off[16], name_off[16], shoff;

	put(&shstr, "", 1);
	for (int i = 0; i < ns; i++) {
		name_off[i] = shstr.len;
		put(&shstr, s[i].name, strlen(s[i].name) + 1);
	}
	name_off[ns] = shstr.len;
	put(&shstr, ".shstrtab", 10);
	pad_to(&b, ehsz);
	if (early)
		put(&b, early, early_len);
	for (int i = 0; i < ns; i++) {
		pad_to(&b, (b.len + 3) & ~(size_t)3);
		off[i] = b.len;
		put(&b, s[i].data, s[i].len);
	}
	off[ns] = b.len;
	put(&b, shstr.d, shstr.len);
	pad_to(&b, (b.len + 7) & ~(size_t)7);
	shoff = b.len;
	/* Section headers: null, the sections, .shstrtab. */
	for (int i = -1; i <= ns; i++) {
		uint32_t type = i < 0 ? 0 : i == ns ? 3 : s[i].type;
		size_t o = i < 0 ? 0 : off[i], l = i < 0 ? 0 : i == ns ? shstr.len : s[i].len;
		uint32_t nm = i < 0 ? 0 : (uint32_t)name_off[i];

		put_le(&b, nm, 4);
		put_le(&b, type, 4);
		if (cls == 32) {
			put_le(&b, 0, 4), put_le(&b, 0, 4);	 /* flags, addr */
			put_le(&b, o, 4), put_le(&b, l, 4);	 /* offset, size */
			put_le(&b, 0, 4), put_le(&b, 0, 4);	 /* link, info */
			put_le(&b, 4, 4), put_le(&b, 0, 4);	 /* align, entsize */
		} else {
			put_le(&b, 0, 8), put_le(&b, 0, 8);
			put_le(&b, o, 8), put_le(&b, l, 8);
			put_le(&b, 0, 4), put_le(&b, 0, 4);
			put_le(&b, 8, 8), put_le(&b, 0, 8);
		}
	}
	/* The header. */
	memcpy(b.d, "\177ELF", 4);
	b.d[4] = cls == 32 ? 1 : 2, b.d[5] = 1, b.d[6] = 1;
	b.d[16] = 2; /* ET_EXEC */
	b.d[18] = cls == 32 ? 3 : 62;
	if (cls == 32) {
		memcpy(b.d + 32, (uint32_t[]){(uint32_t)shoff}, 4);
		memcpy(b.d + 46, (uint16_t[]){(uint16_t)shsz, (uint16_t)(ns + 2),
					      (uint16_t)(ns + 1)}, 6);
	} else {
		uint64_t so = shoff;

		memcpy(b.d + 40, &so, 8);
		memcpy(b.d + 58, (uint16_t[]){(uint16_t)shsz, (uint16_t)(ns + 2),
					      (uint16_t)(ns + 1)}, 6);
	}
	free(shstr.d);
	return b;
}

/* One ELF note: owner, type, descriptor. */
static struct buf note(const char *owner, uint32_t type, const void *desc, size_t dlen)
{
	struct buf b = {0};
	size_t nl = strlen(owner) + 1;

	put_le(&b, nl, 4), put_le(&b, dlen, 4), put_le(&b, type, 4);
	put(&b, owner, nl);
	pad_to(&b, (b.len + 3) & ~(size_t)3);
	put(&b, desc, dlen);
	pad_to(&b, (b.len + 3) & ~(size_t)3);
	return b;
}

static struct buf gzip_of(const void *d, size_t len)
{
	struct buf b = {0};
	z_stream z = {0};

	b.cap = len + 1024;
	b.d = malloc(b.cap);
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)d, z.avail_in = (uInt)len;
	z.next_out = b.d, z.avail_out = (uInt)b.cap;
	deflate(&z, Z_FINISH);
	b.len = z.total_out;
	deflateEnd(&z);
	return b;
}

static struct buf xz_of(const void *d, size_t len)
{
	struct buf b = {0};

	b.cap = len + 1024;
	b.d = malloc(b.cap);
	lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, d, len, b.d, &b.len, b.cap);
	return b;
}

static char dir[256];

static const char *at(const char *name)
{
	static char p[8][1024];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void write_file(const char *path, const void *d, size_t len)
{
	char cmd[600];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		th_msg("mkdir failed");
	f = fopen(path, "wb");
	if (f) {
		fwrite(d, 1, len, f);
		fclose(f);
	}
}

static void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

static void scratch(void)
{
	snprintf(dir, sizeof(dir), "/tmp/unit-inspect.XXXXXX");
	if (!mkdtemp(dir))
		SKIP("mkdtemp failed");
}

/* A Xen-like image: ELF32, a multiboot header (or not), a build id, and
 * its .config gzip'd inside. */
static struct buf xen_image(bool multiboot)
{
	static const char cfg[] = "#\n# Automatically generated file; DO NOT EDIT.\n"
				  "# Xen/x86 4.99.1-unit Configuration\n#\nCONFIG_DEBUG=y\n";
	uint32_t mb[4] = {0x1BADB002u, 0x00010003u, 0, 0};
	struct buf gz = gzip_of(cfg, sizeof(cfg) - 1);
	struct buf n = note("GNU", 3, "\x12\x34\x56\x78\x9a", 5);
	struct sect s[] = {{".note", 7, n.d, n.len}, {".rodata", 1, gz.d, gz.len}};
	struct buf img;

	mb[2] = (uint32_t)(0u - mb[0] - mb[1]);
	img = elf_make(32, multiboot ? mb : NULL, multiboot ? 12 : 0, s, 2);
	free(gz.d), free(n.d);
	return img;
}

/* A vmlinux: ELF64 with the Linux banner and Xen's notes as asked. */
static struct buf vmlinux(bool pv_note, bool pvh_note)
{
	static const char banner[] = "\0Linux version %s (fmt)\0Linux version " REL
				     " (unit@test) #1 SMP\n";
	struct buf notes = {0}, a = note("Xen", 1, "\0\0\0\0\0\0\0\0", 8),
		   p = note("Xen", 18, "\0\0\0\0", 4), g = note("GNU", 3, "\xab\xcd", 2);
	struct buf img;

	put(&notes, g.d, g.len);
	if (pv_note)
		put(&notes, a.d, a.len);
	if (pvh_note)
		put(&notes, p.d, p.len);
	img = elf_make(64, NULL, 0,
		       (struct sect[]){{".notes", 7, notes.d, notes.len},
				       {".rodata", 1, banner, sizeof(banner)}},
		       2);
	free(notes.d), free(a.d), free(p.d), free(g.d);
	return img;
}

/* A bzImage's first 0x400 bytes: the setup header and its version string. */
static struct buf bzimage(const char *version)
{
	struct buf b = {0};

	pad_to(&b, 0x400);
	b.d[0x1fe] = 0x55, b.d[0x1ff] = 0xAA;
	memcpy(b.d + 0x202, "HdrS", 4);
	b.d[0x20e] = 0x00, b.d[0x20f] = 0x01; /* kernel_version at 0x100 + 0x200 */
	memcpy(b.d + 0x300, version, strlen(version) + 1);
	return b;
}

static struct buf module(const char *vermagic)
{
	char mi[256];
	int n = snprintf(mi, sizeof(mi), "license=GPL%cvermagic=%s%cname=unit", 0, vermagic, 0);

	return elf_make(64, NULL, 0, (struct sect[]){{".modinfo", 1, mi, (size_t)n + 1}}, 1);
}

/* A kernel build tree: .config, Module.symvers, the release. */
static void kbuild(const char *name, const char *release, bool xen_pv)
{
	char p[300], text[300];

	snprintf(p, sizeof(p), "%s/Makefile", name);
	write_text(at(p), "# unit\n");
	snprintf(p, sizeof(p), "%s/Module.symvers", name);
	write_text(at(p), "0x0\tunit\tvmlinux\tEXPORT_SYMBOL\t\n");
	snprintf(p, sizeof(p), "%s/.config", name);
	snprintf(text, sizeof(text), "CONFIG_X86_64=y\n%s\nCONFIG_CC_VERSION_TEXT=\"gcc-12\"\n",
		 xen_pv ? "CONFIG_XEN_PV=y" : "# CONFIG_XEN_PV is not set");
	write_text(at(p), text);
	snprintf(p, sizeof(p), "%s/include/config/kernel.release", name);
	snprintf(text, sizeof(text), "%s\n", release);
	write_text(at(p), text);
}

/* ---- Xen ---- */

TH_DOC(inspect, xen_gz_multiboot, "A gzip'd multiboot ELF (xen.gz) is accepted: version from its "
	"embedded .config, build id, both sha256, CONFIG_DEBUG; staged unpacked.")
TEST(inspect, xen_gz_multiboot)
{
	struct buf img = xen_image(true), gz = gzip_of(img.d, img.len);
	struct info in = {0};
	struct ierr e = {{0}};
	char v[128], *staged;

	scratch();
	write_file(at("xen.gz"), gz.d, gz.len);
	ASSERT_EQ(xen_stage(at("xen.gz"), at("boot-xen"), &in, &e), 0) TH_MSG("%s", e.msg);
	info_get(in.text, "version", v, sizeof(v));
	EXPECT_STREQ(v, "4.99.1-unit");
	info_get(in.text, "build-id", v, sizeof(v));
	EXPECT_STREQ(v, "123456789a");
	info_get(in.text, "packing", v, sizeof(v));
	EXPECT_STREQ(v, "gzip");
	info_get(in.text, "debug", v, sizeof(v));
	EXPECT_STREQ(v, "y");
	info_get(in.text, "config", v, sizeof(v));
	EXPECT_STREQ(v, "embedded");
	staged = text_read(at("boot-xen"));
	ASSERT_NONNULL(staged);
	EXPECT_EQ(memcmp(staged, img.d, img.len), 0);
	free(staged), free(img.d), free(gz.d);
}

TH_DOC(inspect, xen_refusals, "XEN= refuses, naming the file: an ELF without a multiboot header "
	"(xen-syms), a file that is not ELF, a gzip that is not ELF, a tree without xen/xen.gz, a "
	"missing path; a build tree with xen/xen is accepted.")
TEST(inspect, xen_refusals)
{
	struct buf no_mb = xen_image(false), mb = xen_image(true), gz;
	struct info in = {0};
	struct ierr e = {{0}};
	char file[512];

	scratch();
	write_file(at("xen-syms"), no_mb.d, no_mb.len);
	EXPECT_EQ(xen_stage(at("xen-syms"), NULL, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "not a multiboot image") && strstr(e.msg, "xen-syms"))
		TH_MSG("%s", e.msg);
	write_text(at("notelf"), "this is text\n");
	EXPECT_EQ(xen_stage(at("notelf"), NULL, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "not an ELF image") != NULL) TH_MSG("%s", e.msg);
	gz = gzip_of("plain words", 11);
	write_file(at("words.gz"), gz.d, gz.len);
	EXPECT_EQ(xen_stage(at("words.gz"), NULL, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "not an ELF image once unpacked") != NULL) TH_MSG("%s", e.msg);
	mkdir(at("empty-tree"), 0755);
	EXPECT_EQ(xen_stage(at("empty-tree"), NULL, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "without xen/xen.gz or xen/xen") != NULL) TH_MSG("%s", e.msg);
	EXPECT_EQ(xen_stage(at("nothing-here"), NULL, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no such file or directory") != NULL) TH_MSG("%s", e.msg);
	write_file(at("tree/xen/xen"), mb.d, mb.len);
	EXPECT_EQ(xen_resolve(at("tree"), file, sizeof(file), &e), 0);
	EXPECT_TRUE(strstr(file, "tree/xen/xen") != NULL) TH_MSG("%s", file);
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(xen_stage(at("tree"), NULL, &in, &e), 0) TH_MSG("%s", e.msg);
	free(no_mb.d), free(mb.d), free(gz.d);
}

/* ---- kernels ---- */

TH_DOC(inspect, kernel_bzimage_vmlinux, "A bzImage's version comes from its setup header, a "
	"vmlinux's from its banner (not the format string); the PV note, the build id and the "
	"build tree's .config are recorded.")
TEST(inspect, kernel_bzimage_vmlinux)
{
	struct buf bz = bzimage(REL " (unit@test) #1 SMP"), vm = vmlinux(true, false);
	struct kernel_opts o = {.role = "guest", .var = "GUEST_KERNEL"};
	struct info in = {0};
	struct ierr e = {{0}};
	char v[256];

	scratch();
	kbuild("kb", REL, true);
	write_file(at("bzImage"), bz.d, bz.len);
	write_file(at("vmlinux"), vm.d, vm.len);
	o.src = at("bzImage"), o.staged = at("vmlinux"), o.kbuild = at("kb");
	o.kbuild_var = "KERNEL_BUILD", o.out = at("boot-guest");
	ASSERT_EQ(kernel_stage(&o, &in, &e), 0) TH_MSG("%s", e.msg);
	info_get(in.text, "release", v, sizeof(v));
	EXPECT_STREQ(v, REL);
	info_get(in.text, "kind", v, sizeof(v));
	EXPECT_STREQ(v, "bzImage");
	info_get(in.text, "build-id", v, sizeof(v));
	EXPECT_STREQ(v, "abcd");
	EXPECT_EQ(info_get(in.text, "config-sha256", v, sizeof(v)), 0);
	memset(&in, 0, sizeof(in));
	o.src = at("vmlinux"), o.staged = NULL;
	ASSERT_EQ(kernel_stage(&o, &in, &e), 0) TH_MSG("%s", e.msg);
	info_get(in.text, "kind", v, sizeof(v));
	EXPECT_STREQ(v, "vmlinux");
	info_get(in.text, "release", v, sizeof(v));
	EXPECT_STREQ(v, REL);
	free(bz.d), free(vm.d);
}

TH_DOC(inspect, kernel_refusals, "GUEST_KERNEL= refuses, naming the file: no CONFIG_XEN_PV in "
	"its .config, no Xen PV entry note (PVH only, or none), a build tree of another release "
	"(KERNEL_BUILD named, or the configuration's headers), a file that is no kernel.")
TEST(inspect, kernel_refusals)
{
	struct buf bz = bzimage(REL " #1"), pv = vmlinux(true, false), pvh = vmlinux(false, true),
		   bare = vmlinux(false, false);
	struct kernel_opts o = {.role = "guest", .var = "GUEST_KERNEL", .kbuild_var = "KERNEL_BUILD"};
	struct info in = {0};
	struct ierr e = {{0}};

	scratch();
	kbuild("kb-nopv", REL, false);
	kbuild("kb-pv", REL, true);
	kbuild("kb-other", "6.1.0-1-amd64", true);
	write_file(at("bzImage"), bz.d, bz.len);
	write_file(at("pv"), pv.d, pv.len);
	write_file(at("pvh"), pvh.d, pvh.len);
	write_file(at("bare"), bare.d, bare.len);
	write_text(at("text"), "no kernel\n");

	o.src = at("bzImage"), o.staged = at("pv"), o.kbuild = at("kb-nopv");
	EXPECT_EQ(kernel_stage(&o, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no CONFIG_XEN_PV=y") && strstr(e.msg, "kb-nopv/.config"))
		TH_MSG("%s", e.msg);
	o.kbuild = at("kb-pv"), o.staged = at("pvh");
	EXPECT_EQ(kernel_stage(&o, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no Xen PV entry note (only PVH's") != NULL) TH_MSG("%s", e.msg);
	o.staged = at("bare");
	EXPECT_EQ(kernel_stage(&o, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no Xen notes at all") != NULL) TH_MSG("%s", e.msg);
	o.staged = at("pv"), o.kbuild = at("kb-other");
	EXPECT_EQ(kernel_stage(&o, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "KERNEL_BUILD=") && strstr(e.msg, "6.1.0-1-amd64") &&
		    strstr(e.msg, "another kernel")) TH_MSG("%s", e.msg);
	o.kbuild_var = NULL;
	EXPECT_EQ(kernel_stage(&o, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "not the configuration's") && strstr(e.msg, "KERNEL_BUILD=<dir>"))
		TH_MSG("%s", e.msg);
	o.src = at("text"), o.staged = NULL;
	EXPECT_EQ(kernel_stage(&o, &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "neither a bzImage nor a 64-bit vmlinux") != NULL)
		TH_MSG("%s", e.msg);
	free(bz.d), free(pv.d), free(pvh.d), free(bare.d);
}

/* ---- build trees and modules ---- */

TH_DOC(inspect, kbuild, "KERNEL_BUILD= needs .config, Module.symvers and the release; the "
	"release comes from utsrelease.h before kernel.release (Debian's 6.1 headers differ).")
TEST(inspect, kbuild)
{
	struct info in = {0};
	struct ierr e = {{0}};
	char v[128];

	scratch();
	kbuild("kb", "6.1.999", true);
	write_text(at("kb/include/generated/utsrelease.h"), "#define UTS_RELEASE \"" REL "\"\n");
	ASSERT_EQ(kbuild_describe(at("kb"), "KERNEL_BUILD", &in, &e), 0) TH_MSG("%s", e.msg);
	info_get(in.text, "release", v, sizeof(v));
	EXPECT_STREQ(v, REL);
	info_get(in.text, "xen-pv", v, sizeof(v));
	EXPECT_STREQ(v, "y");
	unlink(at("kb/Module.symvers"));
	EXPECT_EQ(kbuild_describe(at("kb"), "KERNEL_BUILD", &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "KERNEL_BUILD=") && strstr(e.msg, "no Module.symvers"))
		TH_MSG("%s", e.msg);
	EXPECT_EQ(kbuild_describe(at("nope"), "KERNEL_BUILD", &in, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no such directory") != NULL) TH_MSG("%s", e.msg);
}

TH_DOC(inspect, module_vermagic, "A module built for another kernel is refused with both "
	"releases; one for this kernel passes; a file without .modinfo is no module.")
TEST(inspect, module_vermagic)
{
	struct buf other = module("6.1.0-1-amd64 SMP preempt mod_unload "),
		   same = module(REL " SMP preempt mod_unload "), none = vmlinux(true, false);
	struct ierr e = {{0}};

	scratch();
	write_file(at("other.ko"), other.d, other.len);
	write_file(at("same.ko"), same.d, same.len);
	write_file(at("none.ko"), none.d, none.len);
	EXPECT_EQ(module_check(at("other.ko"), REL, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "other.ko: built for Linux 6.1.0-1-amd64, but the kernel that "
			    "boots is " REL) != NULL) TH_MSG("%s", e.msg);
	EXPECT_EQ(module_check(at("same.ko"), REL, &e), 0) TH_MSG("%s", e.msg);
	EXPECT_EQ(module_check(at("none.ko"), REL, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no vermagic") != NULL) TH_MSG("%s", e.msg);
	free(other.d), free(same.d), free(none.d);
}

TH_DOC(inspect, kmods, "The guest's drivers come from the modules beside a Debian headers tree "
	"(xz'd ones unpacked), built-in ones are skipped, a missing one or one of another "
	"kernel is refused naming KERNEL_BUILD.")
TEST(inspect, kmods)
{
	struct buf good = module(REL " SMP "), bad = module("6.1.0-1-amd64 SMP "),
		   xz = xz_of(good.d, good.len);
	const char *names[] = {"xen-gntdev", "brd"};
	struct ierr e = {{0}};
	char list[256], *staged;

	scratch();
	kbuild("root/usr/src/linux-headers-" REL, REL, true);
	write_file(at("root/usr/lib/modules/" REL "/kernel/drivers/xen/xen-gntdev.ko.xz"), xz.d,
		   xz.len);
	write_text(at("root/usr/lib/modules/" REL "/modules.builtin"),
		   "kernel/drivers/block/brd.ko\n");
	mkdir(at("out"), 0755);
	ASSERT_EQ(kmods_stage(at("root/usr/src/linux-headers-" REL), "KERNEL_BUILD", REL, at("out"),
			      names, 2, list, sizeof(list), &e), 0) TH_MSG("%s", e.msg);
	EXPECT_STREQ(list, "xen-gntdev.ko");
	staged = text_read(at("out/xen-gntdev.ko"));
	ASSERT_NONNULL(staged);
	EXPECT_EQ(memcmp(staged, good.d, good.len), 0);
	free(staged);
	/* Not built in any more and not there: refused. */
	write_text(at("root/usr/lib/modules/" REL "/modules.builtin"), "\n");
	EXPECT_EQ(kmods_stage(at("root/usr/src/linux-headers-" REL), "KERNEL_BUILD", REL, at("out"),
			      names, 2, list, sizeof(list), &e), -1);
	EXPECT_TRUE(strstr(e.msg, "no module brd.ko") && strstr(e.msg, "KERNEL_BUILD="))
		TH_MSG("%s", e.msg);
	/* Of another kernel: refused. */
	write_file(at("root/usr/lib/modules/" REL "/kernel/drivers/block/brd.ko"), bad.d, bad.len);
	EXPECT_EQ(kmods_stage(at("root/usr/src/linux-headers-" REL), "KERNEL_BUILD", REL, at("out"),
			      names, 2, list, sizeof(list), &e), -1);
	EXPECT_TRUE(strstr(e.msg, "brd.ko: built for Linux 6.1.0-1-amd64") != NULL)
		TH_MSG("%s", e.msg);
	free(good.d), free(bad.d), free(xz.d);
}

TH_DOC(inspect, replace_by_content, "Staging writes a file only when its content differs: the "
	"same bytes keep the old file (and its time), other bytes replace it, even older ones.")
TEST(inspect, replace_by_content)
{
	struct ierr e = {{0}};
	struct stat st1, st2;
	char *t;

	scratch();
	ASSERT_EQ(file_replace(at("f"), "one", 3, &e), 1);
	ASSERT_EQ(stat(at("f"), &st1), 0);
	usleep(20 * 1000);
	EXPECT_EQ(file_replace(at("f"), "one", 3, &e), 0);
	ASSERT_EQ(stat(at("f"), &st2), 0);
	EXPECT_TRUE(st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec && st1.st_ino == st2.st_ino);
	EXPECT_EQ(file_replace(at("f"), "two", 3, &e), 1);
	t = text_read(at("f"));
	EXPECT_STREQ(t, "two");
	free(t);
}

TH_DOC(inspect, sha256, "SHA-256 of the empty string and of \"abc\" (FIPS 180-4 examples), "
	"and of 1 MB (multi-block).")
TEST(inspect, sha256)
{
	char h[65];
	unsigned char *m = calloc(1, 1 << 20);

	sha256_hex("", 0, h);
	EXPECT_STREQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, h);
	EXPECT_STREQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(m, 1 << 20, h);
	EXPECT_STREQ(h, "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58");
	free(m);
}

TH_MAIN
