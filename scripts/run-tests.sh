#!/usr/bin/env bash
# `pnpm test`: the unit and end-to-end suites (vitest.config.ts names the projects).
#
# 1. Project `fixtures` builds the OPTIMIZE=0 artifacts every end-to-end suite shares (once per
#    set of inputs, test/fixtures) and checks the run's teardown; the unit tests (no Docker) run
#    beside it, in the minutes the compiles leave a core idle.
# 2. Then two lanes at once, each a vitest process running its files one after another: `builds`
#    (test/builder-e2e and measure.test.ts: compiles in Docker and in the Vagrant VM) and
#    `containers` (the rest of test/feature-e2e and test/release-e2e: dev containers, registries,
#    releases). They share only the fixtures and the base images, read-only; on 2 cores one
#    lane's compile overlaps the other's waits on containers, which one lane at a time left idle.
#    Each line a process prints starts with its name.
# 3. The blob reports merged: one summary, and .cache/vitest-report.json (what .ci/run counts).
#
# Exits non-zero when any step failed; when the fixtures cannot be built, the lanes do not start
# (each would build them again) and the summary shows the build's error.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

blobs=.cache/vitest-blobs
rm -rf "$blobs"
mkdir -p "$blobs"

# run_lane NAME PROJECT...: vitest on those projects, its blob report in $blobs/NAME.json, each
# output line prefixed with [NAME].
run_lane() {
  local name="$1"
  shift
  local projects=()
  for project in "$@"; do projects+=(--project "$project"); done
  pnpm exec vitest run "${projects[@]}" --reporter=default --reporter=blob --outputFile.blob="$blobs/$name.json" 2>&1 |
    sed -u "s/^/[$name] /"
}

status=0
run_lane unit unit &
unit=$!
run_lane fixtures fixtures || status=$?
if [ "$status" = 0 ]; then
  run_lane builds e2e-builds &
  builds=$!
  run_lane containers e2e &
  containers=$!
  wait "$builds" || status=$?
  wait "$containers" || status=$?
fi
wait "$unit" || status=$?

printf '\n[tests] every lane finished: the merged summary\n'
pnpm exec vitest run --merge-reports="$blobs" --reporter=default --reporter=json \
  --outputFile.json=.cache/vitest-report.json || status=$?
exit "$status"
