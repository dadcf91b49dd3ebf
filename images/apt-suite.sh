#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A private apt configuration for a Debian suite the host's /etc/apt does not
# carry (e.g. trixie, trixie-backports): its own sources.list, lists, status
# and archives under CACHE/apt/<suite>/. /etc/apt is neither read nor written.
# Usage: apt-suite.sh [--src] CACHE SUITE [COMPONENT-SUITES...]
#   --src: source packages (deb-src lines, for apt-get source) in
#   CACHE/apt/<suite>-src/ instead of binary ones.
#   Prints the path of the apt.conf to export as APT_CONFIG. The lists are
#   refreshed when missing or older than GNTLAB_APT_MAX_AGE seconds (1 day).
#   COMPONENT-SUITES: further suites in the same sources.list (e.g. trixie
#   for trixie-backports, whose packages depend on the base suite).
set -euo pipefail
kind=deb dirsuffix=
if [ "${1:-}" = --src ]; then
	kind=deb-src dirsuffix=-src
	shift
fi
cache=$1 suite=$2; shift 2
dir="$cache/apt/$suite$dirsuffix"
mirror=${GNTLAB_MIRROR:-http://deb.debian.org/debian}
security=${GNTLAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
mkdir -p "$dir"/{lists/partial,archives/partial,parts,prefs}
: >> "$dir/status"
{
	for s in "$suite" "$@"; do
		case "$s" in
		*-security) echo "$kind [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $security $s main" ;;
		*) echo "$kind [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main" ;;
		esac
	done
} > "$dir/sources.list.tmp"
changed=0
cmp -s "$dir/sources.list.tmp" "$dir/sources.list" || { mv "$dir/sources.list.tmp" "$dir/sources.list"; changed=1; }
rm -f "$dir/sources.list.tmp"
sandbox=false
[ "$(id -u)" = 0 ] && sandbox=true
cat > "$dir/apt.conf.tmp" <<CONF
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/parts";
Dir::Etc::Parts "$dir/parts";
Dir::Etc::Preferences "$dir/preferences";
Dir::Etc::PreferencesParts "$dir/prefs";
Dir::State::Lists "$dir/lists";
Dir::State::Status "$dir/status";
Dir::Cache "$dir/cache";
Dir::Cache::Archives "$dir/archives";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
CONF
$sandbox && echo 'APT::Sandbox::User "root";' >> "$dir/apt.conf.tmp"
cmp -s "$dir/apt.conf.tmp" "$dir/apt.conf" || mv "$dir/apt.conf.tmp" "$dir/apt.conf"
rm -f "$dir/apt.conf.tmp"
mkdir -p "$dir/cache"
age=$(( $(date +%s) - $(stat -c %Y "$dir/lists/.updated" 2>/dev/null || echo 0) ))
if [ "$changed" = 1 ] || [ "$age" -gt "${GNTLAB_APT_MAX_AGE:-86400}" ]; then
	printf '[images] apt-get update (private %s configuration for %s)\n' "$kind" "$suite" >&2
	APT_CONFIG="$dir/apt.conf" apt-get -q update >&2
	touch "$dir/lists/.updated"
fi
echo "$dir/apt.conf"
