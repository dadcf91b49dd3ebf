/* SPDX-License-Identifier: GPL-2.0 */
/* PV guests managed through libvirt's libxl driver (xen:///system). */
#ifndef GNTLAB_GUEST_H
#define GNTLAB_GUEST_H

#include <libvirt/libvirt.h>

struct guest_spec {
	const char *name;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	unsigned int memory_mib;
	unsigned int vcpus;
};

/* Connect, retrying while libvirtd starts; NULL after timeout_s. */
virConnectPtr guest_connect(const char *uri, int timeout_s);
/* Create a transient PV guest; returns the domain or NULL (message set). */
virDomainPtr guest_create(virConnectPtr conn, const struct guest_spec *spec,
			  char *err, size_t errlen);
/* Wait until the domain is gone (powered off); destroy it after timeout_s.
 * Returns 0 if it went away by itself, 1 if it had to be destroyed, -1 on error. */
int guest_wait_gone(virConnectPtr conn, virDomainPtr dom, int timeout_s);
/* Console log path kept by xenconsoled --log=guest. */
void guest_console_log(const char *name, char *buf, size_t len);

#endif
