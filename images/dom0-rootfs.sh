#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the dom0 root filesystem with debootstrap (minbase + Xen tools +
# libvirt's libxl driver), trim it, and pack it as an uncompressed newc cpio.
# The result is cached outside the checkout, keyed by the package list, so a
# fresh clone on the same machine does not run debootstrap again.
# Usage: [DOM0_SUITE=trixie] dom0-rootfs.sh CACHE_DIR OUT_CPIO PACKAGES...
#   DOM0_SUITE: the Debian suite (default bookworm), its -updates and
#   -security suites included.
set -euo pipefail
cache=$1; out=$2; shift 2
suite=${DOM0_SUITE:-bookworm}
pkgs=$(printf '%s\n' "$@" | sort | paste -sd, -)
key=$(printf '%s' "$suite $pkgs v5" | sha256sum | cut -c1-12)
cpio_cache="$cache/dom0-base-$key.cpio"
say() { printf '[images] %s\n' "$*" >&2; }

if [ ! -s "$cpio_cache" ]; then
	[ "$(id -u)" = 0 ] || { say "debootstrap needs root (or a cached $cpio_cache)"; exit 2; }
	command -v debootstrap >/dev/null || { say "debootstrap missing: apt-get install debootstrap"; exit 2; }
	root="$cache/dom0-root-$key"
	rm -rf "$root"
	say "debootstrap $suite (minbase + $pkgs) into $root; takes 1-3 minutes"
	start=$(date +%s)
	# Progress: debootstrap prints I: lines per step; show them as they come.
	# bookworm: the packages in debootstrap's own run. Newer suites: minbase
	# first, the packages by apt inside (trixie's debootstrap run fails to
	# order systemd, which logrotate -> cron-daemon-common pulls in).
	include="--include=$pkgs"
	[ "$suite" = bookworm ] || include=
	debootstrap --variant=minbase $include "$suite" "$root" \
		"${GNTLAB_MIRROR:-http://deb.debian.org/debian}" 2>&1 |
		grep --line-buffered -E '^(I: (Retrieving|Extracting|Installing|Configuring|Base system)|E:|W:)' |
		awk '{ n++; if ($2=="Retrieving" || $2=="Extracting" || $2=="Configuring") { if (n % 20 == 0) print "[images]   " $0 } else print "[images]   " $0; fflush() }' >&2
	# debootstrap only knows the main suite; the hypervisor we boot comes from
	# <suite>-security, so bring the tools to the same (security) versions.
	mirror=${GNTLAB_MIRROR:-http://deb.debian.org/debian}
	printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
		"$mirror" "$suite" "$mirror" "$suite" \
		"${GNTLAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}" "$suite" \
		> "$root/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
	say "upgrading dom0 packages from $suite-security/updates"
	chroot "$root" apt-get -q update >&2
	if [ -z "$include" ]; then
		say "installing ${pkgs//,/ } with apt"
		DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -q -y --no-install-recommends \
			install ${pkgs//,/ } 2>&1 |
			grep --line-buffered -E '^(Setting up|E:)' | sed -u 's/^/[images]   /' >&2
	fi
	[ -x "$root/usr/sbin/xl" ] || { say "debootstrap did not install xl; see above"; exit 2; }
	DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -q -y upgrade 2>&1 |
		grep --line-buffered -E '^(Get:|Setting up|E:)' | sed -u 's/^/[images]   /' >&2
	rm -f "$root/usr/sbin/policy-rc.d"
	chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' > "$cache/dom0-packages-$key.txt"
	say "debootstrap done in $(( $(date +%s) - start )) s; trimming"
	rm -rf "$root"/usr/share/{doc,man,info,locale,i18n,zoneinfo} "$root"/var/cache/apt/* \
		"$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/usr/share/common-licenses
	# Every boot unpacks the whole rootfs: drop what dom0 never runs here
	# (interpreters pulled in by package scripts, iconv modules, completion).
	rm -rf "$root"/usr/lib/python3* "$root"/usr/bin/python3* "$root"/usr/share/python3 \
		"$root"/usr/bin/perl* "$root"/usr/lib/x86_64-linux-gnu/perl* "$root"/usr/share/perl* \
		"$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/var/cache/* \
		"$root"/usr/share/bash-completion "$root"/usr/share/lintian
	# libvirtd: keep only the libxl connection driver (qemu's needs its own
	# system user and fails; lxc/vbox are irrelevant here).
	for d in "$root"/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/*.so; do
		case "$(basename "$d")" in
		libvirt_driver_libxl.so) ;;
		*) rm -f "$d" ;;
		esac
	done
	# Kernel modules come from our kernel package, not from here.
	rm -rf "$root"/lib/modules "$root"/boot
	(cd "$root" && find . -xdev | LC_ALL=C sort | cpio -o -H newc --quiet) > "$cpio_cache.tmp"
	mv "$cpio_cache.tmp" "$cpio_cache"
	rm -rf "$root"
	say "dom0 base rootfs: $(du -h "$cpio_cache" | cut -f1)"
fi
# (No touch of the shared cached archive: configurations that share it
# would rebuild each other's images; the Makefile keeps a stamp per build.)
ln -sfn "$cpio_cache" "$out"
cp "$cache/dom0-packages-$key.txt" "$out.packages"
