#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The CONFIG values of .gitlab-ci.yml's `parallel: matrix:` (one a line), to
# check them against `make configs` (`make unit`, docs/matrix.md).
# Usage: ci-configs.sh [FILE]
set -euo pipefail
awk '
	/^[[:space:]]*- CONFIG:[[:space:]]*$/ { on = 1; next }
	on && /^[[:space:]]*- [A-Za-z0-9._-]+[[:space:]]*$/ { print $2; next }
	on { on = 0 }
' "${1:-.gitlab-ci.yml}"
