// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "xs_wait.h"

#define CONSOLE_LOG_DIR "/var/log/xen/console"

/* libvirt prints every error to stderr by default; we report our own. */
static void quiet_errors(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e;
}

virConnectPtr guest_connect(const char *uri, int timeout_s)
{
	long long deadline = xs_now_ms() + timeout_s * 1000LL;

	virSetErrorFunc(NULL, quiet_errors);
	for (;;) {
		virConnectPtr c = virConnectOpen(uri);

		if (c)
			return c;
		if (xs_now_ms() > deadline) {
			fprintf(stderr, "virConnectOpen(%s): %s\n", uri,
				virGetLastErrorMessage());
			return NULL;
		}
		usleep(200 * 1000);
	}
}

virDomainPtr guest_create(virConnectPtr conn, const struct guest_spec *s,
			  char *err, size_t errlen)
{
	char xml[2048];
	virDomainPtr dom;

	snprintf(xml, sizeof(xml),
		 "<domain type='xen'>\n"
		 "  <name>%s</name>\n"
		 "  <memory unit='MiB'>%u</memory>\n"
		 "  <vcpu>%u</vcpu>\n"
		 "  <os>\n"
		 "    <type arch='x86_64' machine='xenpv'>linux</type>\n"
		 "    <kernel>%s</kernel>\n"
		 "    <initrd>%s</initrd>\n"
		 "    <cmdline>%s</cmdline>\n"
		 "  </os>\n"
		 "  <on_poweroff>destroy</on_poweroff>\n"
		 "  <on_reboot>destroy</on_reboot>\n"
		 "  <on_crash>destroy</on_crash>\n"
		 "  <devices>\n"
		 "    <console type='pty'><target type='xen' port='0'/></console>\n"
		 "  </devices>\n"
		 "</domain>\n",
		 s->name, s->memory_mib, s->vcpus, s->kernel, s->initrd,
		 s->cmdline);
	dom = virDomainCreateXML(conn, xml, 0);
	if (!dom)
		snprintf(err, errlen, "virDomainCreateXML(%s): %s", s->name,
			 virGetLastErrorMessage());
	return dom;
}

int guest_wait_gone(virConnectPtr conn, virDomainPtr dom, int timeout_s)
{
	long long deadline = xs_now_ms() + timeout_s * 1000LL;
	const char *name = virDomainGetName(dom);
	char n[64];

	snprintf(n, sizeof(n), "%s", name ? name : "?");
	while (xs_now_ms() < deadline) {
		virDomainPtr d = virDomainLookupByName(conn, n);
		int active = d ? virDomainIsActive(d) : 0;

		if (d)
			virDomainFree(d);
		if (active <= 0)
			return 0;
		usleep(200 * 1000);
	}
	if (virDomainDestroy(dom) < 0 && virDomainIsActive(dom) > 0) {
		fprintf(stderr, "virDomainDestroy(%s): %s\n", n,
			virGetLastErrorMessage());
		return -1;
	}
	return 1;
}

void guest_console_log(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, CONSOLE_LOG_DIR "/guest-%s.log", name);
}
