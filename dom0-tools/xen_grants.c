// SPDX-License-Identifier: GPL-2.0
#include "xen_grants.h"

#include <stdio.h>
#include <string.h>

#define DUMP_START "gnttab_usage_print_all [ key 'g' pressed"
#define DUMP_END "gnttab_usage_print_all ] done"

/* Skip an optional "(XEN) " style prefix and a bracketed timestamp. */
static const char *skip_prefix(const char *l)
{
	if (!strncmp(l, "(XEN) ", 6))
		l += 6;
	return l;
}

int xen_grant_dump_parse(const char *text, struct xen_grant_dump *out)
{
	const char *start = NULL, *p = text;
	long granter = -1;

	memset(out, 0, sizeof(*out));
	while ((p = strstr(p, DUMP_START))) {
		start = p;
		p += strlen(DUMP_START);
	}
	if (!start)
		return -1;
	p = strchr(start, '\n');
	while (p && *p) {
		char line[256];
		const char *l;
		size_t n;
		unsigned int ref, pin, flags, sdom;
		int mapper;
		unsigned long long mfn, frame;

		p++;
		n = strcspn(p, "\n");
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p += n;
		l = skip_prefix(line);
		if (strstr(l, DUMP_END)) {
			out->complete = 1;
			break;
		}
		if (sscanf(l, "grant-table for remote d%ld", &granter) == 1)
			continue;
		if (granter >= 0 &&
		    sscanf(l, "[0x%x] %d 0x%llx 0x%x %u 0x%llx 0x%x", &ref,
			   &mapper, &mfn, &pin, &sdom, &frame, &flags) == 7 &&
		    out->count < sizeof(out->entry) / sizeof(out->entry[0])) {
			struct xen_active_grant *e = &out->entry[out->count++];

			e->granter = (uint32_t)granter;
			e->ref = ref;
			e->mapper = (uint32_t)mapper;
			e->mfn = mfn;
			e->pin = pin;
			e->shared_domid = sdom;
			e->frame = frame;
			e->flags = flags;
		}
	}
	return out->complete ? 0 : -1;
}

size_t xen_grant_dump_count(const struct xen_grant_dump *d, uint32_t granter,
			    uint32_t ref)
{
	size_t n = 0;

	for (size_t i = 0; i < d->count; i++)
		if (d->entry[i].granter == granter && d->entry[i].ref == ref)
			n++;
	return n;
}

size_t xen_grant_dump_count_refs(const struct xen_grant_dump *d, uint32_t granter,
				 long mapper, const uint32_t *refs, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < d->count; i++) {
		const struct xen_active_grant *e = &d->entry[i];

		if (e->granter != granter || (mapper >= 0 && e->mapper != (uint32_t)mapper))
			continue;
		for (size_t k = 0; k < n; k++)
			if (e->ref == refs[k]) {
				c++;
				break;
			}
	}
	return c;
}
