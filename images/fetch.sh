#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Resolve the Debian package versions of the boot set (Xen, kernel, headers),
# download them into the cache (once) and unpack them there.
# Usage: fetch.sh CACHE_DIR MANIFEST_OUT
# Prints the unpack root of each package group on success.
set -euo pipefail
cache=$1
manifest=$2
mkdir -p "$cache/debs" "$cache/unpacked"
sandbox=
[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"

say() { printf '[images] %s\n' "$*" >&2; }

# The meta packages pick the current ABI of the generic (not cloud) flavour.
resolve_dep() { # meta-package -> the versioned package it depends on
	apt-cache depends "$1" 2>/dev/null | awk -v p="$2" '/Depends:/ && $2 ~ p { print $2; exit }'
}
version_of() { apt-cache policy "$1" | awk '/Candidate:/ { print $2 }'; }

kimg=$(resolve_dep linux-image-amd64 '^linux-image-[0-9].*-amd64$')
khdr=$(resolve_dep linux-headers-amd64 '^linux-headers-[0-9].*-amd64$')
if [ -z "$kimg" ] || [ -z "$khdr" ]; then
	say "cannot resolve linux-image-amd64/linux-headers-amd64: run 'apt-get update' (as root) first"
	exit 2
fi
kcommon=$(resolve_dep "$khdr" 'common$')
kkbuild=$(resolve_dep "$khdr" '^linux-kbuild-')
pkgs="xen-hypervisor-4.17-amd64 $kimg $khdr $kcommon $kkbuild"

: > "$manifest.tmp"
for p in $pkgs; do
	v=$(version_of "$p")
	[ -n "$v" ] && [ "$v" != "(none)" ] || { say "package $p has no candidate version (apt-get update?)"; exit 2; }
	deb=$(ls "$cache/debs/${p}_${v//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		say "downloading $p $v"
		# As root, apt drops to the _apt user to download, which cannot
		# write into root's cache (warning "Download is performed
		# unsandboxed as root"): download as root straight away.
		(cd "$cache/debs" && apt-get download -q $sandbox "$p=$v" >&2) ||
			{ say "apt-get download $p=$v failed"; exit 2; }
		deb=$(ls "$cache/debs/${p}_${v//:/%3a}_"*.deb | head -n1)
	fi
	out="$cache/unpacked/kernel-$kimg"
	[ "$p" = xen-hypervisor-4.17-amd64 ] && out="$cache/unpacked/xen-$v"
	stamp="$out/.$(basename "$deb").done"
	if [ ! -e "$stamp" ]; then
		say "unpacking $(basename "$deb")"
		mkdir -p "$out"
		dpkg-deb -x "$deb" "$out"
		touch "$stamp"
	fi
	printf '%s %s %s\n' "$p" "$v" "$(sha256sum "$deb" | cut -c1-16)" >> "$manifest.tmp"
done
# The package's postinst would generate modules.dep; do it for the unpacked tree.
kver=${kimg#linux-image-}
kroot="$cache/unpacked/kernel-$kimg"
[ -s "$kroot/lib/modules/$kver/modules.dep" ] || depmod -b "$kroot" "$kver"
kdir="$kroot/usr/src/linux-headers-$kver"
[ -f "$kdir/Makefile" ] || { say "kernel headers missing in $kdir"; exit 2; }
xen_gz=$(ls "$cache/unpacked/xen-$(version_of xen-hypervisor-4.17-amd64)"/boot/xen-4.17-amd64.gz)
printf 'KVER := %s\nKROOT := %s\nKDIR := %s\nXEN_GZ := %s\n' "$kver" "$kroot" "$kdir" "$xen_gz" > "$manifest.mk.tmp"
if ! cmp -s "$manifest.mk.tmp" "$manifest.mk"; then mv "$manifest.mk.tmp" "$manifest.mk"; else rm -f "$manifest.mk.tmp"; fi
# Only replace the manifest when something changed, so make sees no update.
if ! cmp -s "$manifest.tmp" "$manifest"; then mv "$manifest.tmp" "$manifest"; else rm -f "$manifest.tmp"; fi
