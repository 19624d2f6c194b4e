#!/usr/bin/env bash
# Every test: lint, type check, the tap suites (unit and integration; integration tests start
# pcscd/vpcd and the other parts they need and stop them). The native build with warnings as
# errors runs in setup.sh before this. Ends with the line "N passed, N failed[, N skipped]":
# tap's assertion counts plus one count per gate above.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
passed=0 failed=0 skipped=0
gate() {
  local name=$1; shift
  echo "== $name" >&2
  if "$@"; then passed=$((passed + 1)); echo "ok   $name" >&2
  else failed=$((failed + 1)); echo "FAIL $name" >&2; fi
}
gate lint npx --no-install eslint --max-warnings 0 .
gate typecheck npx --no-install tsc -p tsconfig.json --noEmit
# `npm run demo` (the kiosk's main job on its simulators) must end well: exit 0 means the MRZ
# was read from the rendered page, the chip opened with it is genuine and the level is right.
demo() { node dist/src/cli/demo.js > .cache/demo.out 2>&1 || { tail -30 .cache/demo.out >&2; return 1; }; }
gate demo demo

echo "== tap" >&2
npx --no-install tap --reporter=tap "$@" 2>&1 | tee .cache/tap.out
summary=$(grep -E '^# \{ total: ' .cache/tap.out | tail -1)
num() { echo "$summary" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }
if [ -z "$summary" ]; then
  failed=$((failed + 1)); echo "FAIL tap printed no summary" >&2
else
  passed=$((passed + $(num pass))); failed=$((failed + $(num fail))); skipped=$((skipped + $(num skip) + $(num todo)))
fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
