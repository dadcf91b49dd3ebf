#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the uncompressed ELF kernel that Debian's bzImage (xz payload)
# carries, for Xen (dom0) and libxl (the guest) to load as is: under TCG,
# decompressing ~66 MB of xz inside Xen and inside dom0's libxenguest at
# every boot costs seconds that this one host-side step saves.
# Usage: extract-vmlinux.sh BZIMAGE OUT
set -euo pipefail
in=$1 out=$2
# The xz stream header: FD 37 7A 58 5A 00 (Debian up to 6.1); the zstd
# frame magic: 28 B5 2F FD (6.12+). The first one is the payload.
# (No early-closing pipe: with pipefail, grep's SIGPIPE would fail the step.)
first() { # byte pattern -> offset of its first match, or nothing
	local offs
	offs=$(LC_ALL=C grep -m1 -obUaP "$1" "$in" | cut -d: -f1) || offs=
	echo "${offs%%$'\n'*}"
}
off=$(first '\xfd\x37\x7a\x58\x5a\x00')
if [ -n "$off" ]; then
	tail -c +"$((off + 1))" "$in" >"$out.z"
	xz -dc --single-stream "$out.z" >"$out.tmp"
else
	off=$(first '\x28\xb5\x2f\xfd')
	if [ -z "$off" ]; then
		echo "extract-vmlinux: no xz or zstd payload in $in (not a Debian bzImage?)" >&2
		exit 2
	fi
	tail -c +"$((off + 1))" "$in" >"$out.z"
	# The bzImage goes on after the frame (its size, padding): zstd then
	# complains about the rest; the ELF check below judges the output.
	zstd -dcq "$out.z" >"$out.tmp" 2>/dev/null || true
fi
rm -f "$out.z"
if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" != 7f454c46 ]; then
	echo "extract-vmlinux: payload of $in is not an ELF file" >&2
	rm -f "$out.tmp"
	exit 2
fi
mv "$out.tmp" "$out"
echo "[images] $out: $(($(stat -c %s "$out") / 1048576)) MiB uncompressed ELF kernel"
