// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-soakreport --log soak.log --tap results.tap --out PREFIX
 * writes PREFIX.json and PREFIX.md (docs/soak.md). Exit: 0 the soak passed
 * (every soak/ verdict ok, skip or xfail, no leak), 1 it did not, 2 usage or
 * an unreadable input.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "soakreport.h"

static int write_file(const struct soak *s, const char *prefix, const char *ext,
		      void (*fn)(const struct soak *, FILE *))
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", prefix, ext);
	f = fopen(path, "we");
	if (!f) {
		perror(path);
		return -1;
	}
	fn(s, f);
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "tap", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	static struct soak s;
	const char *log = NULL, *tap = NULL, *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': log = optarg; break;
		case 't': tap = optarg; break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!log || !tap || !out || optind != argc)
		goto usage;
	soak_init(&s);
	if (soak_read_log(&s, log) || soak_read_tap(&s, tap))
		return 2;
	if (write_file(&s, out, "json", soak_write_json) || write_file(&s, out, "md", soak_write_md))
		return 2;
	printf("[soak] %lu ioctls, %lu map cycles, %lu destroy cycles; leaks %lu; %d of %d soak "
	       "verdicts failed -> %s.json, %s.md\n", s.calls_gntlab + s.calls_gntdev, s.cycles,
	       s.destroys, soak_leaks(&s), soak_failed(&s), s.nv, out, out);
	return soak_failed(&s) || soak_leaks(&s) || !s.nv ? 1 : 0;
usage:
	fprintf(stderr, "usage: gntlab-soakreport --log soak.log --tap results.tap --out PREFIX\n");
	return 2;
}
