// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-inspect: what is inside an image. ELF (32- and 64-bit, little
 * endian: what x86 Xen and Linux are): notes (GNU build id, Xen's PV
 * notes), sections (.modinfo); the multiboot header QEMU boots Xen by;
 * a bzImage's setup header; the Linux banner; Xen's embedded .config.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

int elf_class(const unsigned char *d, size_t len)
{
	if (len < 64 || memcmp(d, "\177ELF", 4) != 0 || d[5] != 1 /* little endian */)
		return 0;
	if (d[4] == 1)
		return 32;
	if (d[4] == 2)
		return 64;
	return 0;
}

/* The header fields both classes have, read into one shape. */
struct ehdr {
	int cls;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
};

static int ehdr_read(const unsigned char *d, size_t len, struct ehdr *h)
{
	h->cls = elf_class(d, len);
	if (h->cls == 32) {
		h->phoff = rd32(d + 28), h->shoff = rd32(d + 32);
		h->phentsize = rd16(d + 42), h->phnum = rd16(d + 44);
		h->shentsize = rd16(d + 46), h->shnum = rd16(d + 48), h->shstrndx = rd16(d + 50);
	} else if (h->cls == 64) {
		h->phoff = rd64(d + 32), h->shoff = rd64(d + 40);
		h->phentsize = rd16(d + 54), h->phnum = rd16(d + 56);
		h->shentsize = rd16(d + 58), h->shnum = rd16(d + 60), h->shstrndx = rd16(d + 62);
	} else {
		return -1;
	}
	return 0;
}

/* Section i: type, offset, size; -1 if out of the file. */
static int shdr_read(const unsigned char *d, size_t len, const struct ehdr *h, unsigned i,
		     uint32_t *name, uint32_t *type, uint64_t *off, uint64_t *size)
{
	uint64_t at = h->shoff + (uint64_t)i * h->shentsize;
	const unsigned char *s;

	if (h->shoff == 0 || at + (h->cls == 32 ? 40 : 64) > len)
		return -1;
	s = d + at;
	*name = rd32(s);
	*type = rd32(s + 4);
	if (h->cls == 32)
		*off = rd32(s + 16), *size = rd32(s + 20);
	else
		*off = rd64(s + 24), *size = rd64(s + 32);
	if (*type != 8 /* SHT_NOBITS */ && (*off > len || *size > len - *off))
		return -1;
	return 0;
}

static int phdr_read(const unsigned char *d, size_t len, const struct ehdr *h, unsigned i,
		     uint32_t *type, uint64_t *off, uint64_t *size)
{
	uint64_t at = h->phoff + (uint64_t)i * h->phentsize;
	const unsigned char *p;

	if (h->phoff == 0 || at + (h->cls == 32 ? 32 : 56) > len)
		return -1;
	p = d + at;
	*type = rd32(p);
	if (h->cls == 32)
		*off = rd32(p + 4), *size = rd32(p + 16);
	else
		*off = rd64(p + 8), *size = rd64(p + 32);
	if (*off > len || *size > len - *off)
		return -1;
	return 0;
}

/* Walk the notes in [off, off+size): call fn(owner, type, desc, desc_size). */
typedef bool (*note_fn)(const char *owner, uint32_t type, const unsigned char *desc,
			uint32_t dsz, void *arg);

static bool notes_walk(const unsigned char *d, uint64_t off, uint64_t size, note_fn fn, void *arg)
{
	uint64_t p = off, end = off + size;

	while (p + 12 <= end) {
		uint32_t nsz = rd32(d + p), dsz = rd32(d + p + 4), type = rd32(d + p + 8);
		uint64_t name_at = p + 12, desc_at = name_at + ((nsz + 3u) & ~3u);
		char owner[32] = "";

		if (desc_at > end || dsz > end - desc_at)
			return false;
		if (nsz > 0 && nsz < sizeof(owner)) {
			memcpy(owner, d + name_at, nsz);
			owner[nsz] = '\0';
		}
		if (fn(owner, type, d + desc_at, dsz, arg))
			return true;
		p = desc_at + ((dsz + 3u) & ~3u);
	}
	return false;
}

/* Every note of the file: PT_NOTE segments, then SHT_NOTE sections. */
static bool notes_each(const unsigned char *d, size_t len, note_fn fn, void *arg)
{
	struct ehdr h;
	uint32_t type, name;
	uint64_t off, size;

	if (ehdr_read(d, len, &h) != 0)
		return false;
	for (unsigned i = 0; i < h.phnum && i < 4096; i++)
		if (phdr_read(d, len, &h, i, &type, &off, &size) == 0 && type == 4 /* PT_NOTE */ &&
		    notes_walk(d, off, size, fn, arg))
			return true;
	for (unsigned i = 0; i < h.shnum && i < 65536; i++)
		if (shdr_read(d, len, &h, i, &name, &type, &off, &size) == 0 &&
		    type == 7 /* SHT_NOTE */ && notes_walk(d, off, size, fn, arg))
			return true;
	return false;
}

struct build_id_arg {
	char *hex;
	size_t size;
};

static bool find_build_id(const char *owner, uint32_t type, const unsigned char *desc, uint32_t dsz,
			  void *arg)
{
	struct build_id_arg *a = arg;

	if (strcmp(owner, "GNU") != 0 || type != 3 /* NT_GNU_BUILD_ID */ || dsz == 0)
		return false;
	for (uint32_t i = 0; i < dsz && 2 * i + 2 < a->size; i++)
		sprintf(a->hex + 2 * i, "%02x", desc[i]);
	return true;
}

void elf_build_id(const unsigned char *d, size_t len, char *hex, size_t size)
{
	struct build_id_arg a = {hex, size};

	if (size)
		hex[0] = '\0';
	notes_each(d, len, find_build_id, &a);
}

struct has_note_arg {
	const char *owner;
	uint32_t type;
};

static bool match_note(const char *owner, uint32_t type, const unsigned char *desc, uint32_t dsz,
		       void *arg)
{
	struct has_note_arg *a = arg;

	(void)desc, (void)dsz;
	return strcmp(owner, a->owner) == 0 && type == a->type;
}

bool elf_has_note(const unsigned char *d, size_t len, const char *owner, uint32_t type)
{
	struct has_note_arg a = {owner, type};

	return notes_each(d, len, match_note, &a);
}

const unsigned char *elf_section(const unsigned char *d, size_t len, const char *want, size_t *sz)
{
	struct ehdr h;
	uint32_t name, type;
	uint64_t off, size, str_off, str_size;

	if (ehdr_read(d, len, &h) != 0 ||
	    shdr_read(d, len, &h, h.shstrndx, &name, &type, &str_off, &str_size) != 0)
		return NULL;
	for (unsigned i = 0; i < h.shnum && i < 65536; i++) {
		if (shdr_read(d, len, &h, i, &name, &type, &off, &size) != 0 || name >= str_size)
			continue;
		if (strncmp((const char *)d + str_off + name, want, str_size - name) == 0 &&
		    type != 8) {
			*sz = size;
			return d + off;
		}
	}
	return NULL;
}

int elf_modinfo(const unsigned char *d, size_t len, const char *key, char *out, size_t size)
{
	size_t sz, kl = strlen(key);
	const unsigned char *s = elf_section(d, len, ".modinfo", &sz);

	if (!s)
		return -1;
	for (size_t i = 0; i < sz;) {
		const char *str = (const char *)s + i;
		size_t l = strnlen(str, sz - i);

		if (l > kl && strncmp(str, key, kl) == 0 && str[kl] == '=') {
			snprintf(out, size, "%.*s", (int)(l - kl - 1), str + kl + 1);
			return 0;
		}
		i += l + 1;
	}
	return -1;
}

long multiboot1_offset(const unsigned char *d, size_t len)
{
	size_t end = len < 8192 ? len : 8192;

	for (size_t i = 0; i + 12 <= end; i += 4) {
		uint32_t magic = rd32(d + i), flags = rd32(d + i + 4), sum = rd32(d + i + 8);

		if (magic == 0x1BADB002u && (uint32_t)(magic + flags + sum) == 0)
			return (long)i;
	}
	return -1;
}

int bzimage_version(const unsigned char *d, size_t len, char *out, size_t size)
{
	uint16_t ver_off;

	/* Setup header: boot_flag 0xAA55 at 0x1fe, "HdrS" at 0x202,
	 * kernel_version (a pointer less 0x200) at 0x20e. */
	if (len < 0x260 || rd16(d + 0x1fe) != 0xAA55 || memcmp(d + 0x202, "HdrS", 4) != 0)
		return -1;
	ver_off = rd16(d + 0x20e);
	if (ver_off == 0 || (size_t)ver_off + 0x200 >= len) {
		snprintf(out, size, "%s", "");
		return 0;
	}
	snprintf(out, size, "%.*s", (int)strnlen((const char *)d + ver_off + 0x200,
						  len - ver_off - 0x200 < 255 ? len - ver_off - 0x200 : 255),
		 (const char *)d + ver_off + 0x200);
	return 0;
}

int linux_banner(const unsigned char *d, size_t len, char *out, size_t size)
{
	static const char tag[] = "Linux version ";
	const size_t tl = sizeof(tag) - 1;

	for (const unsigned char *p = d; p && (size_t)(p - d) + tl < len;) {
		p = memmem(p, len - (size_t)(p - d), tag, tl);
		if (!p)
			break;
		/* The banner itself: a release (digit first), not a format string. */
		if ((size_t)(p - d) + tl < len && isdigit(p[tl])) {
			size_t n = 0, max = len - (size_t)(p - d) - tl;

			while (n < max && n < 400 && p[tl + n] && p[tl + n] != '\n')
				n++;
			snprintf(out, size, "%.*s", (int)n, (const char *)p + tl);
			return 0;
		}
		p += tl;
	}
	return -1;
}

void release_of(const char *version, char *out, size_t size)
{
	size_t n = strcspn(version, " \t\n");

	snprintf(out, size, "%.*s", (int)n, version);
}

const char *kconfig_get(const char *text, const char *name)
{
	static char val[256];
	size_t nl = strlen(name);

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);

		if (ll > 7 + nl && strncmp(p, "CONFIG_", 7) == 0 && strncmp(p + 7, name, nl) == 0 &&
		    p[7 + nl] == '=') {
			const char *v = p + 8 + nl;
			size_t vl = ll - 8 - nl;

			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				v++, vl -= 2;
			snprintf(val, sizeof(val), "%.*s", (int)vl, v);
			return val;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* "# Xen/x86 4.17.7 Configuration" -> "4.17.7". */
static bool xen_config_version(const char *text, char *ver, size_t size)
{
	const char *p = strstr(text, "# Xen/");
	const char *sp, *end;

	if (!p || !(sp = strchr(p + 6, ' ')))
		return false;
	end = strstr(sp, " Configuration");
	if (!end || end - sp > 64)
		return false;
	snprintf(ver, size, "%.*s", (int)(end - sp - 1), sp + 1);
	return true;
}

void xen_version(const unsigned char *d, size_t len, char *ver, size_t size, char cfg_sha[65],
		 char **config)
{
	ver[0] = '\0';
	cfg_sha[0] = '\0';
	*config = NULL;
	/* Xen keeps its .config gzip'd inside (hypfs /buildinfo/config). */
	for (size_t i = 0; i + 10 < len; i++) {
		const unsigned char *p = memchr(d + i, 0x1f, len - i - 10);
		struct blob u;
		struct ierr e;

		if (!p)
			break;
		i = (size_t)(p - d);
		if (p[1] != 0x8b || p[2] != 8)
			continue;
		if (blob_unpack(p, len - i, &u, &e) != 0)
			continue;
		if (u.len > 0 && memmem(u.data, u.len, "# Xen/", 6)) {
			char *text = malloc(u.len + 1);

			if (text) {
				memcpy(text, u.data, u.len);
				text[u.len] = '\0';
				if (xen_config_version(text, ver, size)) {
					sha256_hex(u.data, u.len, cfg_sha);
					*config = text;
				} else {
					free(text);
				}
			}
		}
		blob_free(&u);
		if (ver[0])
			return;
	}
	/* Else a version string in the binary: "4.NN" and more, alone. */
	for (size_t i = 0; i + 5 < len; i++) {
		size_t n = 0;

		if (d[i] != '4' || d[i + 1] != '.' || !isdigit(d[i + 2]) || (i > 0 && d[i - 1]))
			continue;
		while (i + n < len && n < 64 && isgraph(d[i + n]))
			n++;
		if (i + n < len && d[i + n] == 0 && n >= 4) {
			snprintf(ver, size, "%.*s", (int)n, (const char *)d + i);
			return;
		}
	}
}
