// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-matrix --out DIR [--doc FILE] [NAME=]RESULTS_DIR...
 *
 * Writes DIR/index.html, DIR/index.md and DIR/index.json from the results
 * directories, one configuration each (in the order given); --doc also the
 * configurations and differences without links, for docs/matrix.md. Exit status 0
 * when every configuration passed and every difference between them is
 * explained by the expectation tables, 1 otherwise, 2 on a usage or write
 * error. `make matrix` and the CI pipeline's merge job run it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gmx.h"

#ifndef GNTLAB_MATRIX_NO_MAIN
static int write_file(const char *dir, const char *name,
		      int (*fn)(FILE *, const struct gmx_merge *), const struct gmx_merge *m)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int rc;

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "gntlab-matrix: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	rc = fn(f, m);
	if (fclose(f) || rc || rename(tmp, path)) {
		fprintf(stderr, "gntlab-matrix: error writing %s\n", path);
		return -1;
	}
	return 0;
}

static int usage(void)
{
	fputs("usage: gntlab-matrix --out DIR [--doc FILE] [NAME=]RESULTS_DIR...\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *doc = NULL;
	struct gmx_config *cfg;
	int first = 3;
	struct gmx_merge m;
	size_t n = 0;
	int rc = 0;

	if (argc < 3 || strcmp(argv[1], "--out"))
		return usage();
	out = argv[2];
	if (argc >= 5 && !strcmp(argv[3], "--doc")) {
		doc = argv[4];
		first = 5;
	}
	if (mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, "gntlab-matrix: cannot create %s: %s\n", out, strerror(errno));
		return 2;
	}
	cfg = gmx_xalloc(NULL, (size_t)argc * sizeof(*cfg));
	for (int i = first; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *name = NULL;
		const char *dir = argv[i];

		if (eq) {
			name = argv[i];
			*eq = 0;
			dir = eq + 1;
		}
		gmx_load(&cfg[n++], name, dir, out);
	}
	if (!n)
		return usage();
	gmx_merge(&m, cfg, n);
	if (write_file(out, "index.html", gmx_write_html, &m) ||
	    write_file(out, "index.md", gmx_write_md, &m) ||
	    write_file(out, "index.json", gmx_write_json, &m) ||
	    (doc && write_file(".", doc, gmx_write_doc, &m)))
		rc = 2;
	for (size_t k = 0; k < n; k++) {
		const struct gmx_config *c = &cfg[k];

		if (gmx_config_failed(c))
			printf("[matrix] %s: FAILED: %s%s%s%s\n", c->name, c->why ? c->why : "",
			       c->log ? " (log: " : "", c->log ? c->log : "", c->log ? ")" : "");
		else
			printf("[matrix] %s: PASS (%zu tests, %zu cells)\n", c->name, c->ntests,
			       c->ncells);
	}
	printf("[matrix] %zu configurations, %zu failed, %zu tests and %zu cells differ, "
	       "%zu cells not as expected: %s/index.html\n",
	       m.ncfg, m.failed_cfgs, m.differing_tests, m.differing_cells, m.unexplained, out);
	if (!rc && !gmx_ok(&m))
		rc = 1;
	gmx_merge_free(&m);
	for (size_t k = 0; k < n; k++)
		gmx_config_free(&cfg[k]);
	free(cfg);
	return rc;
}
#endif
