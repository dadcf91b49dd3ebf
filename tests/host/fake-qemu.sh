#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stand-in for qemu-system-x86_64 in the runner's own tests: prints a canned
# serial transcript chosen by GNTLAB_FAKE_SCENARIO, the way the real boot
# would reach the runner (Xen's "(XEN) " prefixes, CRLF, stderr mixed in).
#   pass fail crash hang silent stubborn flood early-exit no-tests noise
#   poweroff kvm-error verdicts stops-early guest-down
# GNTLAB_FAKE_ARGS=FILE    write the arguments received, one per line
# GNTLAB_FAKE_PIDFILE=FILE write this process's pid
set -euo pipefail

scenario=${GNTLAB_FAKE_SCENARIO:-pass}
if [ -n "${GNTLAB_FAKE_ARGS:-}" ]; then
	printf '%s\n' "$@" > "$GNTLAB_FAKE_ARGS"
fi
if [ -n "${GNTLAB_FAKE_PIDFILE:-}" ]; then
	echo $$ > "$GNTLAB_FAKE_PIDFILE"
fi

accel=tcg
prev=
for a in "$@"; do
	if [ "$prev" = "-accel" ]; then accel=$a; fi
	prev=$a
done

say() { printf '%s\r\n' "$*"; }
xen() { printf '(XEN) %s\r\n' "$*"; }
# Park like a QEMU whose guest stopped: the runner has to end us.
park() { exec sleep 1000; }

boot() {
	echo "qemu-system-x86_64: warning: fake QEMU ($scenario, accel $accel)" >&2
	xen " __  __            _  _    _ _____  "
	xen "Xen version 4.17.5 (Debian 4.17.5+23-ga4e5191b1d-1) (pkg-xen-devel@lists.alioth.debian.org) (x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0) debug=n"
	xen "Command line: $*"
	say "[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-1"
	say "[    0.000000] DEBUG: not a crash, just a word that contains BUG"
	say "GNTLAB-PHASE dom0-init"
	say "GNTLAB-LOG dom0 starting xenstored"
	say "GNTLAB-PHASE dom0-ready"
	say "GNTLAB-PHASE guest-start"
	say "GNTLAB-LOG run guest gntlab-guest1: kernel=/opt/gntlab/guest/kernel initrd=/opt/gntlab/guest/initrd.cpio.gz cmdline='console=hvc0' memory=256MiB vcpus=2"
	say "GNTLAB-LOG guest1 [    0.000000] Linux version 6.1.0-56-amd64"
	say "GNTLAB-PHASE guest-ready"
	say "GNTLAB-PHASE tests"
}

finish() {
	say "GNTLAB-PHASE tests-done"
	say "GNTLAB-END $1"
	xen "Hardware Dom0 shutdown: rebooting machine"
	exit 0
}

case "$scenario" in
pass)
	boot
	# Matrix cells, also behind Xen's prefix; one mismatch, which is a
	# report only (the tests would fail on their own), and two cells missing.
	say "GNTLAB-MATRIX gup-slow special EFAULT EFAULT"
	xen "d0v1 GNTLAB-MATRIX gup-slow nohook ok ok"
	say "GNTLAB-MATRIX odirect-read special EFAULT ok"
	say "GNTLAB-DIAG mapping 4 refs from dom0"
	say "GNTLAB-TAP ok map/ro-basic"
	say "GNTLAB-MATRIX gup-slow pfnmap EFAULT EFAULT"
	say "GNTLAB-TAP ok map/rw-basic"
	say "GNTLAB-TAP ok m2p/lookup # SKIP needs a PV guest with 2 vcpus"
	finish ok
	;;
fail)
	boot
	say "GNTLAB-TAP ok map/ro-basic"
	say "GNTLAB-DIAG expected 0xab at page 3 offset 17, got 0x00"
	say "GNTLAB-DIAG second diag line <&>"
	say "GNTLAB-TAP not ok map/rw-basic # pattern mismatch at page 3"
	finish fail
	;;
crash)
	boot
	say "GNTLAB-TAP ok map/ro-basic"
	say "GNTLAB-LOG guest1 [   12.345678] BUG: unable to handle page fault for address: ffffc90000123000"
	say "GNTLAB-LOG guest1 [   12.345700] Call Trace:"
	say "GNTLAB-LOG guest1 [   12.345710]  <TASK>"
	park
	;;
hang)
	boot
	say "GNTLAB-TAP ok map/ro-basic"
	park
	;;
silent)
	xen "Xen version 4.17.5 (fake)"
	park
	;;
stubborn)
	say "GNTLAB-PHASE dom0-init"
	trap '' TERM
	exec sleep 1000
	;;
flood)
	# A console that never stops talking: timeouts must still fire.
	say "GNTLAB-PHASE dom0-init"
	exec yes "(XEN) printk: 10000 messages suppressed, and then some more"
	;;
early-exit)
	xen "Xen version 4.17.5 (fake)"
	say "Linux version 6.1.0-56-amd64"
	echo "qemu-system-x86_64: fake fatal error" >&2
	exit 1
	;;
no-tests)
	boot
	finish ok
	;;
noise)
	# CR-only redraws, NUL bytes, a marker split over two writes, markers
	# behind other text, a very long line, a domain name needing sanitising.
	xen "Xen version 4.17.5 (fake)"
	printf 'Linux version 6.1\r\n'
	printf 'progress 10%%\rprogress 100%%\r\nGNTLAB-PHASE dom0-init\r\n'
	printf '(XEN) d0v0 GNTLAB-PHASE dom0-ready\r\n'
	printf 'GNTLAB-PHASE tests\r\n'
	printf 'GNTLAB-\000TAP ok noise/nul-inside\r\n'
	printf 'noise GNTLAB-TA'
	sleep 0.2
	printf 'P ok noise/split-write\r\n'
	head -c 40000 /dev/zero | tr '\0' 'x'
	printf ' GNTLAB-TAP ok noise/after-long-line\r\n'
	printf 'GNTLAB-LOG ../evil/dom name with spaces\r\n'
	printf '[  5.0] random GNTLAB-TAP ok noise/behind-text # SKIP not here\r\n'
	finish ok
	;;
poweroff)
	boot
	say "GNTLAB-TAP ok map/ro-basic"
	say "GNTLAB-PHASE tests-done"
	say "GNTLAB-END ok"
	xen "Hardware Dom0 halted: halting machine"
	park
	;;
kvm-error)
	if [ "$accel" = kvm ]; then
		echo "KVM internal error. Suberror: 1" >&2
		echo "emulation failure" >&2
		park
	fi
	boot
	say "GNTLAB-TAP ok map/ro-basic"
	finish ok
	;;
verdicts)
	# One of each verdict of tests/markers.h.
	boot
	say "GNTLAB-TAP ok v/pass"
	say "GNTLAB-TAP not ok v/fail # mapping differs at page 2"
	say "GNTLAB-TAP ok v/skip # SKIP no io_uring"
	say "GNTLAB-DIAG xenstore read of /local/domain/1/data timed out"
	say "GNTLAB-TAP not ok v/error # ERROR dom0 unreachable"
	say "GNTLAB-TAP not ok v/xfail # TODO XSA-396 unmap races with revoke"
	say "GNTLAB-TAP not ok v/xpass # XPASS commit:abc123 should fail on this kernel"
	finish ok
	;;
stops-early)
	# The guest test program stops after its third result; dom0 notices
	# it ended and finishes normally: only the list can tell what is missing.
	boot
	say "GNTLAB-TAP ok m2p/special_invariants"
	say "GNTLAB-TAP ok m2p/special_data_both_ways"
	say "GNTLAB-TAP ok m2p/special_readonly_grant"
	finish ok
	;;
guest-down)
	# The guest kernel panics: dom0 gives up on its agent (well before the
	# runner's phase timeout), reports the step, relays libxl's log and the
	# guest's console (the panic, a crash to the runner), and ends.
	echo "qemu-system-x86_64: warning: fake QEMU ($scenario, accel $accel)" >&2
	xen "Xen version 4.17.5 (fake)"
	say "[    0.000000] Linux version 6.1.0-56-amd64"
	say "GNTLAB-PHASE dom0-init"
	say "GNTLAB-PHASE dom0-ready"
	say "GNTLAB-PHASE guest-start"
	say "GNTLAB-LOG run guest gntlab-guest1: kernel=/opt/gntlab/guest/kernel initrd=/opt/gntlab/guest/initrd.cpio.gz cmdline='console=hvc0' memory=256MiB vcpus=2"
	say "GNTLAB-TAP ok boot/guest-via-libvirt"
	sleep 0.3
	say "GNTLAB-TAP not ok boot/guest-agent-ready # ERROR the guest domain gntlab-guest1 ended after 3 s without its agent writing /local/domain/1/data/gntlab/ready"
	say "GNTLAB-LOG guest-libxl 2026-12-03 17:20:01.123+0000: libxl: libxl_domain.c: Domain 1 has shut down, reason code 3"
	say "GNTLAB-LOG guest [    0.912345] Run /init as init process"
	say "GNTLAB-LOG guest [    0.923456] Kernel panic - not syncing: No working init found."
	say "GNTLAB-TAP not ok e2e/pattern # ERROR not run: boot/guest-agent-ready did not pass"
	finish 1
	;;
*)
	echo "fake-qemu: unknown scenario '$scenario'" >&2
	exit 3
	;;
esac
