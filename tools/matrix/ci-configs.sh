#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The CONFIG values of .gitlab-ci.yml's `parallel: matrix:`, to keep them
# equal to `make configs` (docs/matrix.md):
#   ci-configs.sh FILE          prints them, one a line (`make unit` compares)
#   ci-configs.sh FILE NAME...  rewrites the list with these (`make ci-yml`)
set -euo pipefail
file=$1; shift
if [ $# = 0 ]; then
	awk '
		/^[[:space:]]*- CONFIG:[[:space:]]*$/ { on = 1; next }
		on && /^[[:space:]]*- [A-Za-z0-9._-]+[[:space:]]*$/ { print $2; next }
		on { on = 0 }
	' "$file"
	exit 0
fi
awk -v names="$*" '
	/^[[:space:]]*- CONFIG:[[:space:]]*$/ {
		print
		ind = $0; sub(/-.*/, "", ind)
		n = split(names, a, " ")
		for (i = 1; i <= n; i++) print ind "    - " a[i]
		on = 1; next
	}
	on && /^[[:space:]]*- [A-Za-z0-9._-]+[[:space:]]*$/ { next }
	{ on = 0; print }
' "$file" > "$file.tmp"
mv "$file.tmp" "$file"
