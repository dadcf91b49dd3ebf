// SPDX-License-Identifier: GPL-2.0
/* `make soak`: dom0's and Xen's memory, appended to every soak.log record. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "markers_out.h"
#include "soak.h"

void soak_mem_read(xc_interface *xc, struct soak_mem *m)
{
	struct timespec ts;
	xc_physinfo_t pi;
	char line[256];
	FILE *f;

	m->d0_free_kb = m->d0_avail_kb = m->d0_slab_kb = -1;
	m->xen_free_kb = -1;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	m->t = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %ld kB", &m->d0_free_kb);
		sscanf(line, "MemAvailable: %ld kB", &m->d0_avail_kb);
		sscanf(line, "Slab: %ld kB", &m->d0_slab_kb);
	}
	if (f)
		fclose(f);
	memset(&pi, 0, sizeof(pi));
	if (xc && xc_physinfo(xc, &pi) == 0)
		m->xen_free_kb = (long long)pi.free_pages * 4;
}

void soak_log(xc_interface *xc, const char *record)
{
	struct soak_mem m;
	char line[1400];

	soak_mem_read(xc, &m);
	snprintf(line, sizeof(line), "%.1100s t=%.1f d0_free_kb=%ld d0_avail_kb=%ld d0_slab_kb=%ld xen_free_kb=%lld",
		 record, m.t, m.d0_free_kb, m.d0_avail_kb, m.d0_slab_kb, m.xen_free_kb);
	report_log("soak", line);
}

void soak_logf(xc_interface *xc, const char *fmt, ...)
{
	char rec[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec, sizeof(rec), fmt, ap);
	va_end(ap);
	soak_log(xc, rec);
}
