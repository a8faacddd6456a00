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
# Env contract:
#   OUTPUT_DIR           holds stage/python-<VERSION>/ (from STAGE=compile) and phases.txt
#   VERSION              full version, e.g. 3.13.5
#   PGO_TRAINING=extended  extended: the whole suite; cpython: CPython's PGO task (`-m test --pgo`)
#   JOBS=nproc           test workers for the extended training
#   LLVM_BIN=/usr/lib/llvm-16/bin
set -euo pipefail

: "${OUTPUT_DIR:?}" "${VERSION:?}"
PGO_TRAINING="${PGO_TRAINING:-extended}"
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
case "$PGO_TRAINING" in
  cpython) training=(-m test --pgo --timeout=1200) ;;
  extended) training=("$script_dir/pgo_task.py" --pgo-extended -j "$JOBS" --timeout=1200) ;;
  *)
    printf 'error: PGO_TRAINING must be extended or cpython, got %s\n' "$PGO_TRAINING" >&2
    exit 2
    ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The tree the training runs in; the instrumented interpreter finds its standard library there
# from its own path, as the relocated artifact does. The staged interpreter is only read until
# its rewritten bytes replace it.
mkdir "$work/training"
cp -a "$tree" "$work/training/"
instrumented="$work/training/python-$VERSION/bin/python$short_version"

phase bolt-instrument
"$LLVM_BIN/llvm-bolt" "$interpreter" -o "$instrumented" -instrument -instrumentation-file-append-pid \
  "-instrumentation-file=$work/profile" "${common_flags[@]}"

phase bolt-train
# The tests write their temporary files in the current directory.
status=0
(cd "$work" && "$instrumented" "${training[@]}") || status=$?
# As pgo_task.py: failed tests (2, 3, 5) still train; a crash or an empty run does not.
case "$status" in
  0 | 2 | 3 | 5) ;;
  *)
    printf 'error: BOLT training failed: the test runner exited %s\n' "$status" >&2
    exit 4
    ;;
esac
# Start-up and imports, in fresh processes: the tests weigh them little (startup_task.py says why).
# Each process appends its own profile, so these add up with the task's.
phase bolt-train-startup
for _ in $(seq 20); do
  (cd "$work" && "$instrumented" -c pass)
done
for _ in $(seq 10); do
  (cd "$work" && "$instrumented" "$script_dir/startup_task.py")
done
profiles=("$work"/profile.*.fdata)
if [ ! -s "${profiles[0]}" ]; then
  printf 'error: the instrumented interpreter wrote no profile (%s/profile.*.fdata)\n' "$work" >&2
  exit 4
fi
"$LLVM_BIN/merge-fdata" "${profiles[@]}" >"$work/python.fdata"

phase bolt-optimize
"$LLVM_BIN/llvm-bolt" "$interpreter" -o "$work/python.bolt" "-data=$work/python.fdata" \
  "${common_flags[@]}" "${apply_flags[@]}"
# Only the bytes change: the staged file keeps its mode and times (SOURCE_DATE_EPOCH builds).
touch -r "$interpreter" "$work/python.bolt"
cp --preserve=timestamps "$work/python.bolt" "$interpreter"
phase end
printf '==> phase: bolted\n'
