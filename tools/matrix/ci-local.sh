#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run .gitlab-ci.yml's jobs here with gitlab-ci-local (shell executor), in
# a scratch copy of the working tree ($B/ci-local/src: the committed and
# the modified files, as one commit), so a pipeline never writes into the
# checkout. docs/matrix.md.
#   ci-local.sh merge GLCL B        the merge job on recorded job outputs
#                                   (tools/matrix/testdata), and its index
#                                   compared with gntlab-matrix's own
#   ci-local.sh config GLCL B NAME  one configuration job (its smoke path,
#                                   one boot under /tmp/gntlab-qemu.lock),
#                                   then the merge job on its artefacts,
#                                   compared the same way
set -euo pipefail
what=$1 glcl=$(realpath "$2") b=$3
top=$(pwd)
src="$b/ci-local/src"
rm -rf "$b/ci-local" && mkdir -p "$src"
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -C "$src" -xf -
(cd "$src" && git init -q && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm ci-local)

glcl() {
	(cd "$src" && "$glcl" --file .gitlab-ci.yml --force-shell-executor "$@") 2>&1 | tee -a "$b/ci-local/glcl.log"
	return "${PIPESTATUS[0]}"
}

# The CI merge's index against gntlab-matrix on a copy of the same results.
same_index() { # CONFIGS...
	local ci="$src/build/results/matrix" ref="$b/ci-local/ref"
	rm -rf "$ref" && mkdir -p "$ref"
	for c in "$@"; do [ -d "$ci/$c" ] && cp -r "$ci/$c" "$ref/"; done
	"$top/$b/host/gntlab-matrix" --out "$ref" $(for c in "$@"; do printf '%s ' "$ref/$c"; done) > /dev/null || true
	for f in index.html index.md index.json; do
		cmp "$ci/$f" "$ref/$f" || { echo "[ci-local] FAIL: the CI merge's $f differs from gntlab-matrix's ($ref/$f)"; exit 1; }
	done
	echo "[ci-local] the CI merge's index.html, index.md, index.json equal gntlab-matrix's on the same results"
}

case "$what" in
merge)
	configs=$(tr '\n' ' ' < tools/matrix/testdata/configs.txt)
	start=$(date +%s)
	rc=0
	glcl --variable GNTLAB_RECORDED=tools/matrix/testdata merge || rc=$?
	# The recorded outputs hold a configuration that did not boot and one
	# that did not build: the merge job must fail, naming both.
	[ "$rc" != 0 ] || { echo "[ci-local] FAIL: the merge job passed on recorded failures"; exit 1; }
	grep -q 'no-boot: FAILED: timeout/dom0-init' "$b/ci-local/glcl.log" &&
		grep -q 'not-built: FAILED: no results.tap' "$b/ci-local/glcl.log" ||
		{ echo "[ci-local] FAIL: the merge job did not name the failed configurations"; exit 1; }
	# shellcheck disable=SC2086
	same_index $configs
	echo "[ci-local] merge job on recorded outputs: ok ($(( $(date +%s) - start )) s)"
	;;
config)
	c=$4
	start=$(date +%s)
	# The job builds in its own copy (the package cache is the user's) and
	# takes the QEMU lock for its boot only.
	(cd "$src" && "$glcl" --file .gitlab-ci.yml --force-shell-executor \
		--variable "GNTLAB_LOCK=flock /tmp/gntlab-qemu.lock" \
		--variable TESTS=smoke --variable "GNTLAB_CACHE=${GNTLAB_CACHE:-$HOME/.cache/gntlab}" \
		--variable "CONFIG=$c" --needs merge) 2>&1 | tee -a "$b/ci-local/glcl.log"
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || { echo "[ci-local] FAIL: the pipeline (config $c + merge) exited $rc"; exit 1; }
	[ -f "$src/build/results/matrix/$c/junit.xml" ] || { echo "[ci-local] FAIL: no junit.xml artefact"; exit 1; }
	same_index $(cd "$src" && make -s --no-print-directory configs 2>/dev/null || echo bookworm)
	echo "[ci-local] config job $c + merge: ok ($(( $(date +%s) - start )) s)"
	;;
esac
