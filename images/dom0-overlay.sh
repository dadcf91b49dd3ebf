#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Pack what we add to the dom0 base rootfs: /init, the Xen kernel modules it
# loads (with their dependencies), our dom0 tools, and the guest's boot files.
# Usage: dom0-overlay.sh OUT.cpio KERNEL_ROOT KVER INIT GUEST_KERNEL GUEST_INITRD TOOL...
#   KERNEL_ROOT: where lib/modules/KVER is (the unpacked kernel, or its usr/).
set -euo pipefail
out=$1 kroot=$2 kver=$3 init=$4 gkernel=$5 ginitrd=$6; shift 6
stage=$(mktemp -d "${out%/*}/.dom0-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mods="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback"
# The base is merged-/usr (lib -> usr/lib): an overlay entry "lib" that is a
# directory would replace the symlink when the kernel unpacks it, so install
# under usr/lib only.
chmod 0755 "$stage"
mkdir -p "$stage/opt/gntlab/bin" "$stage/opt/gntlab/guest" "$stage/usr/lib/modules/$kver" "$stage/dev"
install -m 0755 "$init" "$stage/init"
for t in "$@"; do install -m 0755 "$t" "$stage/opt/gntlab/bin/"; done
install -m 0644 "$gkernel" "$stage/opt/gntlab/guest/kernel"
install -m 0644 "$ginitrd" "$stage/opt/gntlab/guest/initrd.cpio.gz"
# Modules: the ones we load plus everything they depend on, per modules.dep.
src="$kroot/lib/modules/$kver"
need=$(for m in $mods; do
	# .ko, or .ko.xz (6.12+): dom0's own kmod loads either.
	f=$(awk -F: -v m="/$m.ko" '{ p = $1; sub(/\.xz$/, "", p) }
		index(p, m) && substr(p, length(p) - length(m) + 1) == m { print $1 ": " $2 }' "$src/modules.dep")
	[ -n "$f" ] || { echo "[images] module $m not in $src/modules.dep" >&2; exit 2; }
	echo "$f" | tr ' :' '\n\n'
done | sed '/^$/d' | sort -u)
for f in $need; do install -D -m 0644 "$src/$f" "$stage/usr/lib/modules/$kver/$f"; done
cp "$src"/modules.{order,builtin,builtin.modinfo} "$stage/usr/lib/modules/$kver/"
depmod -b "$stage/usr" "$kver"
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out.tmp"
mv "$out.tmp" "$out"
echo "[images] dom0 overlay: $(du -h "$out" | cut -f1), modules: $(echo $need | wc -w)" >&2
