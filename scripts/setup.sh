#!/usr/bin/env bash
# Installs what the kiosk needs on a fresh Debian 12 machine with Node 20, idempotently:
# Debian packages, npm dependencies, the native addons and the TypeScript build. Each step
# remembers a hash of its inputs in .cache/stamps and is skipped when nothing changed, so a
# second run goes straight to work.  --build-only skips the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
stamps=$root/.cache/stamps
mkdir -p "$stamps"
say() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages and why each is here.
debs=(
  pcscd                # the PC/SC daemon: the kiosk reads chips through the real PC/SC stack
  libpcsclite-dev      # headers for the pcsclite addon
  vsmartcard-vpcd      # virtual reader driver: the virtual chip plugs into pcscd through it
  libssl-dev           # OpenSSL 3 for native/mrtd
  clang                # libFuzzer builds of the native parsers
  libclang-rt-14-dev   # libFuzzer and sanitizer runtimes for clang 14
  cmake                # native fuzz and self-test targets (CMakeLists.txt)
  libopenjp2-tools     # opj_compress: JPEG 2000 portraits for DG2 tests and the generator
  libopencv-dev        # OpenCV 4.6: @u4/opencv4nodejs builds against it (document and face engines)
  fonts-ocr-b          # OCR-B, the MRZ typeface: the data-page renderer and the MRZ reader's templates
  fonts-dejavu-core    # the printed (visual inspection zone) fields of rendered data pages
  tesseract-ocr        # the MRZ benchmark's comparison engine
  tesseract-ocr-eng
  libcairo2-dev        # canvas (node-canvas) builds from source against Cairo and Pango
  libpango1.0-dev
  libjpeg-dev
  libgif-dev
  librsvg2-dev
)

need_deb=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_deb+=("$p")
done
if [ "${1:-}" != "--build-only" ] && [ ${#need_deb[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_deb[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_deb[@]}" >&2
fi

# stamp NAME FILES... : true when the hash of FILES differs from the one recorded for NAME.
hash_of() { { printf '%s\n' "$@"; cat "$@" 2>/dev/null; } | sha256sum | cut -c1-64; }
changed() { local name=$1; shift; [ "$(cat "$stamps/$name" 2>/dev/null)" != "$(hash_of "$@")" ]; }
record() { local name=$1; shift; hash_of "$@" > "$stamps/$name"; }

export ONNXRUNTIME_NODE_INSTALL=skip   # its installer downloads; the CPU library ships in the package
export npm_config_build_from_source=true
export JOBS=max
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1  # link the system OpenCV; never download and build one

if [ ! -d node_modules ] || changed npm package.json package-lock.json; then
  say "npm ci"
  npm ci --no-audit --no-fund >&2
  record npm package.json package-lock.json
fi

mapfile -t native_src < <(find native -type f \( -name '*.cc' -o -name '*.h' \) | sort)
if [ ! -f build/Release/mrtd.node ] || [ ! -f build/Release/matcher.node ] || changed native binding.gyp "${native_src[@]}"; then
  say "building native addons (warnings are errors)"
  npx --no-install node-gyp rebuild -j max >&2
  record native binding.gyp "${native_src[@]}"
fi

mapfile -t ts_src < <(find src bench scripts -type f -name '*.ts' | sort)
if [ ! -d dist ] || changed ts tsconfig.json tsconfig.build.json "${ts_src[@]}"; then
  say "compiling TypeScript"
  # Into a fresh folder, swapped in only when the build succeeds: a failed build leaves the
  # previous one in place, and files of deleted sources do not linger.
  rm -rf dist.tmp
  npx --no-install tsc -p tsconfig.build.json --outDir dist.tmp
  rm -rf dist && mv dist.tmp dist
  record ts tsconfig.json tsconfig.build.json "${ts_src[@]}"
fi

# Face models: face-api's weights (MIT, in its npm package) converted to ONNX graphs. After the
# native step, whose `node-gyp rebuild` empties build/.
mapfile -t model_src < <(find node_modules/@vladmandic/face-api/model src/face/onnx -type f | sort)
if [ ! -f build/models/face_recognition.json ] || changed models "${model_src[@]}"; then
  say "converting the face models to ONNX"
  node dist/scripts/convert-face-models.js >&2
  record models "${model_src[@]}"
fi
