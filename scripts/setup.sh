#!/usr/bin/env bash
# Installs the system packages TwinCity Studio needs on Debian/Ubuntu, once (idempotent):
# - Mesa's software Vulkan driver (lavapipe), so everything renders on machines without a GPU;
# - the X11 libraries the window uses, and Xvfb for the windowed tests;
# - GDAL's command-line tools (the coverage test checks that ogrinfo reads our GeoJSON);
# - FFmpeg, which decodes real videos played in the Model inference window;
# - a Python environment in .venv with the reference readers the dataset tests check our
#   files against (pycocotools for COCO, NumPy for .npy), and ONNX Runtime 1.31 (the
#   `onnxruntime` wheel), whose library TwinCity finds there and loads to run models.
# Rust itself (1.95, with clippy and rustfmt) is expected to be installed already.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(mesa-vulkan-drivers libvulkan1 xvfb xauth libx11-6 libxcursor1 libxrandr2 libxi6
  libxkbcommon-x11-0 gdal-bin ffmpeg)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install the equivalents of: ${missing[*]}" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is not installed; install Rust 1.95 with rustup first" >&2
  exit 1
fi

# Python reference tools for the tests, in a project-local environment. Installing them the
# first time takes about 6 GB of disk (PyPI's PyTorch wheel brings its CUDA libraries); say so
# plainly rather than fail half-way through with "No space left on device".
venv=".venv"
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
  if [ "${free_kb:-0}" -lt $((7 * 1024 * 1024)) ]; then
    echo "setup: only $((free_kb / 1024)) MB free on this disk; the Python environment and the" \
      "build need about 7 GB for .venv plus about 7 GB for target/: free some space and rerun" >&2
    exit 1
  fi
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! command -v python3 >/dev/null; then
    echo "setup: Python 3 is needed for the dataset tests (pycocotools); install python3" >&2
    exit 1
  fi
  python3 -m venv "$venv"
fi
# PedPy (JuPedSim's analysis library) cross-checks the crowd's flows and densities
# (crates/twincity_crowd/tests/pedpy_crosscheck.rs).
if ! "$venv/bin/python" -c "import pycocotools, numpy, onnxruntime, pedpy" 2>/dev/null; then
  echo "setup: installing pycocotools, numpy, onnxruntime and pedpy into $venv"
  "$venv/bin/python" -m pip install -q --no-cache-dir --disable-pip-version-check "pycocotools==2.0.11" \
    "numpy==2.4.6" "onnxruntime==1.31.1" "pedpy==1.5.1"
fi
# The training of `twincity train` (python/twincity_train): PyTorch with torchvision, onnx2torch
# to read the base model's ONNX graph, tqdm for the progress bar. PyTorch's Linux wheel brings
# its CUDA libraries (about 5 GB in all), so `--device cuda` works where there is a GPU.
if ! "$venv/bin/python" -c "import torch, torchvision, onnx, onnx2torch, tqdm, PIL" 2>/dev/null; then
  echo "setup: installing PyTorch, torchvision, onnx, onnx2torch and tqdm into $venv (large)"
  "$venv/bin/python" -m pip install -q --no-cache-dir --disable-pip-version-check "torch==2.15.0" \
    "torchvision==0.29.2" "onnx==1.23.2" "onnx2torch==1.5.15" "tqdm==4.70.1" "pillow==13.0.0" \
    "numpy==2.4.6" "onnxruntime==1.31.1"
fi
