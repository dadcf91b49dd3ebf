/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0's scenarios as step tables (steps.h), and the state they share.
 *
 * scen_core.c: bringing up the first guest and the end-to-end grant, the
 * guest test program, module lifetime, shutdown, and the exit of our own
 * programs; scen_modes.c: `make demo` and `make bench`; scenarios.c: dom0
 * mapping a guest's grants (kernel gntdev), two guests at once, a guest
 * destroyed while grants are mapped both ways, and the tools' bad input.
 *
 * Adding a dom0 test: a function `void f(struct scen_env *e, struct
 * step_res *r)` that leaves r at PASS or calls step_fail (our code or Xen
 * is wrong), step_error (libvirt, xenstore, an agent that does not answer:
 * step_agent() does it for agent commands) or step_skip; then a row
 * { "suite/name", "catalogue text", f, "prerequisite,steps" } in its
 * scenario's table. The catalogue (docs/tests/dom0.md) is that text; the
 * runner, --list and the runner's expected list all follow from the row.
 * A new scenario also goes into conductor.c's plan().
 */
#ifndef GNTLAB_SCENARIOS_H
#define GNTLAB_SCENARIOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <libvirt/libvirt.h>
#include <xenctrl.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "agent_client.h"
#include "guest_requests.h"
#include "gntlab_proto.h"
#include "steps.h"

struct scen_opts {
	const char *tests;	/* the test filter, NULL = all */
	const char *kernel;
	const char *initrd;
	const char *name;	/* the first guest's name */
	const char *uri;
	unsigned int pages;
	unsigned int guest_mem;	/* MiB; 0 = 256, or 512 for bench */
	int timeout_s;
	int ready_timeout_s;	/* the first guest's agent ready (--ready-timeout) */
};

struct scen_env {
	struct scen_opts o;
	virConnectPtr conn;
	struct xs_handle *xs;
	xc_interface *xc;
	xengntshr_handle *gs;
	/* The first guest. */
	virDomainPtr dom;
	unsigned int domid;
	struct agent_conn ag;	/* its agent */
	bool ready;		/* the agent answered; it takes commands */
	bool logs_relayed;	/* the guest's console is in the results already */
	uint8_t *shared;	/* dom0's view of the pages granted to it */
	uint32_t refs[GNTLAB_PROTO_MAX_REFS];
	const char *tool;	/* path of gntlab-tool */
	/* The second guest, created early in the background (may be NULL). */
	virDomainPtr dom2;
	char dom2_err[512];	/* why creating it failed */
	pthread_t dom2_thread;
	bool dom2_started;
	/*
	 * Set by the conductor: run the scenarios that need only the first
	 * guest while it is between test programs and the second runs one
	 * (run_guest_programs calls it once).
	 */
	void (*first_guest_idle)(struct scen_env *e);
	/*
	 * Set by the conductor: start what needs the first guest's domain but
	 * not its agent, beside its boot (agent_ready calls it before waiting).
	 */
	void (*first_guest_booting)(struct scen_env *e);
	/* gntlab-tool runs, and the first abnormal exit (program/gntlab-tool). */
	unsigned int tool_runs;
	double tool_cpu, tool_cpu_max;	/* user + system seconds of the runs, the most of one */
	char tool_cpu_max_cmd[32];
	char tool_trouble[512];
};

/*
 * Send the agent one command (a verb of gntlab_cmd_verbs[], fmt its
 * arguments) as agent_command() does; on a transport failure (-1: the agent
 * did not answer, xenstore failed) set r to ERROR.
 */
int step_agent(struct step_res *r, struct agent_conn *a, char *text, size_t len,
	       enum gntlab_cmd_id verb, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* scen_core.c */
extern const struct scenario scen_init_begin, scen_setup, scen_core, scen_guest,
	scen_lifetime, scen_end, scen_init_end;
/* Xen's count of active grant entries of d0 for the first guest's refs. */
int xen_active_count(struct scen_env *e, size_t *active, char *err, size_t len);
/* Run a program in the guest through the agent and serve its requests. */
int run_guest_program(struct scen_env *e, struct step_res *r, const char *verb_args,
		      char *text, size_t len);

/* Xen's CPU time of every domain (xc_domain_getinfolist), for diagnostics. */
#define DOM_CPU_MAX 8
struct dom_cpu {
	unsigned int n;
	unsigned int domid[DOM_CPU_MAX];
	unsigned long long ns[DOM_CPU_MAX];
};

/* guest_run.c: one guest's slot of run_guest_programs(). */
struct guest_prog {
	struct agent_conn *ag;		/* the guest's agent */
	char verb_args[1200];		/* its first command ("" = from the queue) */
	bool wait_ready;		/* start once the agent says "ready" */
	/* Filled in: */
	int runs, none;			/* programs that acked; of them, rc 3 (none selected) */
	int bad_rc;			/* the first rc > 1 (the program died), else 0 */
	char bad_text[300];
	bool given_up;			/* the agent never came up */
	int rc;				/* the last ack's rc, -1 if none */
	char text[300];			/* the last ack's text */
	/* Private: */
	struct guest_requests gr;
	uint32_t seq;
	long long deadline;
	long long t0_ms;		/* when it started */
	struct dom_cpu cpu0;		/* Xen's CPU accounting then */
	bool started, done, ended, idle;
	bool watching, ready_watch, want_req, want_ack, want_ready;
	char p_req[192], p_ack[192], p_ready[192], t_req[16], t_ack[16], t_ready[16];
};
/*
 * Run programs in n (<= 2) guests at once and serve their requests until
 * each acked: each slot its own first command, then, whenever a slot is
 * free, the next command of the queue (nq entries) on that guest. Each
 * program's deadline moves with every request it sends; a silent one is
 * an ERROR of r after --timeout seconds and ends the wait for all. A slot
 * with wait_ready starts once its agent is up; if it is not when nothing
 * else runs and --timeout seconds have passed, it is given up (the other
 * slots have taken the queue by then). The first time slot 0 is between
 * programs (or done) while another slot runs one, e->first_guest_idle (if
 * set) runs, and the other slot's requests wait meanwhile.
 */
void run_guest_programs(struct scen_env *e, struct step_res *r, struct guest_prog *p, int n,
			const char *const *queue, int nq);

/*
 * scen_multi.c: the second guest's agent once its creation (started early
 * by scen_multi's start) returned, shared with scen_multi's own steps;
 * NULL if none was started or its creation failed.
 */
struct agent_conn *multi_second_agent(struct scen_env *e);

/* ERROR for a program's abnormal exit as the agent acks it (128 + n: signal n). */
void step_program_rc(struct step_res *r, const char *prog, int rc, const char *text);

/* scen_modes.c */
extern const struct scenario scen_demo, scen_bench;

/* scenarios.c */
extern const struct scenario scen_reverse, scen_tools, scen_multi;

/* scen_soak.c: `make soak` (docs/soak.md) */
extern const struct scenario scen_soak;

/* scen_gntalloc.c: the guest's kernel gntalloc granting to dom0 */
extern const struct scenario scen_gntalloc;

#endif
