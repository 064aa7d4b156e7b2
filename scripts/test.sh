#!/usr/bin/env bash
# The whole test suite: installs what it needs, then runs every test of the workspace, the
# windowed editor test inside a virtual X display and the render tests on software Vulkan
# when there is no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export WGPU_VALIDATION=0
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  XDG_RUNTIME_DIR="$(mktemp -d)"
  export XDG_RUNTIME_DIR
fi
xvfb-run -a -s "-screen 0 1600x900x24" cargo test --workspace --locked "$@"
