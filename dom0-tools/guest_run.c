// SPDX-License-Identifier: GPL-2.0
/*
 * Running programs in the guests through their agents (verbs suite, bench,
 * soak) and serving their requests until they ack: one program, or two at
 * once in two guests (run_guest_programs), served by this one process so
 * that Xen's grant dump and the console stay single-threaded.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_requests.h"
#include "markers_out.h"
#include "scenarios.h"
#include "xs_wait.h"


static void dom_cpu_read(xc_interface *xc, struct dom_cpu *c)
{
	xc_domaininfo_t info[DOM_CPU_MAX];
	int got = xc ? xc_domain_getinfolist(xc, 0, DOM_CPU_MAX, info) : -1;

	c->n = 0;
	for (int i = 0; i < got; i++) {
		c->domid[c->n] = info[i].domain;
		c->ns[c->n++] = info[i].cpu_time;
	}
}

/*
 * "d0 1.2 s, d1 8.3 s, ...": the CPU time each domain used since *a, by
 * Xen's accounting (hypercalls included), for the domains in both.
 */
static void dom_cpu_since(xc_interface *xc, const struct dom_cpu *a, char *buf, size_t len)
{
	struct dom_cpu b;
	size_t off = 0;

	buf[0] = '\0';
	dom_cpu_read(xc, &b);
	for (unsigned int i = 0; i < b.n && off < len; i++)
		for (unsigned int k = 0; k < a->n; k++)
			if (a->domid[k] == b.domid[i] && b.ns[i] >= a->ns[k]) {
				int w = snprintf(buf + off, len - off, "%sd%u %.1f s", off ? ", " : "",
						 b.domid[i], (b.ns[i] - a->ns[k]) / 1e9);

				off += w > 0 ? (size_t)w : 0;
			}
}

/* Watch paths and tokens of program i: req, ack, ready. */
static void prog_paths(struct guest_prog *g, int i)
{
	agent_path(g->ag, GNTLAB_XS_REQ, g->p_req, sizeof(g->p_req));
	agent_path(g->ag, GNTLAB_XS_ACK, g->p_ack, sizeof(g->p_ack));
	agent_path(g->ag, GNTLAB_XS_READY, g->p_ready, sizeof(g->p_ready));
	snprintf(g->t_req, sizeof(g->t_req), "req%d", i);
	snprintf(g->t_ack, sizeof(g->t_ack), "ack%d", i);
	snprintf(g->t_ready, sizeof(g->t_ready), "rdy%d", i);
}

/* Send the program's command; false (r ERROR) if xenstore failed. */
static bool prog_start(struct scen_env *e, struct step_res *r, struct guest_prog *g)
{
	char v[1300], cmdp[192];

	guest_requests_init(&g->gr, e->xs, e->xc, e->gs, g->ag->domid, g->ag->dir);
	g->ended = false;
	g->seq = ++g->ag->seq;
	if (!xs_watch(e->xs, g->p_req, g->t_req) || !xs_watch(e->xs, g->p_ack, g->t_ack)) {
		step_error(r, "xs_watch(d%u): %s", g->ag->domid, strerror(errno));
		return false;
	}
	g->watching = true;
	snprintf(v, sizeof(v), "%u %s", g->seq, g->verb_args);
	if (!xs_write(e->xs, XBT_NULL, agent_path(g->ag, GNTLAB_XS_CMD, cmdp, sizeof(cmdp)),
		      v, strlen(v))) {
		step_error(r, "xs_write(d%u cmd): %s", g->ag->domid, strerror(errno));
		return false;
	}
	g->started = true;
	g->t0_ms = xs_now_ms();
	dom_cpu_read(e->xc, &g->cpu0);
	g->want_req = g->want_ack = true;
	g->deadline = xs_now_ms() + e->o.timeout_s * 1000LL;
	return true;
}

/* The program's watches, channel and shares (once per started program). */
static void prog_end(struct scen_env *e, struct guest_prog *g)
{
	if (g->watching) {
		xs_unwatch(e->xs, g->p_req, g->t_req);
		xs_unwatch(e->xs, g->p_ack, g->t_ack);
	}
	g->watching = false;
	if (!g->started || g->ended)
		return;
	g->ended = true;
	guest_requests_end(&g->gr);
	if (guest_requests_release_all(&g->gr))
		report_diag("revoked shares the guest program (%s, d%u) left open", g->verb_args,
			    g->ag->domid);
}

/*
 * One pass over program g after a wake-up: serve what it sent (xenstore
 * req when its watch fired, the request channel always), then its ack.
 * Returns true when it has ended.
 */
static bool prog_serve(struct scen_env *e, struct guest_prog *g)
{
	struct gntlab_ack a;
	unsigned int n;
	char *ack = NULL;

	if (g->want_req) {
		g->want_req = false;
		if (guest_requests_poll(&g->gr))
			g->deadline = xs_now_ms() + e->o.timeout_s * 1000LL;
	}
	/* The request channel (after `chan`): look at its page on every wake-up. */
	if (guest_requests_poll_chan(&g->gr))
		g->deadline = xs_now_ms() + e->o.timeout_s * 1000LL;
	if (g->want_ack) {
		g->want_ack = false;
		ack = xs_read(e->xs, XBT_NULL, g->p_ack, &n);
	}
	if (ack && !gntlab_ack_parse(ack, &a) && a.seq == g->seq) {
		char cpu[200];

		free(ack);
		dom_cpu_since(e->xc, &g->cpu0, cpu, sizeof(cpu));
		report_diag("guest program (%s, d%u) exited with %d after %u requests, %.1f s; "
			    "CPU meanwhile (Xen's accounting): %s", g->verb_args, g->ag->domid,
			    a.rc, g->gr.requests, (xs_now_ms() - g->t0_ms) / 1000.0, cpu);
		guest_requests_diag(&g->gr);
		snprintf(g->text, sizeof(g->text), "%s", a.text);
		g->rc = a.rc;
		g->done = true;
		return true;
	}
	free(ack);
	return false;
}

/* Is the agent of a program not started yet up? (its "ready" key) */
static bool prog_ready(struct guest_prog *g)
{
	char *v = agent_get(g->ag, GNTLAB_XS_READY);

	free(v);
	return v != NULL;
}

/* Program g acked: keep its outcome in the slot's totals. */
static void prog_record(struct guest_prog *g)
{
	g->runs++;
	if (g->rc == 3)		/* the agent's SUITE_NONE_SELECTED */
		g->none++;
	else if (g->rc > 1 && !g->bad_rc) {
		g->bad_rc = g->rc;
		snprintf(g->bad_text, sizeof(g->bad_text), "%s", g->text);
	}
}

/* The slot's next program from the queue; false if there is none. */
static bool prog_take(struct guest_prog *g, const char *const *queue, int nq, int *qi)
{
	if (*qi >= nq)
		return false;
	snprintf(g->verb_args, sizeof(g->verb_args), "%s", queue[(*qi)++]);
	return true;
}

static bool others_running(const struct guest_prog *p, int n)
{
	for (int i = 1; i < n; i++)
		if (p[i].started && !p[i].done)
			return true;
	return false;
}

/*
 * The first guest is between programs, another one runs: its own
 * scenarios now (e->first_guest_idle), the others' requests wait.
 */
static void run_first_guest_idle(struct scen_env *e, struct guest_prog *p, int n)
{
	e->first_guest_idle(e);
	/* Its xenstore waits may have taken our watch events. */
	for (int i = 0; i < n; i++)
		p[i].want_req = p[i].want_ack = p[i].want_ready = true;
}

void run_guest_programs(struct scen_env *e, struct step_res *r, struct guest_prog *p, int n,
			const char *const *queue, int nq)
{
	long long ready_deadline = xs_now_ms() + e->o.timeout_s * 1000LL;
	bool failed = false, idle_hook = e->first_guest_idle && n > 1;
	int qi = 0;

	for (int i = 0; i < n; i++) {
		struct guest_prog *g = &p[i];

		prog_paths(g, i);
		g->rc = -1;
		g->started = g->done = g->watching = g->ready_watch = g->idle = false;
		g->text[0] = '\0';
		if (g->wait_ready) {
			if (xs_watch(e->xs, g->p_ready, g->t_ready))
				g->ready_watch = true;
			g->want_ready = true;
		} else if (!g->verb_args[0] && !prog_take(g, queue, nq, &qi)) {
			g->idle = true;
		} else if (!prog_start(e, r, g)) {
			failed = true;
		}
	}
	while (!failed) {
		struct pollfd pfd[1 + 2] = { { .fd = xs_fileno(e->xs), .events = POLLIN } };
		long long now, next = -1;
		int running = 0, waiting = 0;
		char **ev;
		unsigned int len;

		for (int i = 0; i < n; i++) {
			struct guest_prog *g = &p[i];

			if (!g->started && !g->idle && !g->given_up && g->want_ready) {
				g->want_ready = false;
				if (prog_ready(g)) {
					if (!g->verb_args[0] && !prog_take(g, queue, nq, &qi))
						g->idle = true;
					else if (!prog_start(e, r, g))
						failed = true;
				}
			}
			/* Done: the next program of the queue on the same guest. */
			if (g->started && !g->done && prog_serve(e, g)) {
				prog_record(g);
				prog_end(e, g);
				g->started = g->done = false;
				g->verb_args[0] = '\0';
				if (i == 0 && idle_hook && others_running(p, n)) {
					run_first_guest_idle(e, p, n);
					idle_hook = false;
				}
				if (!prog_take(g, queue, nq, &qi))
					g->idle = true;
				else if (!prog_start(e, r, g))
					failed = true;
			}
			if (g->started && !g->done)
				running++;
			else if (!g->started && !g->idle && !g->given_up &&
				 (g->verb_args[0] || qi < nq))
				waiting++;
		}
		if (failed || running + waiting == 0)
			break;
		/* The first guest has nothing left, the other still runs: overlap. */
		if (idle_hook && p[0].idle && running) {
			idle_hook = false;
			run_first_guest_idle(e, p, n);
			continue;
		}
		now = xs_now_ms();
		for (int i = 0; i < n; i++) {
			struct guest_prog *g = &p[i];

			if (g->started && !g->done && now >= g->deadline) {
				step_error(r, "no request or ack from the guest program (%s, d%u) "
					   "for %d s", g->verb_args, g->ag->domid, e->o.timeout_s);
				failed = true;
			}
			if (g->started && !g->done && (next < 0 || g->deadline < next))
				next = g->deadline;
		}
		if (failed)
			break;
		/* A guest that never came up: what is left goes to the others. */
		if (!running && now >= ready_deadline) {
			for (int i = 0; i < n; i++)
				if (!p[i].started && !p[i].idle && !p[i].given_up) {
					p[i].given_up = true;
					report_diag("d%u's agent not ready in %d s: nothing started "
						    "there", p[i].ag->domid, e->o.timeout_s);
				}
			continue;
		}
		if (waiting && (next < 0 || ready_deadline < next))
			next = ready_deadline;
		for (int i = 0; i < n && i < 2; i++)
			pfd[1 + i] = (struct pollfd){ .fd = p[i].started && !p[i].done ?
							       guest_requests_chan_fd(&p[i].gr) : -1,
						      .events = POLLIN };
		/* An event libxenstore already queued would not wake poll(). */
		ev = xs_check_watch(e->xs);
		if (!ev && poll(pfd, 1 + (n < 2 ? n : 2), (int)(next - now > 0 ? next - now : 0)) > 0 &&
		    (pfd[0].revents & POLLIN))
			ev = xs_read_watch(e->xs, &len);
		if (ev) {
			for (int i = 0; i < n; i++) {
				if (!strcmp(ev[XS_WATCH_TOKEN], p[i].t_req))
					p[i].want_req = true;
				else if (!strcmp(ev[XS_WATCH_TOKEN], p[i].t_ack))
					p[i].want_ack = true;
				else if (!strcmp(ev[XS_WATCH_TOKEN], p[i].t_ready))
					p[i].want_ready = true;
			}
			free(ev);
		} else if (!(pfd[1].revents & POLLIN) && !(n > 1 && (pfd[2].revents & POLLIN))) {
			/* Timed out or an error: look at everything once more. */
			for (int i = 0; i < n; i++)
				p[i].want_req = p[i].want_ack = p[i].want_ready = true;
		}
	}
	for (int i = 0; i < n; i++) {
		prog_end(e, &p[i]);
		if (p[i].ready_watch)
			xs_unwatch(e->xs, p[i].p_ready, p[i].t_ready);
		p[i].ready_watch = false;
	}
}

int run_guest_program(struct scen_env *e, struct step_res *r, const char *verb_args,
		      char *text, size_t len)
{
	static struct guest_prog g;

	memset(&g, 0, sizeof(g));
	g.ag = &e->ag;
	snprintf(g.verb_args, sizeof(g.verb_args), "%s", verb_args);
	run_guest_programs(e, r, &g, 1, NULL, 0);
	snprintf(text, len, "%s", g.text);
	return g.runs ? g.rc : -1;
}
