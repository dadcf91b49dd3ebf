// SPDX-License-Identifier: GPL-2.0
/*
 * Every test name dom0 itself reports (the guest suites list theirs with
 * `gntlab-guest-tests --list`). report.c refuses names missing here, and
 * `gntlab-conductor --list` prints them for the catalogue check against
 * docs/tests*.md, so code and catalogue cannot drift apart.
 */
#include <stddef.h>

#include "report.h"

const char *const conductor_tests[] = {
	"boot/dom0-libraries",
	"boot/libvirt-connect",
	"boot/guest-via-libvirt",
	"boot/guest-agent-ready",
	"grant/create",
	"grant/publish",
	"map/pattern-intact",
	"xen/grants-active-while-mapped",
	"map/guest-write-seen-by-dom0",
	"teardown/guest-unmap",
	"teardown/xen-no-active-mapping",
	"teardown/dom0-revoke",
	"teardown/revoked-grant-refused",
	"teardown/dom0-log-clean",
	"guest/suites-completed",
	"timeout/guest-suites",
	"reverse/guest-grants-to-dom0",
	"reverse/dom0-maps-guest-grants",
	"reverse/pattern-intact-in-dom0",
	"reverse/xen-lists-dom0-mapping",
	"reverse/dom0-write-seen-by-guest",
	"reverse/dom0-unmap",
	"reverse/xen-no-mapping-after-unmap",
	"reverse/guest-revokes",
	"tools/share-unknown-domid",
	"tools/share-zero-pages",
	"tools/share-huge-count",
	"tools/share-bad-domid",
	"tools/map-ref-out-of-range",
	"tools/map-malformed-refs",
	"tools/wait-missing-xenstore-path",
	"tools/libvirtd-not-running",
	"tools/unknown-guest",
	"tools/unknown-command",
	"tools/share-good-input",
	"multi/second-guest-via-libvirt",
	"multi/second-guest-ready",
	"multi/dom0-shares-with-both",
	"multi/both-guests-map",
	"multi/xen-lists-both-mappers",
	"multi/dom0-maps-second-guest",
	"multi/destroy-while-mapped",
	"multi/destroy-drops-guest-mappings",
	"multi/dom0-revokes-after-destroy",
	"multi/destroyed-guest-kept-while-dom0-maps",
	"multi/destroyed-guest-freed-after-dom0-unmaps",
	"multi/other-guest-unaffected",
	"multi/dom0-revokes-first",
	"multi/virsh-and-xl-agree",
	"xen/guest-domain-info",
	"teardown/module-unload",
	"reverse/unmap-notify-clears-guest-byte",
	"teardown/guest-shutdown",
	"demo/guest-maps-and-reads",
	"demo/guest-unmaps-clean",
	"demo/nothing-leaked",
	"bench/completed",
	NULL
};
