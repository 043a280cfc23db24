#!/usr/bin/env bash
# Installs promtool (the Prometheus rule checker and rule unit-test runner) for the alert tests.
#
# Idempotent: done when `promtool` is on PATH or .tools/promtool exists. Otherwise downloads Debian's
# `prometheus` package (no install, no service, no dependencies) with `apt-get download`, extracts it
# with `dpkg-deb -x` into a temp dir, and copies only usr/bin/promtool to .tools/promtool (repo-local,
# gitignored). lib/promtool.ts finds it there (or through $PROMTOOL / PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

target=".tools/promtool"

if command -v promtool >/dev/null 2>&1; then
  echo "install-promtool: promtool already on PATH ($(command -v promtool))"
  exit 0
fi
if [ -x "$target" ]; then
  echo "install-promtool: $target already present"
  exit 0
fi

for tool in apt-get dpkg-deb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-promtool: '$tool' not found; this script needs a Debian/Ubuntu host." >&2
    echo "  Otherwise put a promtool binary on PATH, at $target, or in \$PROMTOOL." >&2
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory and runs its download as the _apt user:
# the temp dir must be readable and writable by it
chmod 0777 "$work"

download() {
  (cd "$work" && apt-get download prometheus >/dev/null)
}

if ! download 2>/dev/null; then
  echo "install-promtool: package index missing or stale; running apt-get update"
  apt-get update >/dev/null
  download
fi

deb="$(find "$work" -maxdepth 1 -name 'prometheus_*.deb' | head -n 1)"
if [ -z "$deb" ]; then
  echo "install-promtool: apt-get download prometheus produced no .deb" >&2
  exit 1
fi

dpkg-deb -x "$deb" "$work/root"
if [ ! -x "$work/root/usr/bin/promtool" ]; then
  echo "install-promtool: $(basename "$deb") has no usr/bin/promtool" >&2
  exit 1
fi

mkdir -p .tools
# copy to a temp name, then rename: an interrupted run never leaves a half-written binary behind
cp "$work/root/usr/bin/promtool" "$target.tmp"
chmod 0755 "$target.tmp"
mv "$target.tmp" "$target"
echo "install-promtool: installed $target from $(basename "$deb"): $("$target" --version 2>&1 | head -n 1)"
