// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: WQ_PERCPU (Linux 6.17+, "workqueue: Add new WQ_PERCPU flag"); 7.x
 * WARNs when alloc_workqueue() gets neither WQ_PERCPU nor WQ_UNBOUND.
 */
#include <linux/workqueue.h>

const unsigned int probe_flag = WQ_PERCPU;
