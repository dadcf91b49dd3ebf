// SPDX-License-Identifier: GPL-2.0
/*
 * `make soak`, phase 3: guests created through libvirt and destroyed while
 * grants are mapped both ways (the multi scenario's destroy-while-mapped,
 * many times over). SOAK_DESTROY_WORKERS cycles run at once, each with its
 * own guest (gntlab-soak<worker>): a guest spends most of its cycle booting.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "guest.h"
#include "markers_out.h"
#include "scenarios.h"
#include "soak.h"
#include "xen_grants.h"
#include "../tests/crash_patterns.h"

#define SOAK_DESTROY_WORKERS 2
#define NP 2u			/* pages each way */
#define SEED 0x50a40000u

struct dc {
	struct scen_env *e;
	unsigned int worker;
	char name[32];
	virDomainPtr dom;
	unsigned int domid;
	struct agent_conn ag;
	uint32_t refs[NP];
	uint8_t *sh;		/* dom0's pages shared with the guest */
	xengnttab_handle *gt;
	uint8_t *p;		/* dom0's mapping of the guest's pages */
	double t_up;		/* creation to agent ready, s */
};

static struct {
	pthread_mutex_t lock;	/* Xen's dump, the tallies below */
	atomic_ulong next, done, failed, no_bringup;
	atomic_uint running;	/* workers not yet ended */
	char first_bad[600];
	char first_env[600];
	double deadline;	/* soak_elapsed() bound for starting a cycle */
} dst = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Active entries of granter mapped by mapper (-1: any). */
static long xen_count(struct scen_env *e, long granter, long mapper)
{
	static __thread struct xen_grant_dump d;
	char err[200];
	long n = 0;

	/* One dump at a time: Xen prints it to its console ring. */
	pthread_mutex_lock(&dst.lock);
	if (xen_grant_snapshot(e->xc, &d, err, sizeof(err))) {
		n = -1;
	} else {
		for (size_t i = 0; i < d.count; i++)
			if ((granter < 0 || d.entry[i].granter == (uint32_t)granter) &&
			    (mapper < 0 || d.entry[i].mapper == (uint32_t)mapper))
				n++;
	}
	pthread_mutex_unlock(&dst.lock);
	return n;
}

static bool domain_exists(struct scen_env *e, unsigned int domid, bool *dying)
{
	xc_domaininfo_t info;

	if (xc_domain_getinfolist(e->xc, domid, 1, &info) != 1 || info.domain != domid)
		return false;
	*dying = info.flags & XEN_DOMINF_dying;
	return true;
}

static void note(char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(char *where, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&dst.lock);
	if (!where[0]) {
		va_start(ap, fmt);
		vsnprintf(where, sizeof(dst.first_bad), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&dst.lock);
}

/* The guest's console: crash patterns (then the file goes: dom0's memory). */
static int console_bad(const char *name, char *line, size_t len)
{
	static __thread char buf[1 << 18];
	char path[256];
	struct crash_verdict v;
	size_t n;
	FILE *f;
	int bad = 0;

	guest_console_log(name, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Known kernel reports (known_reports[]) are not the soak's findings. */
	if (crash_judge(buf, CRASH_KLOG, &v) == CRASH_UNKNOWN) {
		snprintf(line, len, "%s", v.line);
		bad = 1;
	}
	if (truncate(path, 0))
		(void)0;
	return bad;
}

/* Bring-up: 0, or -1 (environment: counted, not a failure of the code). */
static int dc_up(struct dc *c, unsigned long i)
{
	struct scen_env *e = c->e;
	struct guest_spec s = {
		.name = c->name, .kernel = e->o.kernel, .initrd = e->o.initrd,
		.cmdline = "console=hvc0 clocksource=xen tsc=reliable quiet",
		.memory_mib = 128, .vcpus = 1,
	};
	char err[512] = "";
	double t0 = mono();
	int id;

	c->dom = guest_create(e->conn, &s, err, sizeof(err));
	id = c->dom ? (int)virDomainGetID(c->dom) : -1;
	if (id <= 0) {
		note(dst.first_env, "cycle %lu: creating %s: %s", i, c->name,
		     err[0] ? err : virGetLastErrorMessage());
		return -1;
	}
	c->domid = (unsigned int)id;
	agent_init(&c->ag, e->xs, c->domid, e->o.timeout_s);
	if (agent_wait_ready(&c->ag)) {
		note(dst.first_env, "cycle %lu: %s (d%u) agent not ready in %d s", i, c->name,
		     c->domid, e->o.timeout_s);
		return -1;
	}
	c->t_up = mono() - t0;
	return 0;
}

/* Map both ways; 0, or -1 with the failure noted. */
static int dc_map(struct dc *c, unsigned long i)
{
	struct scen_env *e = c->e;
	struct gntlab_refs g = { .domid = 0, .count = NP }, r2;
	char text[300], val[256], *v;
	long n;

	c->sh = xengntshr_share_pages(e->gs, c->domid, NP, c->refs, 1);
	if (!c->sh) {
		note(dst.first_bad, "cycle %lu: xengntshr_share_pages(d%u): %s", i, c->domid,
		     strerror(errno));
		return -1;
	}
	for (uint32_t k = 0; k < NP; k++)
		gntlab_pattern_fill(c->sh + k * GNTLAB_PAGE_SIZE, SEED + (uint32_t)i, k, 0,
				    GNTLAB_PAGE_SIZE);
	memcpy(g.ref, c->refs, sizeof(c->refs));
	if (gntlab_refs_format(&g, val, sizeof(val)) || agent_put(&c->ag, GNTLAB_XS_REFS, val)) {
		note(dst.first_env, "cycle %lu: xs_write(refs of d%u): %s", i, c->domid,
		     strerror(errno));
		return -1;
	}
	snprintf(val, sizeof(val), "%s rw %u", gntlab_cmd_verbs[GNTLAB_CMD_MAP].name,
		 SEED + (uint32_t)i);
	if (agent_command(&c->ag, val, text, sizeof(text)) != 0) {
		note(dst.first_bad, "cycle %lu: d%u maps dom0's pages: %s", i, c->domid, text);
		return -1;
	}
	snprintf(val, sizeof(val), "%s %u %u", gntlab_cmd_verbs[GNTLAB_CMD_GRANT].name, NP,
		 SEED + 7);
	if (agent_command(&c->ag, val, text, sizeof(text)) != 0) {
		note(dst.first_bad, "cycle %lu: d%u grants dom0 pages: %s", i, c->domid, text);
		return -1;
	}
	v = agent_get(&c->ag, "grefs");
	if (!v || gntlab_refs_parse(v, &r2) || r2.count != NP) {
		note(dst.first_bad, "cycle %lu: d%u's grefs '%.60s'", i, c->domid, v ? v : "");
		free(v);
		return -1;
	}
	free(v);
	c->gt = xengnttab_open(NULL, 0);
	c->p = c->gt ? xengnttab_map_domain_grant_refs(c->gt, NP, c->domid, r2.ref,
						       PROT_READ | PROT_WRITE) : NULL;
	if (!c->p) {
		note(dst.first_bad, "cycle %lu: dom0 maps d%u's grants: %s", i, c->domid,
		     strerror(errno));
		return -1;
	}
	n = xen_count(e, 0, c->domid);
	if (n != NP) {
		note(dst.first_bad, "cycle %lu: Xen lists %ld grants of d0 mapped by d%u (want %u)",
		     i, n, c->domid, NP);
		return -1;
	}
	return 0;
}

/* Destroy while mapped, then everything must go. 0 or -1 (noted). */
static int dc_destroy(struct dc *c, unsigned long i)
{
	struct scen_env *e = c->e;
	bool dying = false;
	char line[300];
	long n = -1;
	int bad = 0;

	if (virDomainDestroy(c->dom)) {
		note(dst.first_bad, "cycle %lu: virDomainDestroy(d%u): %s", i, c->domid,
		     virGetLastErrorMessage());
		return -1;
	}
	for (int t = 0; t < 20 && (n = xen_count(e, 0, c->domid)) != 0; t++)
		usleep(250 * 1000);
	if (n != 0) {
		note(dst.first_bad, "cycle %lu: Xen lists %ld grants of d0 mapped by the destroyed d%u",
		     i, n, c->domid);
		bad = -1;
	}
	if (c->sh && xengntshr_unshare(e->gs, c->sh, NP)) {
		note(dst.first_bad, "cycle %lu: xengntshr_unshare after destroying d%u: %s", i,
		     c->domid, strerror(errno));
		bad = -1;
	}
	c->sh = NULL;
	if (c->p) {
		if (!domain_exists(e, c->domid, &dying) || !dying) {
			note(dst.first_bad, "cycle %lu: d%u %s while dom0 maps its pages", i,
			     c->domid, dying ? "is gone" : "is not dying");
			bad = -1;
		}
		xengnttab_unmap(c->gt, c->p, NP);
		c->p = NULL;
	}
	for (int t = 0; t < 100 && domain_exists(e, c->domid, &dying); t++)
		usleep(100 * 1000);
	if (domain_exists(e, c->domid, &dying)) {
		note(dst.first_bad, "cycle %lu: d%u still exists (%s) 10 s after dom0 unmapped",
		     i, c->domid, dying ? "dying" : "alive");
		bad = -1;
	}
	if (console_bad(c->name, line, sizeof(line))) {
		note(dst.first_bad, "cycle %lu: d%u's console: %s", i, c->domid, line);
		bad = -1;
	}
	return bad;
}

static void dc_cleanup(struct dc *c)
{
	if (c->p)
		xengnttab_unmap(c->gt, c->p, NP);
	if (c->gt)
		xengnttab_close(c->gt);
	if (c->sh)
		xengntshr_unshare(c->e->gs, c->sh, NP);
	if (c->dom) {
		if (virDomainIsActive(c->dom) > 0)
			virDomainDestroy(c->dom);
		virDomainFree(c->dom);
	}
	c->p = NULL;
	c->gt = NULL;
	c->sh = NULL;
	c->dom = NULL;
}

/* Each worker has its own xenstore and libxenctrl handles (watches are per handle). */
static void *worker(void *arg)
{
	struct dc *w = arg;
	static struct scen_env envs[SOAK_DESTROY_WORKERS];
	struct scen_env *we = &envs[w->worker];

	*we = *w->e;
	we->xs = xs_open(0);
	we->xc = xc_interface_open(NULL, NULL, 0);
	if (!we->xs || !we->xc) {
		note(dst.first_env, "worker %u: xs_open/xc_interface_open: %s", w->worker,
		     strerror(errno));
		atomic_fetch_add(&dst.no_bringup, soak_p.destroys);
		goto out;
	}
	w->e = we;
	for (;;) {
		unsigned long i = atomic_fetch_add(&dst.next, 1);
		struct dc c = { .e = w->e, .worker = w->worker };
		double t0 = mono();
		int rc;

		if (i >= soak_p.destroys || soak_elapsed() > dst.deadline ||
		    atomic_load(&dst.no_bringup) > soak_p.destroys / 10 + 2)
			break;
		snprintf(c.name, sizeof(c.name), "gntlab-soak%u", w->worker);
		rc = dc_up(&c, i);
		if (rc) {
			atomic_fetch_add(&dst.no_bringup, 1);
		} else {
			rc = dc_map(&c, i);
			if (dc_destroy(&c, i))
				rc = -1;
			if (rc)
				atomic_fetch_add(&dst.failed, 1);
			atomic_fetch_add(&dst.done, 1);
		}
		soak_logf(w->e->xc, "destroy i=%lu worker=%u ok=%d up=%d bringup_s=%.1f seconds=%.1f",
			  i, w->worker, rc == 0, c.t_up > 0, c.t_up, mono() - t0);
		dc_cleanup(&c);
	}
out:
	atomic_fetch_sub(&dst.running, 1);
	if (we->xs)
		xs_close(we->xs);
	if (we->xc)
		xc_interface_close(we->xc);
	return NULL;
}

void soak_destroy_cycles(struct scen_env *e, struct step_res *r)
{
	struct dc w[SOAK_DESTROY_WORKERS];
	pthread_t tid[SOAK_DESTROY_WORKERS];
	bool started[SOAK_DESTROY_WORKERS];
	double t0 = mono();
	unsigned long done, failed, noup;

	/* Leave a minute for the checks and the end of the run. */
	dst.deadline = (double)soak_p.seconds - 60;
	soak_logf(e->xc, "phase-start phase=destroys");
	atomic_store(&dst.running, SOAK_DESTROY_WORKERS);
	for (unsigned int k = 0; k < SOAK_DESTROY_WORKERS; k++) {
		w[k] = (struct dc){ .e = e, .worker = k };
		started[k] = pthread_create(&tid[k], NULL, worker, &w[k]) == 0;
		if (!started[k])
			worker(&w[k]);
	}
	/*
	 * The first guest's agent ends after 900 s without a command (it
	 * would power the guest off, as the first default-scale soak saw):
	 * every 60 s it unmaps, which with nothing mapped checks that its
	 * module counters are zero. A failure here is the first guest's.
	 */
	for (unsigned int s = 1; atomic_load(&dst.running); s++) {
		char text[300];

		sleep(1);
		if (s % 60 == 0 && e->ready &&
		    agent_command(&e->ag, gntlab_cmd_verbs[GNTLAB_CMD_UNMAP].name, text,
				  sizeof(text)) != 0)
			note(dst.first_bad, "the first guest, during the destroy cycles: %s", text);
	}
	for (unsigned int k = 0; k < SOAK_DESTROY_WORKERS; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
	done = atomic_load(&dst.done);
	failed = atomic_load(&dst.failed);
	noup = atomic_load(&dst.no_bringup);
	soak_logf(e->xc, "phase-end phase=destroys seconds=%.1f done=%lu failed=%lu no_bringup=%lu",
		  mono() - t0, done, failed, noup);
	report_diag("soak: %lu destroy cycles in %.0f s, %lu failed, %lu guests did not come up",
		    done, mono() - t0, failed, noup);
	if (failed || dst.first_bad[0])
		step_fail(r, "%lu of %lu destroy cycles failed; first problem: %s", failed, done,
			  dst.first_bad);
	else if (noup > soak_p.destroys / 10)
		step_error(r, "%lu guests did not come up; first: %s", noup, dst.first_env);
	else
		step_check(r, done >= soak_p.destroys,
			   "only %lu of %lu destroy cycles within the time bound (%lu s)", done,
			   soak_p.destroys, soak_p.seconds);
}
