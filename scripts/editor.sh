#!/usr/bin/env bash
# Runs the editor on the bundled demo project (or: scripts/editor.sh PROJECT.twin.ron).
# Installs the graphics packages first when they are missing (software Vulkan without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  XDG_RUNTIME_DIR="$(mktemp -d)"
  export XDG_RUNTIME_DIR
fi
if [ $# -eq 0 ]; then
  exec cargo run --locked
else
  exec cargo run --locked -- edit "$@"
fi
