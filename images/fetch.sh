#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Resolve the Debian package versions of the boot set (Xen, the dom0 kernel,
# the guest kernel and its headers), download them into the cache (once)
# and unpack them there.
# Usage: fetch.sh CACHE_DIR MANIFEST_OUT [XEN_SUITE DOM0_SUITE GUEST_SUITE]
#   Suites default to bookworm, served by the host's own apt configuration;
#   any other suite goes through a private one (images/apt-suite.sh).
#   Writes MANIFEST_OUT ("role package version sha256-prefix" lines) and
#   MANIFEST_OUT.mk (make variables), each only when its content changed.
set -euo pipefail
cache=$1
manifest=$2
xen_suite=${3:-bookworm} dom0_suite=${4:-bookworm} guest_suite=${5:-bookworm}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache/debs" "$cache/unpacked"
say() { printf '[images] %s\n' "$*" >&2; }

# apt for one suite: the host's for bookworm, a private configuration else.
# trixie-backports also needs trixie (its packages depend on the base suite)
# and prefers its own versions.
aptenv() { # suite -> sets APT_ENV (env assignments) and APT_OPTS
	local s=$1
	APT_OPTS=
	[ "$(id -u)" = 0 ] && APT_OPTS="-o APT::Sandbox::User=root"
	case "$s" in
	bookworm) APT_ENV= ;;
	*-backports)
		APT_ENV="APT_CONFIG=$("$here/apt-suite.sh" "$cache" "$s" "${s%-backports}" "${s%-backports}-security")"
		APT_OPTS="$APT_OPTS -o APT::Default-Release=$s" ;;
	*) APT_ENV="APT_CONFIG=$("$here/apt-suite.sh" "$cache" "$s" "$s-security")" ;;
	esac
}
acache() { env $APT_ENV apt-cache $APT_OPTS "$@"; }
# The meta packages pick the current ABI of the generic (not cloud) flavour.
resolve_dep() { # meta-package regex -> the package it depends on
	acache depends "$1" 2>/dev/null | awk -v p="$2" '/Depends:/ && $2 ~ p { print $2; exit }'
}
version_of() { acache policy "$1" | awk '/Candidate:/ { print $2; exit }'; }

: > "$manifest.tmp"
# fetch ROLE SUITE OUTDIR PACKAGE...: download and unpack into OUTDIR.
fetch() {
	local role=$1 suite=$2 out=$3 p v deb stamp; shift 3
	aptenv "$suite"
	for p in "$@"; do
		v=$(version_of "$p")
		[ -n "$v" ] && [ "$v" != "(none)" ] || { say "package $p has no candidate version in $suite (apt-get update?)"; exit 2; }
		deb=$(ls "$cache/debs/${p}_${v//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
		if [ -z "$deb" ]; then
			say "downloading $p $v ($suite)"
			# As root, apt drops to the _apt user to download, which cannot
			# write into root's cache: download as root straight away.
			(cd "$cache/debs" && env $APT_ENV apt-get download -q $APT_OPTS "$p=$v" >&2) ||
				{ say "apt-get download $p=$v failed"; exit 2; }
			deb=$(ls "$cache/debs/${p}_${v//:/%3a}_"*.deb | head -n1)
		fi
		stamp="$out/.$(basename "$deb").done"
		if [ ! -e "$stamp" ]; then
			say "unpacking $(basename "$deb")"
			mkdir -p "$out"
			dpkg-deb -x "$deb" "$out"
			touch "$stamp"
		fi
		printf '%s %s %s %s\n' "$role" "$p" "$v" "$(sha256sum "$deb" | cut -c1-16)" >> "$manifest.tmp"
	done
}

# fetch_kernel ROLE SUITE: sets K_VER K_ROOT K_MODROOT K_VMLINUZ K_DIR.
fetch_kernel() {
	local role=$1 suite=$2 kimg khdr kcommon kkbuild extra=
	aptenv "$suite"
	kimg=$(resolve_dep linux-image-amd64 '^linux-image-[0-9].*-amd64$')
	khdr=$(resolve_dep linux-headers-amd64 '^linux-headers-[0-9].*-amd64$')
	if [ -z "$kimg" ] || [ -z "$khdr" ]; then
		say "cannot resolve linux-image-amd64/linux-headers-amd64 in $suite: run 'apt-get update' (as root) first"
		exit 2
	fi
	kcommon=$(resolve_dep "$khdr" 'common$')
	kkbuild=$(resolve_dep "$khdr" '^linux-kbuild-')
	K_VER=${kimg#linux-image-}
	# Newer kernels are split: the image package depends on linux-binary-
	# (vmlinuz), linux-modules- and linux-base- (config, System.map).
	for p in binary modules base; do
		acache depends "$kimg" 2>/dev/null | grep -xF "  Depends: linux-$p-$K_VER" >/dev/null &&
			extra="$extra linux-$p-$K_VER"
	done
	K_ROOT="$cache/unpacked/kernel-$kimg"
	# The kernel package's name goes first: the manifest's readers take it.
	fetch "$role" "$suite" "$K_ROOT" "$kimg" $extra "$khdr" "$kcommon" "$kkbuild"
	# Modules live in lib/modules (6.1) or usr/lib/modules (6.12+).
	K_MODROOT=$K_ROOT
	[ -d "$K_ROOT/lib/modules/$K_VER" ] && [ ! -L "$K_ROOT/lib" ] || K_MODROOT=$K_ROOT/usr
	# The package's postinst would generate modules.dep; do it for the tree.
	[ -s "$K_MODROOT/lib/modules/$K_VER/modules.dep" ] || depmod -b "$K_MODROOT" "$K_VER"
	K_VMLINUZ=$K_ROOT/boot/vmlinuz-$K_VER
	[ -f "$K_VMLINUZ" ] || K_VMLINUZ=$K_MODROOT/lib/modules/$K_VER/vmlinuz
	[ -f "$K_VMLINUZ" ] || { say "no vmlinuz for $K_VER in $K_ROOT"; exit 2; }
	K_DIR="$K_ROOT/usr/src/linux-headers-$K_VER"
	[ -f "$K_DIR/Makefile" ] || { say "kernel headers missing in $K_DIR"; exit 2; }
}

# The hypervisor: the one xen-hypervisor-4.NN-amd64 package of its suite.
aptenv "$xen_suite"
xpkg=$(acache pkgnames xen-hypervisor-4. | grep -E '^xen-hypervisor-4\.[0-9]+-amd64$' | sort -V | tail -n1)
[ -n "$xpkg" ] || { say "no xen-hypervisor-4.NN-amd64 in $xen_suite"; exit 2; }
xver=$(version_of "$xpkg")
xbranch=${xpkg#xen-hypervisor-}; xbranch=${xbranch%-amd64}
fetch xen "$xen_suite" "$cache/unpacked/xen-$xver" "$xpkg"
xen_gz=$(ls "$cache/unpacked/xen-$xver/boot/xen-$xbranch-amd64.gz")

fetch_kernel dom0 "$dom0_suite"
D_VER=$K_VER D_ROOT=$K_ROOT D_MODROOT=$K_MODROOT D_VMLINUZ=$K_VMLINUZ D_DIR=$K_DIR
if [ "$guest_suite" = "$dom0_suite" ]; then
	sed -n 's/^dom0 /guest /p' "$manifest.tmp" > "$manifest.guest"
	cat "$manifest.guest" >> "$manifest.tmp"; rm -f "$manifest.guest"
else
	fetch_kernel guest "$guest_suite"
fi

{
	printf 'KVER := %s\nKROOT := %s\nKDIR := %s\nXEN_GZ := %s\n' "$D_VER" "$D_ROOT" "$D_DIR" "$xen_gz"
	printf 'XEN_BRANCH := %s\nKMODROOT := %s\nKVMLINUZ := %s\n' "$xbranch" "$D_MODROOT" "$D_VMLINUZ"
	printf 'GKVER := %s\nGKROOT := %s\nGKDIR := %s\nGKMODROOT := %s\nGKVMLINUZ := %s\n' \
		"$K_VER" "$K_ROOT" "$K_DIR" "$K_MODROOT" "$K_VMLINUZ"
} > "$manifest.mk.tmp"
if ! cmp -s "$manifest.mk.tmp" "$manifest.mk"; then mv "$manifest.mk.tmp" "$manifest.mk"; else rm -f "$manifest.mk.tmp"; fi
# Only replace the manifest when something changed, so make sees no update.
if ! cmp -s "$manifest.tmp" "$manifest"; then mv "$manifest.tmp" "$manifest"; else rm -f "$manifest.tmp"; fi
