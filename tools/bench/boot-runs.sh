#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot-to-verdict glue for `make bench-boot`: time a cold and a warm image
# build, then N pairs of a bare boot (`make smoke`: the same images, no
# suites) and the full suite (`make run`) back to back, keeping each one's
# results in B/results-boot/bare-N and run-N. gntlab-benchreport does the
# arithmetic (full / bare, pair by pair: back to back, so they share the
# machine's load). The order alternates (bare first in odd pairs, the full
# run first in even ones): a boot right after a full run or an image build
# was measurably slower than one after a bare boot (docs/bench.md), which
# favoured whichever came second.
# Usage: boot-runs.sh B N MAKE
set -euo pipefail
b=$1 n=$2 mk=$3
out=$b/results-boot
rm -rf "$out" "$b/cold"
mkdir -p "$out"
secs() { local t0=$1; echo "$(date +%s.%N) - $t0" | bc; }
# Cold: an empty build directory (the package and dom0-base caches stay:
# they hold downloads, see README); warm: the same, nothing changed; touched:
# one guest test source changed (guest initramfs and dom0 overlay rebuilt).
t0=$(date +%s.%N); $mk -s B="$b/cold" images >"$out/build-cold.log" 2>&1
echo "cold $(secs "$t0")" >"$out/builds.txt"
t0=$(date +%s.%N); $mk -s B="$b/cold" images >"$out/build-warm.log" 2>&1
echo "warm $(secs "$t0")" >>"$out/builds.txt"
touch tests/guest/suite_m2p.c
t0=$(date +%s.%N); $mk -s B="$b/cold" images >"$out/build-touched.log" 2>&1
echo "warm-one-source-touched $(secs "$t0")" >>"$out/builds.txt"
rm -rf "$b/cold"
$mk -s images >/dev/null
bare() {
	local i=$1 t0 rc=0
	t0=$(date +%s.%N)
	$mk -s smoke >"$out/bare-$i.log" 2>&1 || rc=$?
	echo "make-smoke-$i $(secs "$t0")" >>"$out/builds.txt"
	cp -r "$b/results" "$out/bare-$i"
	echo "[bench-boot] pair $i/$n: bare boot: make smoke exit $rc" >&2
}
full() {
	local i=$1 t0 rc=0
	t0=$(date +%s.%N)
	$mk -s run >"$out/run-$i.log" 2>&1 || rc=$?
	echo "make-run-$i $(secs "$t0")" >>"$out/builds.txt"
	cp -r "$b/results" "$out/run-$i"
	echo "[bench-boot] pair $i/$n: full run: make run exit $rc" >&2
}
for i in $(seq 1 "$n"); do
	if [ $((i % 2)) = 1 ]; then
		echo "order-$i bare-first" >>"$out/builds.txt"
		bare "$i"; full "$i"
	else
		echo "order-$i full-first" >>"$out/builds.txt"
		full "$i"; bare "$i"
	fi
done
