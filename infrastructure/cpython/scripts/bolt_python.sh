#!/usr/bin/env bash
# Rewrites a PGO+LTO interpreter with llvm-bolt, the way CPython's `--enable-bolt` does
# (Makefile.pre.in, profile-bolt-stamp): instrument bin/python3.X, run the PGO training task with
# the instrumented interpreter, then lay the original's code out again from that profile. The
# training runs in a copy of the tree: what the tests write there (bytecode of their own
# optimisation levels, caches) never reaches the artifact, whose only change is the executable. Runs
# between build_cpython.sh's STAGE=compile and STAGE=finish, on the unpruned tree the first left
# (its test suite and test modules are the training, then start-up and imports of the standard
# library in fresh processes, startup_task.py), in an image with Debian's bolt-16: llvm-bolt
# is not packaged for the build's older base. The rewritten executable needs nothing newer than
# the one it replaces (llvm-bolt adds no library); validate_cpython.sh checks it on the glibc floor.
#
# Every training command runs under bolt_train.py, which keeps the profile bounded (it merges
# finished processes' profiles as they appear, discards a runaway one and stops the training when
# the folder or the free disk passes its limit); the numbers go to OUTPUT_DIR/bolt-training.json.
#
# Env contract:
#   OUTPUT_DIR           holds stage/python-<VERSION>/ (from STAGE=compile) and phases.txt
#   VERSION              full version, e.g. 3.13.5
#   BOLT_TRAINING=cpython  cpython: CPython's PGO task (`-m test --pgo`, what --enable-bolt trains
#                        on); extended: the whole suite but the tests named below; script: the
#                        Python file BOLT_TRAINING_SCRIPT. Start-up and imports are trained after each.
#   BOLT_TEST_TIMEOUT=300  seconds one test file may run under instrumentation (regrtest --timeout)
#   BOLT_FILE_LIMIT_MB=128 BOLT_TOTAL_LIMIT_MB=768 BOLT_MIN_FREE_MB=2048   bolt_train.py's limits
#   BOLT_TIME_LIMIT_S=2400  seconds one training command may run; then it is stopped and the profile
#                        merged so far is used (a hung instrumented process must not hang the build)
#   JOBS=nproc           test workers for the extended training
#   LLVM_BIN=/usr/lib/llvm-16/bin
set -euo pipefail

: "${OUTPUT_DIR:?}" "${VERSION:?}"
BOLT_TRAINING="${BOLT_TRAINING:-cpython}"
BOLT_TEST_TIMEOUT="${BOLT_TEST_TIMEOUT:-300}"
BOLT_FILE_LIMIT_MB="${BOLT_FILE_LIMIT_MB:-128}"
BOLT_TOTAL_LIMIT_MB="${BOLT_TOTAL_LIMIT_MB:-768}"
BOLT_MIN_FREE_MB="${BOLT_MIN_FREE_MB:-2048}"
BOLT_TIME_LIMIT_S="${BOLT_TIME_LIMIT_S:-2400}"
JOBS="${JOBS:-$(nproc)}"
LLVM_BIN="${LLVM_BIN:-/usr/lib/llvm-16/bin}"

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
short_version="${VERSION%.*}"
tree="$OUTPUT_DIR/stage/python-$VERSION"
interpreter="$tree/bin/python$short_version"
phases_file="$OUTPUT_DIR/phases.txt"
if [ ! -x "$interpreter" ]; then
  printf 'error: no interpreter at %s: run build_cpython.sh with STAGE=compile BOLT=1 first\n' "$interpreter" >&2
  exit 2
fi
if ! "$LLVM_BIN/llvm-bolt" --version >/dev/null 2>&1; then
  printf 'error: %s/llvm-bolt does not run here: this image needs the bolt-16 package (Debian bookworm)\n' "$LLVM_BIN" >&2
  exit 2
fi

# shellcheck source=phases.sh
source "$script_dir/phases.sh"

# The libraries built from pinned sources (OpenSSL), which STAGE=compile left beside the tree: the
# staged tree has no RUNPATH to them yet, and ssl must import in the training runs.
[ ! -d "$OUTPUT_DIR/stage/libraries/lib" ] || export LD_LIBRARY_PATH="$OUTPUT_DIR/stage/libraries/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# CPython's BOLT_COMMON_FLAGS: functions with computed gotos in position-independent code are left
# as they are (LLVM cannot yet rewrite them); the executable here is position-independent.
common_flags=(-update-debug-sections
  '-skip-funcs=_PyEval_EvalFrameDefault,sre_ucs1_match/1,sre_ucs2_match/1,sre_ucs4_match/1')
# CPython's BOLT_APPLY_FLAGS, with hfsort+ for cdsort (which LLVM 16 does not have yet). The
# original code stays in the executable (.bolt.org.text, 2.8 MB): in lite mode the functions the
# profile never reached run from there. -use-old-text cannot reuse it: the new code needs 4.7 MB.
apply_flags=(-reorder-blocks=ext-tsp -reorder-functions=hfsort+ -split-functions -icf=1 -inline-all
  -split-eh -reorder-functions-use-hot-size -peepholes=none -jump-tables=aggressive -inline-ap
  -indirect-call-promotion=all -dyno-stats -use-gnu-stack -frame-opt=hot)
# Left out of the extended training, each for what it did under instrumentation (build of
# 2026-12-06, issue 27): test_concurrent_futures crashed ("allocator ran out of memory" in the
# instrumentation runtime of its worker processes) or hung until the timeout, 13 minutes of
# test_deadlock/test_process_pool and a 41 GB profile from test_wait, and trained nothing; the
# test_multiprocessing_* packages start hundreds of forked and spawned workers whose profiles are
# the parent's counts again, and run for minutes each.
bolt_excluded=(test_concurrent_futures test_multiprocessing_fork test_multiprocessing_forkserver
  test_multiprocessing_spawn test_multiprocessing_main_handling)
for number in "$BOLT_TEST_TIMEOUT" "$BOLT_FILE_LIMIT_MB" "$BOLT_TOTAL_LIMIT_MB" "$BOLT_MIN_FREE_MB" "$JOBS"; do
  if ! [[ "$number" =~ ^[1-9][0-9]*$ ]]; then
    printf 'error: BOLT_TEST_TIMEOUT, BOLT_*_MB and JOBS must be positive integers, got %s\n' "$number" >&2
    exit 2
  fi
done
case "$BOLT_TRAINING" in
  cpython) training=(-m test --pgo "--timeout=$BOLT_TEST_TIMEOUT") ;;
  extended)
    training=("$script_dir/pgo_task.py" --pgo-extended -j "$JOBS" "--timeout=$BOLT_TEST_TIMEOUT")
    for test in "${bolt_excluded[@]}"; do training+=(-x "$test"); done
    ;;
  script)
    if [ ! -f "${BOLT_TRAINING_SCRIPT:-}" ]; then
      printf 'error: BOLT_TRAINING=script needs BOLT_TRAINING_SCRIPT, a Python file (got "%s")\n' "${BOLT_TRAINING_SCRIPT:-}" >&2
      exit 2
    fi
    training=("$BOLT_TRAINING_SCRIPT")
    ;;
  *)
    printf 'error: BOLT_TRAINING must be cpython, extended or script, got %s\n' "$BOLT_TRAINING" >&2
    exit 2
    ;;
esac
free_mb="$(df -Pk "$OUTPUT_DIR" | awk 'NR == 2 { print int($4 / 1024) }')"
if [ "$free_mb" -lt "$BOLT_MIN_FREE_MB" ]; then
  printf 'error: %s MiB free under %s, BOLT needs %s MiB besides the tree (BOLT_MIN_FREE_MB): free disk space\n' \
    "$free_mb" "$OUTPUT_DIR" "$BOLT_MIN_FREE_MB" >&2
  exit 3
fi

# Beside the tree, not in the container's /tmp: the builder's disk accounting sees it.
work="$OUTPUT_DIR/bolt-work"
rm -rf "$work"
mkdir -p "$work/profiles"
trap 'rm -rf "$work"' EXIT
report="$OUTPUT_DIR/bolt-training.json"
rm -f "$report"
# Under the uninstrumented staged interpreter, isolated and writing no bytecode into its tree.
train() {
  "$interpreter" -I -B "$script_dir/bolt_train.py" --profile-dir "$work/profiles" --prefix "$work/profiles/profile" \
    --merged "$work/python.fdata" --report "$report" --merge-fdata "$LLVM_BIN/merge-fdata" \
    --file-limit-mb "$BOLT_FILE_LIMIT_MB" --total-limit-mb "$BOLT_TOTAL_LIMIT_MB" --min-free-mb "$BOLT_MIN_FREE_MB" \
    --time-limit-s "$BOLT_TIME_LIMIT_S" "$@"
}
# The tree the training runs in; the instrumented interpreter finds its standard library there
# from its own path, as the relocated artifact does. The staged interpreter is only read until
# its rewritten bytes replace it.
mkdir "$work/training"
cp -a "$tree" "$work/training/"
instrumented="$work/training/python-$VERSION/bin/python$short_version"

phase bolt-instrument
"$LLVM_BIN/llvm-bolt" "$interpreter" -o "$instrumented" -instrument -instrumentation-file-append-pid \
  "-instrumentation-file=$work/profiles/profile" "${common_flags[@]}"

phase bolt-train
printf 'BOLT training (%s): %s\n' "$BOLT_TRAINING" "${training[*]}"
# The tests write their temporary files in the current directory.
status=0
(cd "$work" && train -- "$instrumented" "${training[@]}") || status=$?
# As pgo_task.py: failed tests (2, 3, 5) still train; a crash, an empty run or a limit does not.
case "$status" in
  0 | 2 | 3 | 5) ;;
  *)
    printf 'error: BOLT training failed: the training exited %s (bolt_train.py report: %s)\n' "$status" "$report" >&2
    exit 4
    ;;
esac
# Start-up and imports, in fresh processes: the tests weigh them little (startup_task.py says why).
phase bolt-train-startup
(cd "$work" && train --repeat 20 -- "$instrumented" -c pass)
(cd "$work" && train --repeat 10 -- "$instrumented" "$script_dir/startup_task.py")
if [ ! -s "$work/python.fdata" ]; then
  printf 'error: the instrumented interpreter left no profile (%s/profile.*.fdata, report %s)\n' "$work/profiles" "$report" >&2
  exit 4
fi

phase bolt-optimize
"$LLVM_BIN/llvm-bolt" "$interpreter" -o "$work/python.bolt" "-data=$work/python.fdata" \
  "${common_flags[@]}" "${apply_flags[@]}"
# Only the bytes change: the staged file keeps its mode and times (SOURCE_DATE_EPOCH builds).
touch -r "$interpreter" "$work/python.bolt"
cp --preserve=timestamps "$work/python.bolt" "$interpreter"
phase end
printf '==> phase: bolted\n'
