// SPDX-License-Identifier: GPL-2.0
/* gntlab-benchreport, arithmetic: medians, ratios, least squares. */
#include <stdlib.h>
#include <string.h>

#include "benchreport.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct dist stats(const double *v, int n)
{
	double s[MAXREC];
	struct dist r = { .n = n };

	if (n <= 0)
		return r;
	if (n > MAXREC)
		n = r.n = MAXREC;
	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/* Least squares of y on x; returns the slope, *icpt the intercept. */
double fit(const double *x, const double *y, int n, double *icpt)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, d;

	for (int i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	d = n * sxx - sx * sx;
	if (n < 2 || d == 0) {
		*icpt = 0;
		return 0;
	}
	*icpt = (sy * sxx - sx * sxy) / d;
	return (n * sxy - sx * sy) / d;
}

/*
 * Per-repetition ratios of variant a over variant b at one batch size:
 * throughput ratio over the whole repetition (by_cycle false), or the
 * ratio of b's median cycle time to a's (by_cycle true: insensitive to the
 * few cycles that a burst of host load stretches).
 */
struct dist ratios(const struct tput *a, const struct tput *b, bool by_cycle)
{
	double v[MAXREP];
	int n = 0;

	for (int r = 0; r < MAXREP; r++) {
		if (!a->have[r] || !b->have[r])
			continue;
		if (!by_cycle && b->pps[r] > 0)
			v[n++] = a->pps[r] / b->pps[r];
		else if (by_cycle && a->cyc[r] > 0 && b->cyc[r] > 0)
			v[n++] = b->cyc[r] / a->cyc[r];
	}
	return stats(v, n);
}
