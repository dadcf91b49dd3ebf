// SPDX-License-Identifier: GPL-2.0
/*
 * Expectations at run time (expect.h): the running guest's kernel and Xen
 * versions, the configuration facts, and the harness verdicts.
 */
#include "expect.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness.h"

static struct expect_fact *facts;

void expect_fact_register(struct expect_fact *f)
{
	f->next = facts;
	facts = f;
}

/* The first line of a file, trailing white space removed; -1 if unreadable. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	return 0;
}

/* "param:MODULE.NAME=VALUE": /sys/module/MODULE/parameters/NAME holds VALUE. */
static int fact_param(const char *spec)
{
	const char *dot = strchr(spec, '.'), *eq = strchr(spec, '=');
	char path[256], val[128];

	if (!dot || !eq || eq < dot)
		return -1;
	snprintf(path, sizeof(path), "/sys/module/%.*s/parameters/%.*s", (int)(dot - spec), spec,
		 (int)(eq - dot - 1), dot + 1);
	if (read_line(path, val, sizeof(val)))
		return -1;
	return !strcmp(val, eq + 1);
}

static int fact_here(const char *name, void *arg)
{
	(void)arg;
	if (!strncmp(name, "param:", 6))
		return fact_param(name + 6);
	if (!strncmp(name, "path:", 5))
		return access(name + 5, F_OK) == 0;
	for (const struct expect_fact *f = facts; f; f = f->next)
		if (!strcmp(f->name, name))
			return f->fn();
	return -1;
}

const struct expect_env *expect_env_here(void)
{
	static struct expect_env env;
	static bool done;
	struct utsname u;
	char major[16], minor[16], v[40];

	if (done)
		return &env;
	done = true;
	env.fact = fact_here;
	if (!uname(&u))
		expect_version_parse(u.release, &env.kernel);
	/* Xen exposes its version to guests under /sys/hypervisor (xen-sysfs). */
	if (!read_line("/sys/hypervisor/version/major", major, sizeof(major)) &&
	    !read_line("/sys/hypervisor/version/minor", minor, sizeof(minor))) {
		snprintf(v, sizeof(v), "%s.%s", major, minor);
		expect_version_parse(v, &env.xen);
	}
	return &env;
}

const struct expect_cell *expect_get(const struct expect_table *t, const char *row,
				     const char *subject)
{
	const struct expect_cell *c;
	char why[300];

	if (expect_lookup(t, row, subject, expect_env_here(), &c, why, sizeof(why)))
		ERROR("%s", why);
	return c;
}

bool expect_check(const struct expect_cell *c, const char *row, const char *observed)
{
	bool match = !strcmp(observed, c->outcome);

	XFAIL_IF(c->xfail != NULL, c->xfail, "%s/%s: %s", row, c->subject, c->reason);
	EXPECT_STREQ(observed, c->outcome) TH_MSG("%s/%s (expected because: %s)", row, c->subject,
						  c->reason);
	return match;
}
