// SPDX-License-Identifier: GPL-2.0
/* gntlab-soakreport: reading soak.log and results.tap (soakreport.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "soakreport.h"

/* The same slack as dom0's checks (dom0-tools/scen_soak.c, soak_cycles.c). */
#define XEN_SLACK_KB 1024
#define D0_SLACK_KB (32 * 1024)
#define TREND_SLACK_KB 4096

void soak_init(struct soak *s)
{
	memset(s, 0, sizeof(*s));
	s->ask_ioctls = s->ask_cycles = s->ask_destroys = s->ask_seconds = -1;
	s->trend_first_kb = s->trend_last_kb = -1;
	s->d0_destroy_first_kb = s->d0_destroy_last_kb = -1;
}

/* The value of key in a record ("key=value" words), or NULL. */
static const char *val(const char *rec, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = rec; (p = strstr(p, key)); p += kl) {
		if ((p == rec || p[-1] == ' ') && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " \t\r\n");

			if (n >= len)
				n = len - 1;
			memcpy(buf, p + kl + 1, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

static double num(const char *rec, const char *key, double def)
{
	char b[64], *end;
	double d;

	if (!val(rec, key, b, sizeof(b)))
		return def;
	d = strtod(b, &end);
	return *end ? def : d;
}

static void str(const char *rec, const char *key, char *out, size_t len)
{
	if (!val(rec, key, out, len))
		snprintf(out, len, "?");
}

static void mem_rec(struct soak *s, const char *rec)
{
	struct soak_memrec *m;

	if (s->nmem >= SOAK_MAXMEM)
		return;
	m = &s->mem[s->nmem++];
	str(rec, "phase", m->phase, sizeof(m->phase));
	m->t = num(rec, "t", -1);
	m->d0_free_kb = (long)num(rec, "d0_free_kb", -1);
	m->d0_avail_kb = (long)num(rec, "d0_avail_kb", -1);
	m->d0_slab_kb = (long)num(rec, "d0_slab_kb", -1);
	m->xen_free_kb = (long long)num(rec, "xen_free_kb", -1);
	m->grants_of_d0 = (long)num(rec, "grants_of_d0", -1);
	m->grants_by_d0 = (long)num(rec, "grants_by_d0", -1);
	m->dying = (long)num(rec, "dying", -1);
}

static void rate_rec(struct soak *s, const char *rec)
{
	struct soak_rate *r;

	if (s->nrate >= SOAK_MAXRATE)
		return;
	r = &s->rate[s->nrate++];
	str(rec, "phase", r->phase, sizeof(r->phase));
	r->t = num(rec, "t", -1);
	r->seconds = num(rec, "seconds", -1);
	r->count = (unsigned long)num(rec, "count", 0);
	r->g_free_kb = (long)num(rec, "g_free_kb", -1);
	r->d0_avail_kb = (long)num(rec, "d0_avail_kb", -1);
	r->xen_free_kb = (long long)num(rec, "xen_free_kb", -1);
}

static void errnos_rec(struct soak *s, const char *rec)
{
	char phase[32];
	const char *p = rec;

	str(rec, "phase", phase, sizeof(phase));
	while ((p = strchr(p, ' '))) {
		char name[32];
		unsigned long n;

		p++;
		if (sscanf(p, "%31[A-Z0-9]=%lu", name, &n) == 2 && name[0] == 'E' &&
		    s->nerr < SOAK_MAXERR) {
			struct soak_err *e = &s->err[s->nerr++];

			snprintf(e->phase, sizeof(e->phase), "%s", phase);
			snprintf(e->name, sizeof(e->name), "%s", name);
			e->count = n;
		}
	}
}

static void summary_rec(struct soak *s, const char *rec)
{
	char phase[32];
	unsigned long count = (unsigned long)num(rec, "count", 0);
	double sec = num(rec, "seconds", 0);

	str(rec, "phase", phase, sizeof(phase));
	if (!strcmp(phase, "ioctls-gntlab")) {
		s->calls_gntlab = count;
		s->sec_gntlab = sec;
		s->forks = (unsigned long)num(rec, "forks", 0);
	} else if (!strcmp(phase, "ioctls-gntdev")) {
		s->calls_gntdev = count;
		s->sec_gntdev = sec;
	} else if (!strcmp(phase, "ioctls-probes")) {
		s->probes = count;
		s->sec_probes = sec;
	} else if (!strcmp(phase, "cycles")) {
		s->cycles = count;
		s->sec_cycles = sec;
	}
}

void soak_parse_line(struct soak *s, const char *line)
{
	static const char pre[] = "GNTLAB-LOG soak ";
	const char *p = strstr(line, pre);
	char kind[32];

	p = p ? p + sizeof(pre) - 1 : line;
	if (sscanf(p, "%31s", kind) != 1)
		return;
	if (!strcmp(kind, "start")) {
		s->ask_ioctls = (long)num(p, "ioctls", -1);
		s->ask_cycles = (long)num(p, "cycles", -1);
		s->ask_destroys = (long)num(p, "destroys", -1);
		s->ask_seconds = (long)num(p, "seconds", -1);
	} else if (!strcmp(kind, "mem")) {
		mem_rec(s, p);
	} else if (!strcmp(kind, "rate")) {
		rate_rec(s, p);
	} else if (!strcmp(kind, "errnos")) {
		errnos_rec(s, p);
	} else if (!strcmp(kind, "summary")) {
		summary_rec(s, p);
	} else if (!strcmp(kind, "trend")) {
		s->trend_first_kb = num(p, "first_kb", -1);
		s->trend_last_kb = num(p, "last_kb", -1);
	} else if (!strcmp(kind, "destroy")) {
		double avail = num(p, "d0_avail_kb", -1);

		if (num(p, "up", 0) > 0) {
			s->destroy_s_n++;
			s->destroy_s_sum += num(p, "seconds", 0);
			s->bringup_s_sum += num(p, "bringup_s", 0);
			/* dom0's MemAvailable: the mean of the first and of the last ten cycles */
			if (s->destroy_s_n <= 10)
				s->d0_destroy_first_kb = (s->d0_destroy_first_kb < 0 ? 0 :
							  s->d0_destroy_first_kb) + avail / 10;
		}
		if (s->nrate < SOAK_MAXRATE) {
			struct soak_rate *r = &s->rate[s->nrate++];

			snprintf(r->phase, sizeof(r->phase), "destroys");
			r->t = num(p, "t", -1);
			r->seconds = -1;
			r->count = (unsigned long)num(p, "i", 0) + 1;
			r->g_free_kb = -1;
			r->d0_avail_kb = (long)avail;
			r->xen_free_kb = (long long)num(p, "xen_free_kb", -1);
		}
	} else if (!strcmp(kind, "phase-end")) {
		char phase[32];

		str(p, "phase", phase, sizeof(phase));
		if (!strcmp(phase, "destroys")) {
			s->destroys = (unsigned long)num(p, "done", 0);
			s->destroy_failed = (unsigned long)num(p, "failed", 0);
			s->no_bringup = (unsigned long)num(p, "no_bringup", 0);
			s->sec_destroys = num(p, "seconds", 0);
		}
	} else if (!strcmp(kind, "end")) {
		s->sec_total = num(p, "seconds", 0);
	} else if (strcmp(kind, "phase-start")) {
		s->bad_lines++;
	}
}

/* dom0's MemAvailable over the last ten destroy cycles (from the rate samples). */
static void destroy_trend(struct soak *s)
{
	int n = 0;
	double sum = 0;

	for (int i = s->nrate - 1; i >= 0 && n < 10; i--)
		if (!strcmp(s->rate[i].phase, "destroys") && s->rate[i].d0_avail_kb >= 0) {
			sum += (double)s->rate[i].d0_avail_kb;
			n++;
		}
	if (n == 10 && s->destroy_s_n >= 30)
		s->d0_destroy_last_kb = sum / n;
	else
		s->d0_destroy_first_kb = -1;
}

int soak_read_log(struct soak *s, const char *path)
{
	char line[2048];
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "gntlab-soakreport: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		soak_parse_line(s, line);
	fclose(f);
	destroy_trend(s);
	return 0;
}

/*
 * "module counters not zero after N ms: maps M, grants user U kernel K,
 * pages P, deferred D" (tests/guest/gt.c) in a failed test's message.
 */
static void modleak_parse(struct soak *s, const char *test, const char *why)
{
	struct soak_modleak *l = &s->modleak;
	const char *p = strstr(why, "module counters not zero");
	long maps, gu, gk, pages, def;

	if (!p || !(p = strstr(p, ": maps ")))
		return;
	if (sscanf(p, ": maps %ld, grants user %ld kernel %ld, pages %ld, deferred %ld",
		   &maps, &gu, &gk, &pages, &def) != 5)
		return;
	if (!l->reports++)
		snprintf(l->test, sizeof(l->test), "%s", test);
	if (maps + gu + gk + pages + def > l->maps + l->grants_user + l->grants_kernel +
					   l->pages + l->deferred) {
		l->maps = maps;
		l->grants_user = gu;
		l->grants_kernel = gk;
		l->pages = pages;
		l->deferred = def;
	}
}

void soak_parse_tap(struct soak *s, const char *line)
{
	struct soak_verdict *v;
	const char *p = line, *hash;
	bool ok;
	size_t n;

	if (!strncmp(p, "ok ", 3)) {
		ok = true;
		p += 3;
	} else if (!strncmp(p, "not ok ", 7)) {
		ok = false;
		p += 7;
	} else {
		return;
	}
	p += strspn(p, "0123456789");
	if (strncmp(p, " - soak/", 8) || s->nv >= SOAK_MAXV)
		return;
	p += 3;
	v = &s->v[s->nv++];
	n = strcspn(p, " \r\n");
	snprintf(v->name, sizeof(v->name), "%.*s", (int)n, p);
	hash = strstr(p, " # ");
	snprintf(v->why, sizeof(v->why), "%s", hash ? hash + 3 : "");
	v->why[strcspn(v->why, "\r\n")] = '\0';
	if (!ok && hash)
		modleak_parse(s, v->name, hash + 3);
	if (ok)
		snprintf(v->verdict, sizeof(v->verdict), "%s", hash && !strncmp(hash, " # SKIP", 7) ? "skip" : "ok");
	else if (!hash)
		snprintf(v->verdict, sizeof(v->verdict), "fail");
	else if (!strncmp(hash, " # TODO", 7))
		snprintf(v->verdict, sizeof(v->verdict), "xfail");
	else if (!strncmp(hash, " # XPASS", 8))
		snprintf(v->verdict, sizeof(v->verdict), "xpass");
	else if (!strncmp(hash, " # ERROR", 8))
		snprintf(v->verdict, sizeof(v->verdict), "error");
	else if (!strncmp(hash, " # missing", 10))
		snprintf(v->verdict, sizeof(v->verdict), "missing");
	else
		snprintf(v->verdict, sizeof(v->verdict), "fail");
}

int soak_read_tap(struct soak *s, const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "gntlab-soakreport: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		soak_parse_tap(s, line);
	fclose(f);
	return 0;
}

static const struct soak_memrec *mem_find(const struct soak *s, const char *phase)
{
	for (int i = 0; i < s->nmem; i++)
		if (!strcmp(s->mem[i].phase, phase))
			return &s->mem[i];
	return NULL;
}

unsigned long soak_leaks(const struct soak *s)
{
	const struct soak_memrec *b = mem_find(s, "baseline"), *e = mem_find(s, "end");
	unsigned long n = 0;

	for (int i = 0; i < s->nmem; i++) {
		const struct soak_memrec *m = &s->mem[i];

		n += (unsigned long)(m->grants_of_d0 > 0 ? m->grants_of_d0 : 0) +
		     (unsigned long)(m->grants_by_d0 > 0 ? m->grants_by_d0 : 0) +
		     (unsigned long)(m->dying > 0 ? m->dying : 0);
	}
	if (b && e && b->xen_free_kb >= 0 && e->xen_free_kb >= 0 &&
	    e->xen_free_kb < b->xen_free_kb - XEN_SLACK_KB)
		n++;
	if (b && e && b->d0_avail_kb >= 0 && e->d0_avail_kb >= 0 &&
	    e->d0_avail_kb < b->d0_avail_kb - D0_SLACK_KB)
		n++;
	if (s->trend_first_kb >= 0 && s->trend_first_kb - s->trend_last_kb > TREND_SLACK_KB)
		n++;
	n += (unsigned long)(s->modleak.maps + s->modleak.grants_user + s->modleak.grants_kernel +
			     s->modleak.pages + s->modleak.deferred);
	return n;
}

int soak_failed(const struct soak *s)
{
	int n = 0;

	for (int i = 0; i < s->nv; i++)
		if (strcmp(s->v[i].verdict, "ok") && strcmp(s->v[i].verdict, "skip") &&
		    strcmp(s->v[i].verdict, "xfail"))
			n++;
	return n;
}
