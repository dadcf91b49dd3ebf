/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility names: "peer" was both this client and dom0's server, so the
 * client is now dom0_client.h (dom0_*) and the server
 * dom0-tools/guest_requests.c. Remove this header once no file includes it
 * (the sed in docs/protocol.md, "Names").
 */
#ifndef GNTLAB_PEER_H
#define GNTLAB_PEER_H

#include "dom0_client.h"

#define peer_share dom0_share
#define peer_evtchn_event dom0_evtchn_event
#define peer_request dom0_request_line
#define peer_unshare dom0_unshare
#define peer_fill dom0_fill
#define peer_check dom0_check
#define peer_active dom0_active
#define peer_frames dom0_frames
#define peer_byte dom0_byte
#define peer_evtchn_bind dom0_evtchn_bind
#define peer_evtchn_wait dom0_evtchn_wait
#define peer_evtchn_close dom0_evtchn_close
#define peer_leakcheck dom0_leakcheck
#define peer_diag dom0_diag
#define peer_result dom0_result
#define peer_matrix dom0_matrix

#endif
