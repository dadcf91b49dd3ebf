#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A build root of another Debian suite (e.g. trixie: gcc-14, libxen 4.20),
# debootstrapped once into the cache. Kernels of that suite are built with
# its compiler (their Kconfig probed gcc-14 flags such as
# -fmin-function-alignment), and dom0 tools link its Xen/libvirt libraries.
# Usage: buildroot.sh CACHE SUITE            -> prints the root's path
#        buildroot.sh CACHE SUITE -- CMD...  -> runs CMD inside it, with the
#   current directory and CACHE bound at the same paths (private mount
#   namespace: nothing stays mounted afterwards).
set -euo pipefail
cache=$1 suite=$2; shift 2
pkgs="gcc gcc-14 make libc6-dev libelf-dev bc kmod perl dwarves libxen-dev libvirt-dev pkgconf"
key=$(printf '%s' "$suite $pkgs v1" | sha256sum | cut -c1-12)
root="$cache/buildroot-$suite-$key"
say() { printf '[images] %s\n' "$*" >&2; }
if [ ! -e "$root/.done" ]; then
	[ "$(id -u)" = 0 ] || { say "debootstrap needs root (or a cached $root)"; exit 2; }
	rm -rf "$root"
	say "debootstrap $suite build root (minbase + ${pkgs// /,}) into $root; takes a few minutes"
	start=$(date +%s)
	debootstrap --variant=minbase --include="${pkgs// /,}" "$suite" "$root" \
		"${GNTLAB_MIRROR:-http://deb.debian.org/debian}" 2>&1 |
		grep --line-buffered -E '^(I: (Base system)|E:|W:)' | sed -u 's/^/[images]   /' >&2
	[ -x "$root/usr/bin/gcc-14" ] || [ -x "$root/usr/bin/x86_64-linux-gnu-gcc-14" ] ||
		{ say "debootstrap of $suite gave no gcc-14"; exit 2; }
	rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/cache/apt/*.bin
	chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' > "$root/.packages"
	touch "$root/.done"
	say "build root $suite ready in $(( $(date +%s) - start )) s"
fi
[ "${1:-}" = -- ] || { echo "$root"; exit 0; }
shift
cwd=$(pwd)
# Bind the working directory and the cache at their own paths, then chroot.
exec unshare -m sh -c '
	root=$1 cwd=$2 cache=$3; shift 3
	for d in "$cwd" "$cache" /proc /dev; do
		mkdir -p "$root$d" && mount --rbind "$d" "$root$d"
	done
	cd "$root$cwd" && exec chroot "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
' sh "$root" "$cwd" "$cache" "$@"
