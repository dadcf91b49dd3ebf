// SPDX-License-Identifier: GPL-2.0
/*
 * Conductor protocol helpers shared by dom0 and the guest agent: the test
 * pattern and the parsers/formatters of the xenstore values.
 */
#include "gntlab_proto.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gntlab_pattern_fill(void *buf, uint32_t seed, uint32_t page, uint32_t off,
			 size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = gntlab_pattern_byte(seed, page, off + (uint32_t)i);
}

long gntlab_pattern_check(const void *buf, uint32_t seed, uint32_t page,
			  uint32_t off, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != gntlab_pattern_byte(seed, page, off + (uint32_t)i))
			return (long)i;
	return -1;
}

/* Parse one unsigned decimal number; advances *s past it. */
static int parse_u32(const char **s, uint32_t *out)
{
	const char *p = *s;
	char *end;
	unsigned long v;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	*s = end;
	return 0;
}

static int at_end(const char *s)
{
	while (*s == ' ' || *s == '\n')
		s++;
	return *s == '\0';
}

int gntlab_refs_parse(const char *s, struct gntlab_refs *out)
{
	out->count = 0;
	if (!s || parse_u32(&s, &out->domid) || out->domid > 0x7fef)
		return -1;
	while (!at_end(s)) {
		if (*s != ' ' || out->count == GNTLAB_PROTO_MAX_REFS)
			return -1;
		if (parse_u32(&s, &out->ref[out->count]))
			return -1;
		out->count++;
	}
	return out->count ? 0 : -1;
}

int gntlab_refs_format(const struct gntlab_refs *r, char *buf, size_t len)
{
	size_t used;
	int n;

	if (r->count == 0 || r->count > GNTLAB_PROTO_MAX_REFS)
		return -1;
	n = snprintf(buf, len, "%u", r->domid);
	if (n < 0 || (size_t)n >= len)
		return -1;
	used = (size_t)n;
	for (uint32_t i = 0; i < r->count; i++) {
		n = snprintf(buf + used, len - used, " %u", r->ref[i]);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

int gntlab_cmd_parse(const char *s, struct gntlab_cmd *out)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s || parse_u32(&s, &out->seq) || *s != ' ')
		return -1;
	s++;
	n = strcspn(s, " ");
	if (n == 0 || n >= sizeof(out->verb))
		return -1;
	memcpy(out->verb, s, n);
	s += n;
	while (*s == ' ')
		s++;
	if (strlen(s) >= sizeof(out->args))
		return -1;
	strcpy(out->args, s);
	return 0;
}

int gntlab_ack_parse(const char *s, struct gntlab_ack *out)
{
	char *end;
	long rc;

	memset(out, 0, sizeof(*out));
	if (!s || parse_u32(&s, &out->seq) || *s != ' ')
		return -1;
	errno = 0;
	rc = strtol(s + 1, &end, 10);
	if (errno || end == s + 1 || rc < INT_MIN || rc > INT_MAX)
		return -1;
	out->rc = (int)rc;
	s = end;
	while (*s == ' ')
		s++;
	snprintf(out->text, sizeof(out->text), "%s", s);
	return 0;
}
