// SPDX-License-Identifier: GPL-2.0
/* The one test-filter matcher (syntax in th_filter.h). Self-contained. */
#include "th_filter.h"

#include <fnmatch.h>
#include <string.h>

#define TH_FILTER_SEP ",+"
#define TH_PAT_MAX 256

/* Calls fn on each pattern (copied, NUL-terminated); stops when fn says so. */
static bool th_filter_any(const char *filter, const char *arg,
			  bool (*fn)(const char *pat, const char *arg))
{
	const char *p = filter;

	while (*p) {
		size_t n = strcspn(p, TH_FILTER_SEP);
		char pat[TH_PAT_MAX];

		if (n > 0 && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (fn(pat, arg))
				return true;
		}
		p += n;
		if (*p)
			p++;
	}
	return false;
}

static bool match_name(const char *pat, const char *name)
{
	size_t slash = strcspn(name, "/");

	if (!fnmatch(pat, name, 0))
		return true;
	/* a bare suite name selects the suite */
	return !strchr(pat, '/') && strlen(pat) == slash && !strncmp(pat, name, slash);
}

static bool match_suite(const char *pat, const char *suite)
{
	const char *slash = strchr(pat, '/');
	char head[TH_PAT_MAX];

	if (!slash)
		/* "gup", "g*", or a glob such as "*revoke*" that may match inside */
		return !fnmatch(pat, suite, 0) || strpbrk(pat, "*?[") != NULL;
	memcpy(head, pat, (size_t)(slash - pat));
	head[slash - pat] = '\0';
	return !fnmatch(head, suite, 0);
}

bool th_filter_match(const char *filter, const char *name)
{
	if (!filter || !*filter)
		return true;
	return th_filter_any(filter, name, match_name);
}

bool th_filter_selects_suite(const char *filter, const char *suite)
{
	if (!filter || !*filter)
		return true;
	return th_filter_any(filter, suite, match_suite);
}

static bool same_name(const char *pat, const char *name)
{
	return !strcmp(pat, name);
}

bool th_filter_names(const char *filter, const char *name)
{
	return filter && th_filter_any(filter, name, same_name);
}
