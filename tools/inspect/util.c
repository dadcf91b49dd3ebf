// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-inspect: files (read, unpack gzip/xz, replace only on a change of
 * content), SHA-256, and the "key value" info records.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "inspect.h"

int ierr_set(struct ierr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
			      K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	unsigned char tail[128] = {0};
	size_t full = len / 64 * 64, rest = len - full, tlen;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i < full; i += 64)
		sha256_block(h, p + i);
	memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t i = 0; i < tlen; i += 64)
		sha256_block(h, tail + i);
	for (int i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", h[i]);
	out[64] = '\0';
}

/* ---- files ---- */

bool path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int read_all(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	unsigned char *buf;

	if (!f)
		return -1;
	buf = malloc(cap);
	for (;;) {
		size_t got;

		if (!buf)
			break;
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb, cap *= 2;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (!buf || ferror(f)) {
		int saved = buf ? EIO : ENOMEM;

		free(buf);
		fclose(f);
		errno = saved;
		return -1;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

char *text_read(const char *path)
{
	unsigned char *d;
	size_t n;
	char *s;

	if (read_all(path, &d, &n) != 0)
		return NULL;
	s = realloc(d, n + 1);
	if (!s) {
		free(d);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

static int gunzip(const unsigned char *in, size_t len, struct blob *out, struct ierr *e)
{
	z_stream z;
	size_t cap = len * 4 + 4096;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return ierr_set(e, "zlib: cannot initialise");
	out->data = malloc(cap);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	for (;;) {
		if (!out->data) {
			inflateEnd(&z);
			return ierr_set(e, "out of memory");
		}
		z.next_out = out->data + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			inflateEnd(&z);
			free(out->data);
			out->data = NULL;
			return ierr_set(e, "corrupt gzip data (%s)", z.msg ? z.msg : "inflate failed");
		}
		if (z.avail_out == 0) {
			unsigned char *nb = realloc(out->data, cap * 2);

			if (!nb)
				free(out->data);
			out->data = nb, cap *= 2;
			continue;
		}
		if (z.avail_in == 0) {
			inflateEnd(&z);
			free(out->data);
			out->data = NULL;
			return ierr_set(e, "truncated gzip data");
		}
	}
	out->len = z.total_out;
	inflateEnd(&z);
	out->packing = PACK_GZIP;
	return 0;
}

static int unxz(const unsigned char *in, size_t len, struct blob *out, struct ierr *e)
{
	lzma_stream z = LZMA_STREAM_INIT;
	size_t cap = len * 4 + 4096;
	lzma_ret rc;

	if (lzma_stream_decoder(&z, UINT64_MAX, 0) != LZMA_OK)
		return ierr_set(e, "liblzma: cannot initialise");
	out->data = malloc(cap);
	z.next_in = in;
	z.avail_in = len;
	for (;;) {
		if (!out->data) {
			lzma_end(&z);
			return ierr_set(e, "out of memory");
		}
		z.next_out = out->data + z.total_out;
		z.avail_out = cap - z.total_out;
		rc = lzma_code(&z, LZMA_FINISH);
		if (rc == LZMA_STREAM_END)
			break;
		if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
			lzma_end(&z);
			free(out->data);
			out->data = NULL;
			return ierr_set(e, "corrupt xz data (liblzma error %d)", (int)rc);
		}
		if (z.avail_out == 0) {
			unsigned char *nb = realloc(out->data, cap * 2);

			if (!nb)
				free(out->data);
			out->data = nb, cap *= 2;
			continue;
		}
		if (rc == LZMA_BUF_ERROR) {
			lzma_end(&z);
			free(out->data);
			out->data = NULL;
			return ierr_set(e, "truncated xz data");
		}
	}
	out->len = (size_t)z.total_out;
	lzma_end(&z);
	out->packing = PACK_XZ;
	return 0;
}

int blob_unpack(const unsigned char *in, size_t len, struct blob *out, struct ierr *e)
{
	static const unsigned char xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};

	memset(out, 0, sizeof(*out));
	if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b)
		return gunzip(in, len, out, e);
	if (len >= 6 && memcmp(in, xz_magic, 6) == 0)
		return unxz(in, len, out, e);
	return ierr_set(e, "neither gzip nor xz data");
}

int blob_read(const char *path, struct blob *b, struct ierr *e)
{
	unsigned char *raw;
	size_t n;

	memset(b, 0, sizeof(*b));
	if (path_is_dir(path))
		return ierr_set(e, "%s: is a directory, not a file", path);
	if (read_all(path, &raw, &n) != 0)
		return ierr_set(e, "%s: cannot read: %s", path, strerror(errno));
	if (n == 0) {
		free(raw);
		return ierr_set(e, "%s: is empty", path);
	}
	if ((n >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) || (n >= 6 && raw[0] == 0xfd && raw[1] == '7')) {
		struct blob u;

		if (blob_unpack(raw, n, &u, e) != 0) {
			char why[sizeof(e->msg)];

			snprintf(why, sizeof(why), "%s", e->msg);
			free(raw);
			return ierr_set(e, "%s: %s", path, why);
		}
		sha256_hex(raw, n, u.file_sha256);
		free(raw);
		*b = u;
		return 0;
	}
	b->data = raw;
	b->len = n;
	b->packing = PACK_NONE;
	sha256_hex(raw, n, b->file_sha256);
	return 0;
}

void blob_free(struct blob *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int file_replace(const char *path, const void *data, size_t len, struct ierr *e)
{
	unsigned char *old;
	size_t olen;
	char tmp[4200];
	FILE *f;

	if (read_all(path, &old, &olen) == 0) {
		bool same = olen == len && memcmp(old, data, len) == 0;

		free(old);
		if (same)
			return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		return ierr_set(e, "%s: cannot write: %s", tmp, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return ierr_set(e, "%s: write failed: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return ierr_set(e, "%s: cannot rename into place: %s", path, strerror(errno));
	}
	return 1;
}

/* ---- info records ---- */

void info_add(struct info *in, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (in->len >= sizeof(in->text) - 1)
		return;
	n = snprintf(in->text + in->len, sizeof(in->text) - in->len, "%s ", key);
	if (n < 0 || (size_t)n >= sizeof(in->text) - in->len)
		return;
	in->len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(in->text + in->len, sizeof(in->text) - in->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(in->text) - in->len - 1) {
		in->len = strlen(in->text);
		return;
	}
	in->len += (size_t)n;
	in->text[in->len++] = '\n';
	in->text[in->len] = '\0';
}

int info_get(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			size_t vl = ll - kl - 1;

			if (vl >= size)
				vl = size - 1;
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (size)
		out[0] = '\0';
	return -1;
}
