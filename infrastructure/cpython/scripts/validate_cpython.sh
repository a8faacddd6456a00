#!/bin/sh
# Checks an artifact inside a clean container of a bare base image (no packages added).
# Prints one line per check: "check<TAB><name><TAB>pass|fail<TAB><detail>"; exits 1 if any failed.
# Env: ARTIFACT (the .tgz), VERSION, PREFIX (/opt/python-<version>), EXPECTED_IMPORTS (space
# separated), SCRIPTS (this directory).
set -eu

: "${ARTIFACT:?}" "${VERSION:?}" "${PREFIX:?}" "${EXPECTED_IMPORTS:?}" "${SCRIPTS:?}"
short_version="${VERSION%.*}"
# The tag of the bytecode `make install` compiles: cpython-313 for 3.13.
bytecode_tag="cpython-$(printf '%s' "$short_version" | tr -d .)"
failures=0
scratch="$(mktemp -d)"

report() {
  printf 'check\t%s\t%s\t%s\n' "$1" "$2" "$(printf '%s' "$3" | tr '\t\n' '  ' | cut -c 1-400)"
}

# check NAME EXPECTED COMMAND...: passes when COMMAND succeeds and, if EXPECTED is not empty,
# its last output line equals EXPECTED.
check() {
  name="$1"
  expected="$2"
  shift 2
  if output="$("$@" 2>&1)"; then
    last="$(printf '%s\n' "$output" | tail -n 1)"
    if [ -z "$expected" ] || [ "$last" = "$expected" ]; then
      report "$name" pass "$last"
      return 0
    fi
    report "$name" fail "expected \"$expected\", got \"$last\""
  else
    report "$name" fail "exit $?: $(printf '%s\n' "$output" | tail -n 3)"
  fi
  failures=$((failures + 1))
}

missing_libraries() {
  found="$(find "$1" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$1/bin/python$short_version" \) \
    -exec ldd {} + 2>/dev/null | grep 'not found' | sort -u || true)"
  if [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 1
  fi
  printf 'no missing shared libraries\n'
}

# Shared libraries the tree's files resolve outside the tree, glibc's own excepted: a bundled
# library that is still taken from the image at run time (its RUNPATH does not reach lib/).
foreign_libraries() {
  found="$(find "$1" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$1/bin/python$short_version" \) \
    -exec ldd {} + 2>/dev/null |
    awk -v tree="$1/" '$2 == "=>" && substr($3, 1, 1) == "/" && index($3, tree) != 1 { print $1 " => " $3 }' |
    grep -Ev '^(libc|libm|libdl|libpthread|librt|libutil|libresolv|libnsl|libanl|libmvec|ld-linux[^ ]*)\.so' |
    sort -u | head -n 5 || true)"
  if [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 1
  fi
  printf 'every bundled library resolves inside the tree\n'
}

venv_with_wheel() {
  "$PREFIX/bin/python3" -m venv "$scratch/venv"
  "$PREFIX/bin/python3" "$SCRIPTS/make_test_wheel.py" "$scratch/wheels"
  "$scratch/venv/bin/pip" install --no-index --no-cache-dir --disable-pip-version-check --quiet "$scratch"/wheels/*.whl
  "$scratch/venv/bin/python" -c 'import cpython_prebuilt_probe as p; print(p.answer())'
}

# A venv made with --copies holds its own copy of the executable: it starts only when the
# interpreter does not need libpython from $ORIGIN/../lib (a statically linked interpreter).
venv_copies() {
  "$PREFIX/bin/python3" -m venv --copies "$scratch/venv-copies"
  "$scratch/venv-copies/bin/python" -c 'import sys, ssl, json; print(sys.prefix != sys.base_prefix)'
}

# The artifact's bytecode is what `make install` compiled: <module>.cpython-3XY.pyc in a
# __pycache__ directory. Anything else (another optimisation level, a stray file) was written by
# something that ran in the tree before it was packed, such as a training run.
stray_bytecode() {
  found="$(find "$1" -name '*.pyc' ! -path "*/__pycache__/*.$bytecode_tag.pyc" | sort | head -n 5)"
  if [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 1
  fi
  printf 'only %s bytecode in __pycache__\n' "$bytecode_tag"
}

moved_tree() {
  mkdir -p "$scratch/moved"
  mv "$PREFIX" "$scratch/moved/"
  moved="$scratch/moved/$(basename -- "$PREFIX")"
  "$moved/bin/pip3" --version >/dev/null
  "$moved/bin/python3" -c 'import sys, ssl, sqlite3, ctypes; print(sys.prefix)'
  mv "$moved" "$PREFIX"
}

parent="$(dirname -- "$PREFIX")"
mkdir -p "$parent"
check extract "" tar -xzf "$ARTIFACT" -C "$parent"
if [ ! -x "$PREFIX/bin/python3" ]; then
  report layout fail "$PREFIX/bin/python3 missing after extraction"
  exit 1
fi
# Before any interpreter runs in the tree and writes bytecode of its own.
check bytecode "only $bytecode_tag bytecode in __pycache__" stray_bytecode "$PREFIX"
check version "Python $VERSION" "$PREFIX/bin/python3" --version
check prefix "$PREFIX" "$PREFIX/bin/python3" -c 'import sys; print(sys.prefix)'
for module in $EXPECTED_IMPORTS; do
  check "import $module" "ok" "$PREFIX/bin/python3" -c "import $module; print('ok')"
done
check "tcl runtime" "ok" "$PREFIX/bin/python3" -c "import tkinter; tkinter.Tcl().eval('info patchlevel'); print('ok')"
check "pip" "" "$PREFIX/bin/pip3" --version
check "SBOM and licences" "" "$PREFIX/bin/python3" -I -B "$SCRIPTS/check_sbom.py" "$PREFIX" "$VERSION"
check "OpenSSL from the pinned source" "" "$PREFIX/bin/python3" -I -B "$SCRIPTS/check_openssl.py" "$PREFIX"
check "venv + local wheel" "42" venv_with_wheel
check "venv --copies" "True" venv_copies
check "shared libraries (ldd)" "no missing shared libraries" missing_libraries "$PREFIX"
check "bundled libraries from the tree" "every bundled library resolves inside the tree" foreign_libraries "$PREFIX"
check "moved tree" "$scratch/moved/$(basename -- "$PREFIX")" moved_tree

rm -rf "$scratch"
[ "$failures" -eq 0 ]
