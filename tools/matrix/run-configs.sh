#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Glue for `make matrix` (docs/matrix.md): run each configuration into
# OUT/<config>/ (`make run CONFIG=<config> RESULTS=OUT/<config>`), JOBS at a
# time, go on after a failure, record each one's exit status in
# OUT/<config>/matrix-run.txt and its make output in OUT/<config>/run-output.txt
# (not *.log: the runner clears those from its results directory).
# Exits 0; the merge tool (gntlab-matrix) decides what failed.
# Usage: run-configs.sh OUT JOBS MAKE CONFIG...
#   MAKE runs the boot (`MAKE run`); it may carry a prefix such as the shared
#   machine's QEMU lock. MATRIX_BUILD (environment), when set, is the make
#   that builds each configuration first (`MATRIX_BUILD all CONFIG=...`),
#   outside that prefix: the lock is then held for the boot only.
set -uo pipefail
out=$1 jobs=$2 make=$3; shift 3
n=$#
mkdir -p "$out"

one() { # INDEX CONFIG
	local i=$1 c=$2 d="$out/$2" start rc build_s= run_start=
	mkdir -p "$d"
	rm -f "$d/matrix-run.txt"
	start=$(date +%s)
	: > "$d/run-output.txt"
	rc=0
	# Every line keeps its configuration's name: with JOBS > 1 they interleave.
	if [ -n "${MATRIX_BUILD:-}" ]; then
		echo "[matrix] ($i/$n) $c: build"
		$MATRIX_BUILD all CONFIG="$c" > >(tee -a "$d/run-output.txt" | sed -u "s/^/[$c] /") 2>&1
		rc=$?
		build_s=$(( $(date +%s) - start ))
		echo "[matrix] ($i/$n) $c: build exit $rc in $build_s s"
		# Not built: an earlier run's results would pass for this one's.
		[ "$rc" = 0 ] || rm -f "$d/results.tap" "$d/summary.txt"
	fi
	# The runner's phase lines ([runner] ... phase) show where each one is.
	if [ "$rc" = 0 ]; then
		echo "[matrix] ($i/$n) $c: run -> $d"
		run_start=$(date +%s)
		$make run CONFIG="$c" RESULTS="$d" > >(tee -a "$d/run-output.txt" | sed -u "s/^/[$c] /") 2>&1
		rc=$?
	fi
	# Until every configuration writes its own manifest (images/), the default
	# one's build manifest says what ran.
	[ -f "$d/manifest.txt" ] || [ ! -f build/manifest.txt ] || [ "$c" != bookworm ] ||
		cp build/manifest.txt "$d/manifest.txt"
	{
		echo "config: $c"
		echo "status: $rc"
		echo "seconds: $(( $(date +%s) - start ))"
		[ -z "${build_s:-}" ] || echo "build-seconds: $build_s"
		[ -z "${run_start:-}" ] || echo "run-seconds: $(( $(date +%s) - run_start ))"
		[ -n "${run_start:-}" ] || echo "why: the build failed (status $rc)"
		[ -z "${run_start:-}" ] || [ "$rc" = 0 ] || [ -f "$d/results.tap" ] ||
			echo "why: make run failed (status $rc) before the runner wrote results"
		[ "$rc" = 0 ] || echo "log: run-output.txt"
	} > "$d/matrix-run.txt"
	echo "[matrix] ($i/$n) $c: exit $rc in $(( $(date +%s) - start )) s"
}

if [ "$jobs" -le 1 ]; then
	i=0
	for c in "$@"; do
		i=$((i + 1))
		one "$i" "$c"
	done
else
	i=0
	for c in "$@"; do
		i=$((i + 1))
		one "$i" "$c" &
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
	done
	wait
fi
exit 0
