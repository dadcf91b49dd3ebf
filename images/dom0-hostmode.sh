#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check-host` only (docs/hostmode.md): what dom0 needs on top of the
# usual image to run `gntlab-runner --host` inside it, as a third cpio
# archive: the runner and the list of tests its run must report.
# Usage: dom0-hostmode.sh OUT.cpio RUNNER EXPECTED
set -euo pipefail
out=$1 runner=$2 expected=$3
for f in "$runner" "$expected"; do
	[ -s "$f" ] || { echo "[images] dom0-hostmode: $f is missing or empty" >&2; exit 2; }
done
stage=$(mktemp -d "${out%/*}/.dom0-hostmode.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
mkdir -p "$stage/opt/gntlab/bin"
install -m 0755 "$runner" "$stage/opt/gntlab/bin/gntlab-runner"
install -m 0644 "$expected" "$stage/opt/gntlab/hostmode-expected.txt"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out.tmp"
mv "$out.tmp" "$out"
echo "[images] dom0 host-mode addition: $(du -h "$out" | cut -f1) (gntlab-runner, $(wc -l < "$expected") tests listed)" >&2
