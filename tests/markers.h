/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Serial-console markers: how the domains report to the host runner.
 *
 * dom0 prints these on its console (hvc0, which Xen forwards to the serial
 * line the host reads). A marker may appear anywhere in a line (Xen can put
 * its own text before it); everything after the marker up to the end of the
 * line is its payload.
 *
 *   GNTLAB-PHASE <name>                 a phase began/was reached
 *   GNTLAB-DIAG <text>                  diagnostic for the next test line
 *   GNTLAB-TAP ok <name>                PASS
 *   GNTLAB-TAP ok <name> # SKIP <why>   SKIP: a capability is missing
 *   GNTLAB-TAP not ok <name> # <why>    FAIL: the code under test is wrong
 *   GNTLAB-TAP not ok <name> # ERROR <why>
 *                                       ERROR: the test or its environment
 *                                       broke (dom0 unreachable, xenstore
 *                                       timeout, fixture setup failed,
 *                                       a test program crashed)
 *   GNTLAB-TAP not ok <name> # TODO <ref> <why>
 *                                       XFAIL: failed as expected; <ref>
 *                                       (one word: XSA-396, a commit, a
 *                                       URL) names the known bug
 *   GNTLAB-TAP not ok <name> # XPASS <ref> <why>
 *                                       XPASS: expected to fail (ref) but
 *                                       passed; fails the run so that it
 *                                       gets noticed
 *   GNTLAB-LOG <domain> <text>          one line of a domain's own log
 *   GNTLAB-MATRIX <row> <col> <expected> <observed>
 *                                       one cell of the behaviour matrix
 *                                       (row: GUP user, col: mapping mode;
 *                                       outcomes are single words, e.g.
 *                                       ok, EFAULT, SIGSEGV)
 *   GNTLAB-END <status>                 dom0 finished; QEMU exit follows
 *
 * Test names are "suite/name", no spaces.
 */
#ifndef GNTLAB_MARKERS_H
#define GNTLAB_MARKERS_H

#define GNTLAB_MARK_PHASE "GNTLAB-PHASE "
#define GNTLAB_MARK_DIAG "GNTLAB-DIAG "
#define GNTLAB_MARK_TAP "GNTLAB-TAP "
#define GNTLAB_MARK_LOG "GNTLAB-LOG "
#define GNTLAB_MARK_END "GNTLAB-END "
#define GNTLAB_MARK_MATRIX "GNTLAB-MATRIX "

/* Phase names, in boot order. */
#define GNTLAB_PHASE_DOM0_INIT "dom0-init"	/* dom0 /init started */
#define GNTLAB_PHASE_DOM0_READY "dom0-ready"	/* xenstored, libvirtd up */
#define GNTLAB_PHASE_GUEST_START "guest-start"	/* guest being created */
#define GNTLAB_PHASE_GUEST_READY "guest-ready"	/* guest agent answered */
#define GNTLAB_PHASE_TESTS "tests"		/* tests running */
#define GNTLAB_PHASE_TESTS_DONE "tests-done"	/* all tests reported */

/*
 * Other writers share the serial line with dom0's markers: Xen prints its own
 * lines ("(XEN) ...") and a guest's early console writes ("(d1) ..."), and
 * dom0's kernel its console lines ("[   12.345678] ..."). Any can land inside a marker line, between two pieces of one
 * write (seen: Xen's 'g' dump between a TAP line and its CRLF, which the tty
 * writes separately). The runner takes such a line back out of the marker
 * (tests/host/serial.c); for that to be unambiguous a marker's payload never
 * contains either prefix (dom0-tools/markers_out.c rewrites them), except
 * that a GNTLAB-LOG payload may carry kernel timestamps (relayed logs).
 *
 * gntlab_foreign_line_at(s): the length of such a prefix at s, or 0.
 */
static inline unsigned gntlab_foreign_line_at(const char *s)
{
	unsigned i = 1, digits = 0, frac = 0;

	if (s[0] == '(' && s[1] == 'X' && s[2] == 'E' && s[3] == 'N' && s[4] == ')' &&
	    s[5] == ' ')
		return 6;
	/* Xen relaying a guest's console writes (early printk): "(d1) " */
	if (s[0] == '(' && s[1] == 'd' && s[2] >= '0' && s[2] <= '9') {
		while (s[i + 1] >= '0' && s[i + 1] <= '9')
			i++;
		return s[i + 1] == ')' && s[i + 2] == ' ' ? i + 3 : 0;
	}
	if (s[0] != '[')
		return 0;
	while (s[i] == ' ')
		i++;
	while (s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (digits == 0 || s[i] != '.')
		return 0;
	i++;
	while (s[i] >= '0' && s[i] <= '9') {
		i++;
		frac++;
	}
	if (frac != 6 || s[i] != ']')
		return 0;
	return i + 1;
}

/* Is it Xen's prefix, its own or a guest's (not a kernel timestamp)? */
static inline int gntlab_foreign_is_xen(const char *s)
{
	return s[0] == '(';
}

#endif /* GNTLAB_MARKERS_H */
