#!/usr/bin/env bash
# Fetches the face test data into .cache/face-data (never committed; .cache is git-ignored):
#   - Debian's libdlib19.1 package, fetched with `apt-get download` from the configured apt
#     sources and unpacked with `dpkg-deb -x` (nothing is installed). Its documentation carries
#     dlib's example images: examples/johns/<person>/*.jpg (labelled face crops, 5 people x 11)
#     and examples/faces/*.jpg (group photos, with dlib's 68-point landmark annotations in
#     examples/faces/*_with_face_landmarks.xml); kept as dlib/johns and dlib/faces. Licence: dlib's examples are under the Boost
#     Software License (examples/LICENSE_FOR_EXAMPLE_PROGRAMS.txt in the package).
#   - face-api's demo images (node_modules/@vladmandic/face-api/demo/sample*.jpg, MIT).
# and writes index.json (person -> image paths, relative to the data directory).
#
# Idempotent and fast when done: a complete index.json of the current layout version ends the
# script at once. Parallel callers (tap runs test files in parallel) are serialised with
# flock(1) on a lock file, and the data is unpacked into a temporary directory that is renamed
# into place, so that nobody ever sees half a data set.
#
# Exit codes: 0 done; 2 the package cannot be fetched (apt unreachable, package unknown): the
# last line on standard error says why, and tests skip with that reason; 1 anything else.
# When the download fails, root refreshes the package lists once (`apt-get update`) and
# retries, unless FACE_DATA_NO_UPDATE is set.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${FACE_DATA_DIR:-$root/.cache/face-data}"
pkg="${FACE_DATA_PACKAGE:-libdlib19.1}"
facedemo="${FACE_API_DEMO_DIR:-$root/node_modules/@vladmandic/face-api/demo}"
# Bump when the layout or the index changes, so that old caches are rebuilt.
version=1

mkdir -p "$dir"
index="$dir/index.json"

done_already() {
  [ -f "$index" ] && grep -q "\"version\": $version," "$index"
}

if done_already; then exit 0; fi

exec 9>"$dir/.lock"
if ! flock -w 600 9; then
  echo "face-test-data: timed out waiting for another fetch (lock $dir/.lock)" >&2
  exit 1
fi
# Another caller may have finished while this one waited for the lock.
if done_already; then exit 0; fi

tmp="$(mktemp -d "$dir/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

doc="usr/share/doc/$pkg/examples"
# Only the example images (and their licence) are kept, as dlib/johns, dlib/faces.
keep() {
  mkdir -p "$tmp/dlib"
  cp -r "$1/johns" "$1/faces" "$tmp/dlib/"
  cp "$1/LICENSE_FOR_EXAMPLE_PROGRAMS.txt" "$tmp/dlib/" 2>/dev/null || true
}
# An installed package (where the image keeps /usr/share/doc) saves the download.
if [ -d "/$doc/johns" ] && [ -d "/$doc/faces" ]; then
  keep "/$doc"
else
  download() { (cd "$tmp" && apt-get download "$pkg") > "$tmp/apt.log" 2>&1; }
  unreachable() {
    tail -3 "$tmp/apt.log" >&2
    echo "face-test-data: apt-get download $pkg failed (apt sources unreachable or the package is unknown here)" >&2
    exit 2
  }
  if ! download; then
    # Package lists missing or stale (a fresh machine): refresh them once, as root, and retry.
    if [ "$(id -u)" != 0 ] || [ -n "${FACE_DATA_NO_UPDATE:-}" ]; then unreachable; fi
    echo "face-test-data: apt-get download failed; refreshing the package lists once" >&2
    apt-get update -qq > /dev/null 2>&1 || true
    download || unreachable
  fi
  deb="$(ls "$tmp"/*.deb 2>/dev/null | head -1 || true)"
  if [ -z "$deb" ]; then
    echo "face-test-data: apt-get download $pkg produced no .deb" >&2
    exit 2
  fi
  dpkg-deb -x "$deb" "$tmp/deb"
  if [ ! -d "$tmp/deb/$doc/johns" ] || [ ! -d "$tmp/deb/$doc/faces" ]; then
    echo "face-test-data: $pkg has no examples/johns and examples/faces (another package version?)" >&2
    exit 2
  fi
  keep "$tmp/deb/$doc"
  rm -rf "$tmp/deb" "$deb"
fi

mkdir -p "$tmp/face-api"
if compgen -G "$facedemo/sample*.jpg" > /dev/null; then
  cp "$facedemo"/sample*.jpg "$tmp/face-api/"
fi

# The index, written by node (installed, unlike jq): paths relative to the data directory.
node - "$tmp" "$version" "$pkg" <<'EOF'
const { readdirSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const [tmp, version, pkg] = process.argv.slice(2);
const jpgs = (rel) => (existsSync(join(tmp, rel)) ? readdirSync(join(tmp, rel)).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => `${rel}/${f}`) : []);
const johnsDir = 'dlib/johns';
const johns = {};
for (const person of readdirSync(join(tmp, johnsDir)).sort()) johns[person] = jpgs(`${johnsDir}/${person}`);
const facesDir = 'dlib/faces';
const landmarks = {};
for (const f of ['training_with_face_landmarks.xml', 'testing_with_face_landmarks.xml']) {
  if (existsSync(join(tmp, facesDir, f))) landmarks[f.replace('_with_face_landmarks.xml', '')] = `${facesDir}/${f}`;
}
const index = { johns, groupPhotos: jpgs(facesDir), landmarks, faceApiSamples: jpgs('face-api'), source: { dlib: pkg, faceApi: '@vladmandic/face-api demo' } };
// "version" first and on its own line: the shell checks for it with grep.
writeFileSync(join(tmp, 'index.json'), `{\n  "version": ${Number(version)},\n${JSON.stringify(index, null, 2).slice(2)}\n`);
EOF

# Swap the new data in; the index last, as the mark of a complete data set.
rm -rf "$dir/dlib" "$dir/face-api"
mv "$tmp/dlib" "$tmp/face-api" "$dir/"
mv "$tmp/index.json" "$index"
echo "face-test-data: ready in $dir" >&2
