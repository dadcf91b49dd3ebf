#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Pack the guest initramfs: static busybox, our module, the agent, /init.
# Usage: guest-initrd.sh OUT.cpio.gz INIT BUSYBOX MODULE KMODS_DIR "KMODS" PROGRAM...
#   KMODS: kernel modules (paths relative to KMODS_DIR) the guest may load,
#   installed flat in /lib/gntlab/kmod/ (none of them has dependencies),
#   KMODS_DIR/<path>.xz when only that exists.
set -euo pipefail
out=$1 init=$2 busybox=$3 module=$4 kmods_dir=$5 kmods=$6; shift 6
stage=$(mktemp -d "${out%/*}/.guest-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,lib/gntlab}
install -m 0755 "$init" "$stage/init"
# GUEST_BREAK (testing the failure paths, Makefile): init = no /init, the
# guest kernel panics; module = a gntlab.ko that insmod refuses.
case "${GUEST_BREAK:-}" in
"") ;;
init) rm -f "$stage/init"; echo "[images] GUEST_BREAK=init: guest initramfs without /init" >&2 ;;
module) ;;
*) echo "guest-initrd.sh: GUEST_BREAK=$GUEST_BREAK: not init or module" >&2; exit 2 ;;
esac
install -m 0755 "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0644 "$module" "$stage/lib/gntlab/"
if [ "${GUEST_BREAK:-}" = module ]; then
	head -c 4096 /dev/urandom > "$stage/lib/gntlab/gntlab.ko"
	echo "[images] GUEST_BREAK=module: a gntlab.ko that does not load" >&2
fi
mkdir -p "$stage/lib/gntlab/kmod"
# 6.12+ ship them xz-compressed (.ko.xz): busybox insmod wants them plain.
for k in $kmods; do
	if [ -f "$kmods_dir/$k" ]; then
		install -m 0644 "$kmods_dir/$k" "$stage/lib/gntlab/kmod/"
	else
		xz -dc "$kmods_dir/$k.xz" > "$stage/lib/gntlab/kmod/$(basename "$k")"
	fi
done
for p in "$@"; do install -m 0755 "$p" "$stage/bin/"; done
# The shared libraries our programs link (and the loader), at their paths.
# (Debian's static libxenstore.a is built without threads, and its watch fd
# never becomes readable; the shared library has the reader thread.)
for lib in $(ldd "$@" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }' | sort -u); do
	real=$(readlink -f "$lib")
	install -D -m 0755 "$real" "$stage$lib"
done
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6n > "$out.tmp"
mv "$out.tmp" "$out"
echo "[images] guest initramfs: $(du -h "$out" | cut -f1)" >&2
