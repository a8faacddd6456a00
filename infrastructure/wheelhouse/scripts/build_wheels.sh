#!/usr/bin/env bash
# Builds a wheel for every requirement and its dependencies with the artifact's own interpreter.
# Runs in a fresh container of the artifact's build-base image (same glibc floor, compilers).
# Env contract (set by packages/pipelines/src/wheelhouse-build.ts):
#   PYTHON             the artifact's interpreter, mounted read-only at its prefix
#   REQUIREMENTS       the requirements file
#   FIND_LINKS         space-separated folders of sdists and wheels (read-only mounts)
#   OFFLINE            1: --no-index, only FIND_LINKS (the container has no network)
#   OUTPUT_DIR         wheels go to OUTPUT_DIR/wheels
#   SOURCE_DATE_EPOCH  timestamp stamped into every wheel (the wheel package honours it)
set -euo pipefail
: "${PYTHON:?}" "${REQUIREMENTS:?}" "${OUTPUT_DIR:?}" "${SOURCE_DATE_EPOCH:?}"

pip_args=(--no-cache-dir --disable-pip-version-check --no-input --progress-bar off)
if [ "${OFFLINE:-1}" = 1 ]; then pip_args+=(--no-index); fi
read -r -a find_links <<<"${FIND_LINKS:-}"
for dir in "${find_links[@]}"; do pip_args+=(--find-links "$dir"); done

# Same inputs, same bytes: debug info records the random folder pip builds each sdist in
# (/tmp/pip-req-build-XXXX), so C extensions are built without it (-g0 comes last and wins over
# the interpreter's own CFLAGS); the build id then hashes only deterministic content.
export CFLAGS="${CFLAGS:-} -g0"
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1

mkdir -p "$OUTPUT_DIR/wheels"
echo "== phase: wheels"
"$PYTHON" -m pip wheel "${pip_args[@]}" --wheel-dir "$OUTPUT_DIR/wheels" --requirement "$REQUIREMENTS"
