#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the host has the Debian packages the build needs. As root,
# install what is missing (apt-get update once, then install); otherwise
# list the exact packages and stop.
# Usage: host-deps.sh STAMP PACKAGE...
set -euo pipefail
stamp=$1; shift
# Package lists updated within the last 6 hours are good enough.
lists_fresh() {
	[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_InRelease' -mmin -360 2>/dev/null | head -n1)" ]
}
missing=()
for p in "$@"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "gntlab: missing host packages: ${missing[*]}" >&2
		echo "gntlab: as root run: apt-get install ${missing[*]}" >&2
		exit 2
	fi
	echo "[deps] installing: ${missing[*]}" >&2
	lists_fresh || apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
elif [ "$(id -u)" = 0 ] && ! lists_fresh; then
	# apt-get download (images/fetch.sh) needs current package lists.
	apt-get update -q >&2
fi
mkdir -p "$(dirname "$stamp")"
touch "$stamp"
