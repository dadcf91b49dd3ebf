#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage a kernel for booting (README "Bring your own Xen and kernel"):
# a bzImage's ELF payload is extracted (cached by the bzImage's sha256, so
# naming the same bytes again costs a hash), then gntlab-inspect validates
# it and replaces OUT only when its content differs; OUT.info says what it is.
# Usage: stage-kernel.sh INSPECT ROLE SRC KBUILD OUT
#   ROLE: dom0 or guest; SRC: as named (bzImage or vmlinux); KBUILD: its
#   build tree or headers ("" if none). USER_KBUILD=1: KBUILD was named by
#   the user (messages name the variable).
set -euo pipefail
inspect=$1 role=$2 src=$3 kbuild=$4 out=$5
var=$([ "$role" = dom0 ] && echo DOM0_KERNEL || echo GUEST_KERNEL)
kvar=$([ "$role" = dom0 ] && echo DOM0_KERNEL_BUILD || echo KERNEL_BUILD)
[ -e "$src" ] || { echo "gntlab-inspect: $var=$src: no such file" >&2; exit 2; }
mkdir -p "$(dirname "$out")/.extract"
staged=$src
# A bzImage (setup header "HdrS" at 0x202): boot its ELF payload.
if [ "$(dd if="$src" bs=1 skip=514 count=4 status=none 2>/dev/null)" = HdrS ]; then
	sum=$(sha256sum "$src" | cut -c1-64)
	staged=$(dirname "$out")/.extract/$sum.vmlinux
	if [ ! -f "$staged" ]; then
		# Keep only the last few extractions.
		find "$(dirname "$out")/.extract" -name '*.vmlinux' -printf '%T@ %p\n' | sort -rn |
			tail -n +5 | cut -d' ' -f2- | xargs -r rm -f
		images/extract-vmlinux.sh "$src" "$staged.$$" >&2 && mv "$staged.$$" "$staged" ||
			{ echo "[images] $src: no xz/zstd ELF payload: booting the bzImage as is" >&2; staged=$src; }
	fi
fi
"$inspect" kernel --role "$role" --var "$var" --in "$src" --staged "$staged" \
	${kbuild:+--kbuild "$kbuild"} ${USER_KBUILD:+--kbuild-var "$kvar"} --out "$out" --info "$out.info"
echo "[images] $role kernel: $(sed -n 's/^release //p' "$out.info") ($src)" >&2
