#!/usr/bin/env bash
# Installs promtool (the Prometheus rule checker and rule unit-test runner) for the alert tests: promtool 3.5.x,
# the Prometheus 3 LTS line that kube-prometheus-stack runs (range selectors are left-open from 3.0 on).
#
# Idempotent: done when .tools/promtool (or $PROMTOOL) already is the wanted version. Otherwise downloads Debian's
# `promtool` package from the `sid` suite (Debian 12's own archive carries only 2.42) with `apt-get download`,
# against a temporary sources list of that suite only (the host's own lists and sources are left as they are),
# extracts it with `dpkg-deb -x` into a temp dir, and copies only the static usr/bin/promtool to .tools/promtool
# (repo-local, gitignored). lib/alerts/promtool.ts finds it there (or through $PROMTOOL), and refuses another line.
set -euo pipefail
cd "$(dirname "$0")/.."

# renovate: datasource=repology depName=debian_unstable/prometheus versioning=loose
PROMTOOL_VERSION="3.5.3"
SUITE="sid"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
target=".tools/promtool"

version_of() { "$1" --version 2>&1 | sed -n 's/^promtool, version \([0-9.]*\).*/\1/p' | head -n 1; }

if [ -n "${PROMTOOL:-}" ] && [ "$(version_of "$PROMTOOL")" = "$PROMTOOL_VERSION" ]; then
  echo "install-promtool: \$PROMTOOL ($PROMTOOL) is promtool $PROMTOOL_VERSION"
  exit 0
fi
if [ -x "$target" ] && [ "$(version_of "$target")" = "$PROMTOOL_VERSION" ]; then
  echo "install-promtool: $target already is promtool $PROMTOOL_VERSION"
  exit 0
fi

for tool in apt-get dpkg-deb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-promtool: '$tool' not found; this script needs a Debian/Ubuntu host." >&2
    echo "  Otherwise put a promtool $PROMTOOL_VERSION binary at $target or in \$PROMTOOL." >&2
    exit 1
  fi
done

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -r "$keyring" ]; then
  echo "install-promtool: $keyring not found: install the debian-archive-keyring package (Ubuntu has it too)," >&2
  echo "  or put a promtool $PROMTOOL_VERSION binary at $target or in \$PROMTOOL." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory and runs its download as the _apt user:
# the temp dir must be readable and writable by it
chmod 0777 "$work"
mkdir -p "$work/lists/partial" "$work/archives/partial"
chmod -R 0777 "$work/lists" "$work/archives"
echo "deb [signed-by=$keyring] $MIRROR $SUITE main" >"$work/sources.list"

# apt options: only the temporary list, its own package index and cache; the host's apt state is not touched
apt_opts=(
  -o "Dir::Etc::sourcelist=$work/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache::archives=$work/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Get::List-Cleanup=0"
)
echo "install-promtool: reading the package index of Debian $SUITE (one suite, temporary lists)"
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$work" && apt-get "${apt_opts[@]}" download "promtool=$PROMTOOL_VERSION*" >/dev/null) || {
  echo "install-promtool: Debian $SUITE has no promtool $PROMTOOL_VERSION (it has: $(apt-cache "${apt_opts[@]}" policy promtool | sed -n 's/ *Candidate: //p'))." >&2
  echo "  Update PROMTOOL_VERSION in scripts/install-promtool.sh, or put a promtool $PROMTOOL_VERSION binary at $target." >&2
  exit 1
}

deb="$(find "$work" -maxdepth 1 -name 'promtool_*.deb' | head -n 1)"
if [ -z "$deb" ]; then
  echo "install-promtool: apt-get download promtool produced no .deb" >&2
  exit 1
fi

dpkg-deb -x "$deb" "$work/root"
if [ ! -x "$work/root/usr/bin/promtool" ]; then
  echo "install-promtool: $(basename "$deb") has no usr/bin/promtool" >&2
  exit 1
fi
got="$(version_of "$work/root/usr/bin/promtool")"
if [ "$got" != "$PROMTOOL_VERSION" ]; then
  echo "install-promtool: $(basename "$deb") holds promtool '$got', not $PROMTOOL_VERSION" >&2
  exit 1
fi

mkdir -p .tools
# copy to a temp name, then rename: an interrupted run never leaves a half-written binary behind
cp "$work/root/usr/bin/promtool" "$target.tmp"
chmod 0755 "$target.tmp"
mv "$target.tmp" "$target"
echo "install-promtool: installed $target from $(basename "$deb"): $("$target" --version 2>&1 | head -n 1)"
