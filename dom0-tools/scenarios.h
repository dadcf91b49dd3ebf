/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dom0-side scenarios that need more than one guest or the other direction:
 * dom0 mapping a guest's grants (kernel gntdev), two guests at once, a guest
 * destroyed while grants are mapped both ways, and the tools' bad input.
 */
#ifndef GNTLAB_SCENARIOS_H
#define GNTLAB_SCENARIOS_H

#include <pthread.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>
#include <xenctrl.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "agent_client.h"

struct scen_env {
	virConnectPtr conn;
	struct xs_handle *xs;
	xc_interface *xc;
	xengntshr_handle *gs;
	const char *kernel, *initrd, *uri;
	int timeout_s;
	struct agent_conn *g1;	/* the first guest, agent ready */
	const char *g1_name;
	const char *tool;	/* path of gntlab-tool */
	virDomainPtr dom2;	/* second guest, created early (may be NULL) */
	char dom2_err[512];	/* why creating it failed */
	pthread_t dom2_thread;	/* creates it in the background */
	bool dom2_started;
};

/*
 * Start creating the second guest in a background thread (libxl builds a PV
 * domain in ~10 s under TCG), so it boots while other tests run.
 */
void scenario_two_guests_start(struct scen_env *e);

/* Destroy the second guest if it was started but never used. */
void scenario_two_guests_cleanup(struct scen_env *e);
void scenario_tool_badinput(struct scen_env *e);
void scenario_dom0_maps_guest(struct scen_env *e);
void scenario_two_guests(struct scen_env *e);

#endif
