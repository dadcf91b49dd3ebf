// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-benchreport: turns what `make bench` collected into
 * <out>.json, <out>.md and a gnuplot script <out>.gp (which draws
 * <out>.png from <out>-tput.dat and <out>-scale.dat).
 *
 * Inputs:
 *   --bench-log FILE     the guest's measurements, one JSON object a line
 *                        (the runner's bench.log: GNTLAB-LOG bench <json>)
 *   --bench-summary FILE summary.txt of the bench boot (its milestones)
 *   --boot DIR           (repeatable) results of one `make run`: summary.txt
 *                        milestones and junit.xml per-test times
 *   --bare DIR           (repeatable) results of one bare boot (`make smoke`)
 *                        run back to back with the --boot of the same rank:
 *                        full-suite time / bare-boot time, pair by pair
 *   --builds FILE        "<label> <seconds>" lines: image build times
 *   --out PREFIX         e.g. build/results/bench
 *
 * The JSON objects are flat (string or number values), written by
 * tests/guest/bench.c; benchreport_input.c reads exactly that,
 * benchreport_output.c writes the report (benchreport.h: the pieces).
 * Exit: 0 report written (the done criteria are reported, not enforced),
 * 1 no measurement found, 2 usage or I/O error.
 */
#include <getopt.h>
#include <stdio.h>

#include "benchreport.h"

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bench-log", required_argument, NULL, 'l' },
		{ "bench-summary", required_argument, NULL, 's' },
		{ "boot", required_argument, NULL, 'b' },
		{ "bare", required_argument, NULL, 'S' },
		{ "builds", required_argument, NULL, 'B' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	static struct report r;
	const char *log = NULL, *bsum = NULL, *builds = NULL, *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': log = optarg; break;
		case 's': bsum = optarg; break;
		case 'b':
			if (r.nboot < MAXBOOT)
				snprintf(r.boots[r.nboot++].dir, sizeof(r.boots[0].dir), "%s",
					 optarg);
			break;
		case 'S':
			if (r.nbare < MAXBOOT)
				snprintf(r.bares[r.nbare++].dir, sizeof(r.bares[0].dir), "%s",
					 optarg);
			break;
		case 'B': builds = optarg; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: gntlab-benchreport --bench-log FILE --out PREFIX "
				"[--bench-summary FILE] [--boot DIR]... [--bare DIR]... [--builds FILE]\n");
			return 2;
		}
	}
	if (!log || !out) {
		fprintf(stderr, "gntlab-benchreport: --bench-log and --out are required\n");
		return 2;
	}
	if (read_bench_log(log, &r))
		return 2;
	if (bsum)
		read_summary(bsum, &r.benchboot);
	for (int i = 0; i < r.nboot; i++) {
		char p[320];

		snprintf(p, sizeof(p), "%.255s/summary.txt", r.boots[i].dir);
		read_summary(p, &r.boots[i]);
		snprintf(p, sizeof(p), "%.255s/junit.xml", r.boots[i].dir);
		read_junit(p, &r);
	}
	for (int i = 0; i < r.nbare; i++) {
		char p[320];

		snprintf(p, sizeof(p), "%.255s/summary.txt", r.bares[i].dir);
		read_summary(p, &r.bares[i]);
	}
	if (builds)
		read_builds(builds, &r);

	if (write_report(&r, out) || write_gnuplot(out))
		return 2;
	if (!r.nrec) {
		fprintf(stderr, "gntlab-benchreport: no measurement in %s\n", log);
		return 1;
	}
	return 0;
}
