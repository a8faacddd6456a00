#!/usr/bin/env bash
# Builds CPython inside an isolated build environment (Docker container or Vagrant VM) and leaves
# a relocatable, self-contained install tree plus build-facts.json in OUTPUT_DIR.
# The orchestrator (cpython-prebuilt build) decides every input; this script does no version
# arithmetic of its own beyond deriving the X.Y directory name.
#
# Env contract (all required unless a default is shown):
#   VERSION              full version, e.g. 3.13.5
#   SOURCE_TARBALL       official tarball, already verified by the orchestrator
#   PREFIX               install prefix, e.g. /opt/python-3.13.5
#   OUTPUT_DIR           receives python-<VERSION>/ and build-facts.json
#   EXPECTED_EXTENSIONS  space-separated extension modules that must exist
#   LIBRARIES=           space-separated name=version=tarball of libraries built from pinned sources
#                        (build_libraries.sh) and linked instead of the base's: OpenSSL. Empty: the
#                        base's -dev packages only
#   LIBRARIES_CACHE_DIR= optional: where build_libraries.sh keeps finished library builds
#   SOURCE_DATE_EPOCH    fixed timestamp: hash-based .pyc files, reproducible output
#   OPTIMIZE=1           1: --enable-optimizations --with-lto (PGO+LTO); 0: plain build
#   JOBS=nproc           parallel make jobs
#   KEEP_TESTS=0         1 keeps the test suite, test extension modules and static library
#   WORK_DIR=/tmp/cpython-build
#   MEASURE_FULL_INSTALL=0  1 writes full-install.json: size of the unpruned `make install` tree and
#                        of a plain `tar czf` of it (the comparison in docs/benchmarks.md)
#   STATIC_INTERPRETER=1 1: bin/python3.X is linked from libpython's objects (no libpython NEEDED);
#                        lib/libpython3.X.so still ships for embedders. 0: python links libpython.so
#   PGO_TRAINING=extended  extended: the whole regression suite (`--pgo-extended`, JOBS workers)
#                        through pgo_task.py, which lets failed tests train without failing;
#                        cpython: CPython's own PROFILE_TASK (`-m test --pgo`, about 40 tests)
#   SPLIT_DEBUG=1        1: debug information moves to OUTPUT_DIR/debug/python-<VERSION>/lib/debug
#                        (build-id layout, GNU debuglink in each stripped file); 0: kept in place
#   STRINGOP_STRATEGY=no-rep  x86 targets: a memcpy/memset whose expected size is over 32 bytes calls
#                        glibc's instead of becoming `rep movsq`/`rep stosq` (GCC 10's generic choice,
#                        which a PGO profile makes for str copies of a few bytes); compiler: GCC decides
#   PIE=1                0: link bin/python3.X with -no-pie (LINKFORSHARED): a position-dependent
#                        executable, whose code GCC's LTO then generates without PIC
#                        (-flinker-output=exec), as Debian's python3 is
#   BOLT=0               1: link bin/python3.X so that llvm-bolt can rewrite it (relocations kept,
#                        no hot/cold partitioning by GCC; what CPython's --enable-bolt adds). The
#                        BOLT pass itself runs between STAGE=compile and STAGE=finish (bolt_python.sh)
#   STAGE=all            all: the whole build. compile: stop after the module check and leave the
#                        unpruned install tree (test suite included) in OUTPUT_DIR/stage/; finish:
#                        take that tree back and go on from pruning, so another tool can change it in
#                        between (bolt_python.sh, whose llvm-bolt needs a newer base than the build's)
#   CROSS_HOST=          empty: native build. A GNU triplet (aarch64-linux-gnu): cross-compile for it
#                        with Debian's <triplet>-gcc and :<arch> -dev packages. A native interpreter of
#                        the same source is built first (--with-build-python); nothing of the target is
#                        run, so the module check looks at files and collect_facts.py runs on the
#                        native interpreter with the target's sysconfig. No PGO (OPTIMIZE must be 0).
set -euo pipefail

: "${VERSION:?VERSION is required}" "${SOURCE_TARBALL:?}" "${PREFIX:?}" "${OUTPUT_DIR:?}"
: "${EXPECTED_EXTENSIONS:?}" "${SOURCE_DATE_EPOCH:?}"
OPTIMIZE="${OPTIMIZE:-1}"
JOBS="${JOBS:-$(nproc)}"
KEEP_TESTS="${KEEP_TESTS:-0}"
WORK_DIR="${WORK_DIR:-/tmp/cpython-build}"
MEASURE_FULL_INSTALL="${MEASURE_FULL_INSTALL:-0}"
STATIC_INTERPRETER="${STATIC_INTERPRETER:-1}"
PGO_TRAINING="${PGO_TRAINING:-extended}"
SPLIT_DEBUG="${SPLIT_DEBUG:-1}"
CROSS_HOST="${CROSS_HOST:-}"
BOLT="${BOLT:-0}"
STAGE="${STAGE:-all}"
STRINGOP_STRATEGY="${STRINGOP_STRATEGY:-no-rep}"
PIE="${PIE:-1}"
export SOURCE_DATE_EPOCH
case "$STAGE" in
  all | compile | finish) ;;
  *)
    printf 'error: STAGE must be all, compile or finish, got %s\n' "$STAGE" >&2
    exit 2
    ;;
esac
case "$PGO_TRAINING" in
  extended | cpython) ;;
  *)
    printf 'error: PGO_TRAINING must be extended or cpython, got %s\n' "$PGO_TRAINING" >&2
    exit 2
    ;;
esac
case "$PIE" in
  0 | 1) ;;
  *)
    printf 'error: PIE must be 0 or 1, got %s\n' "$PIE" >&2
    exit 2
    ;;
esac
case "$STRINGOP_STRATEGY" in
  no-rep | compiler) ;;
  *)
    printf 'error: STRINGOP_STRATEGY must be no-rep or compiler, got %s\n' "$STRINGOP_STRATEGY" >&2
    exit 2
    ;;
esac
if [ "$BOLT" = 1 ] && [ -n "$CROSS_HOST" ]; then
  printf 'error: BOLT trains the interpreter it rewrites on the build machine: it needs no CROSS_HOST\n' >&2
  exit 2
fi
if [ -n "$CROSS_HOST" ] && [ "$OPTIMIZE" = 1 ]; then
  printf 'error: a cross build cannot run the PGO profile task on the target: OPTIMIZE must be 0\n' >&2
  exit 2
fi
# Binutils that read and rewrite the target's ELF files (split_debug.sh, bundle_libs.sh,
# collect_facts.py): the host's own objcopy/objdump know only the host's architecture.
tool_prefix="${CROSS_HOST:+$CROSS_HOST-}"
export OBJCOPY="${tool_prefix}objcopy" OBJDUMP="${tool_prefix}objdump" READELF="${tool_prefix}readelf"

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
short_version="${VERSION%.*}"
phases_file="$OUTPUT_DIR/phases.txt"
stage_tree="$OUTPUT_DIR/stage/python-$VERSION"
LIBRARIES="${LIBRARIES:-}"
# The pinned libraries' install (headers, libraries, licence texts): outside PREFIX, so that only
# what the interpreter links reaches the artifact (bundle_libs.sh copies it from here).
libraries_prefix="$WORK_DIR-libraries"
stage_libraries="$OUTPUT_DIR/stage/libraries"
mkdir -p "$OUTPUT_DIR"
# finish appends to the durations of the stages before it.
[ "$STAGE" = finish ] || : >"$phases_file"

# shellcheck source=phases.sh
source "$script_dir/phases.sh"

python_bin="$PREFIX/bin/python$short_version"
stdlib="$PREFIX/lib/python$short_version"

if [ "$STAGE" != finish ]; then
phase extract
rm -rf "$WORK_DIR" "$PREFIX" "$OUTPUT_DIR/debug"
mkdir -p "$WORK_DIR"
tar -xf "$SOURCE_TARBALL" -C "$WORK_DIR" --strip-components=1

if [ -n "$LIBRARIES" ]; then
  phase libraries
  LIBRARIES="$LIBRARIES" LIBRARIES_PREFIX="$libraries_prefix" JOBS="$JOBS" CROSS_HOST="$CROSS_HOST" \
    OPTIMIZE="$OPTIMIZE" "$script_dir/build_libraries.sh"
fi

# libedit (BSD) behind the readline module: GNU readline is GPL. No dbm.gnu/dbm.ndbm either: the
# build base has no gdbm (GPL) to build them with.
configure_args=(
  "--prefix=$PREFIX"
  --enable-shared
  --with-ensurepip=install
  --enable-loadable-sqlite-extensions
  --with-readline=editline
)
# Flags for CPython and its own modules only (configure appends its own; extensions users build
# later do not inherit them).
cflags_nodist=()
ldflags_nodist=()
case "${CROSS_HOST:-$(gcc -dumpmachine)}" in
  x86_64-*)
    # With a profile, GCC 10 expands a memcpy or memset whose expected size is 33 to 8192 bytes
    # into `rep movsq`/`rep stosq` (its generic tuning table): str operations (_copy_characters,
    # replace, the repetition operator) then pay the instruction's start-up cost on every copy of
    # a few bytes. no-rep keeps the table's inline loop up to 32 bytes and calls glibc above
    # (docs/builder.md; every copy through glibc, -mstringop-strategy=libcall, was measured far slower).
    if [ "$STRINGOP_STRATEGY" = no-rep ]; then
      cflags_nodist+=("-mmemcpy-strategy=loop:32:noalign,libcall:-1:noalign"
        "-mmemset-strategy=loop:32:noalign,libcall:-1:noalign")
    fi
    ;;
esac
if [ -f "$libraries_prefix/pinned.tsv" ] && awk -F '\t' '$2 == "openssl" { found = 1 } END { exit !found }' "$libraries_prefix/pinned.tsv"; then
  # No RUNPATH to it (--with-openssl-rpath=no): bundle_libs.sh copies libssl and libcrypto into the
  # tree and points every file at $ORIGIN. Until then the loader finds them through LD_LIBRARY_PATH
  # (the PGO run and the module check import ssl); CPython's RUNSHARED keeps what is set here.
  configure_args+=("--with-openssl=$libraries_prefix" --with-openssl-rpath=no)
fi
[ ! -d "$libraries_prefix/lib" ] || export LD_LIBRARY_PATH="$libraries_prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ "$PIE" = 0 ]; then
  # Only the executables' link: LINKFORSHARED goes there and nowhere else (-no-pie with -shared makes
  # GCC link an executable). The value is configure's own for Linux plus -no-pie.
  configure_args+=("LINKFORSHARED=-Xlinker -export-dynamic -no-pie")
fi
if [ "$OPTIMIZE" = 1 ]; then
  configure_args+=(--enable-optimizations --with-lto)
elif [ "$KEEP_TESTS" != 1 ]; then
  # The test suite's C modules (_testcapi, _testinternalcapi...) are pruned below anyway; only PGO's
  # training run needs them, so an unoptimised build does not compile them.
  configure_args+=(--disable-test-modules)
fi
if [ "$BOLT" = 1 ]; then
  # What configure.ac's --enable-bolt adds (that option also wants llvm-bolt in this image):
  # relocations for llvm-bolt to move functions, and no .cold parts split off by GCC. The builder
  # asks for it on PGO+LTO builds only; an OPTIMIZE=0 one is the BOLT training test's quick subject.
  cflags_nodist+=(-fno-reorder-blocks-and-partition)
  ldflags_nodist+=("-Wl,--emit-relocs")
fi
cross_python=""
if [ -n "$CROSS_HOST" ]; then
  # The interpreter that runs the build's own Python steps (freezing, sysconfig, ensurepip,
  # compileall) must be of the same version: a plain native build of the same tarball, in tree.
  phase build-python
  build_python_dir="$WORK_DIR-build-python"
  rm -rf "$build_python_dir"
  mkdir -p "$build_python_dir"
  tar -xf "$SOURCE_TARBALL" -C "$build_python_dir" --strip-components=1
  # The same prefix: `make install` runs ensurepip with it, and pip installs under its sys.prefix.
  (cd "$build_python_dir" && ./configure "--prefix=$PREFIX" --without-ensurepip --disable-test-modules &&
    make -j "$JOBS")
  cross_python="$build_python_dir/python"
  # configure cannot run its test programs for the target; these are the answers the target
  # (Linux, glibc, aarch64) gives natively. Without the first three configure stops; the others
  # default to a pessimistic guess when cross compiling (configure.ac's AC_RUN_IFELSE fallbacks),
  # e.g. aligned_required=yes would switch str hashing from SipHash to FNV.
  wchar_signed=yes
  # C compilers define __WCHAR_UNSIGNED__ only for C++; the minimum tells (0U on aarch64 Linux).
  if "${tool_prefix}gcc" -dM -E - </dev/null | grep -q '^#define __WCHAR_MIN__ 0'; then wchar_signed=no; fi
  configure_args+=(
    "--build=$(gcc -dumpmachine)" "--host=$CROSS_HOST" "--with-build-python=$cross_python"
    --with-computed-gotos
    ac_cv_file__dev_ptmx=yes ac_cv_file__dev_ptc=no ac_cv_buggy_getaddrinfo=no
    ac_cv_aligned_required=no ac_cv_working_tzset=yes ac_cv_broken_sem_getvalue=no
    ac_cv_pthread_system_supported=yes "ac_cv_wchar_t_signed=$wchar_signed"
  )
  # pkg-config must describe the target's libraries (Debian's multiarch .pc files), not the host's.
  export PKG_CONFIG_LIBDIR="/usr/lib/$CROSS_HOST/pkgconfig:/usr/share/pkgconfig"
fi

[ "${#cflags_nodist[@]}" -eq 0 ] || configure_args+=("CFLAGS_NODIST=${cflags_nodist[*]}")
[ "${#ldflags_nodist[@]}" -eq 0 ] || configure_args+=("LDFLAGS_NODIST=${ldflags_nodist[*]}")

phase configure
cd "$WORK_DIR"
./configure "${configure_args[@]}"

# Variables given on make's command line override the Makefile's and reach every recursive make
# (the PGO stages), so the same list goes to `make` and `make install`.
make_vars=()
if [ "$STATIC_INTERPRETER" = 1 ]; then
  # What CPython 3.15's --enable-static-libpython-for-interpreter does (python/cpython#133313),
  # for 3.11-3.14: with --enable-shared, configure links the interpreter with
  # LINK_PYTHON_OBJS='$(BLDLIBRARY)' (-lpython3.X); these are the values its own non-shared
  # branch uses (configure.ac, "LIBRARY_DEPS, LINK_PYTHON_OBJS and LINK_PYTHON_DEPS"). The
  # executable then reaches its thread state without __tls_get_addr and calls without the PLT,
  # and a copied executable (venv --copies) no longer needs to find libpython. Extension modules
  # resolve Py* symbols from the executable (-export-dynamic) as before: on Linux they never link
  # libpython. libpython3.X.so is still built and installed, for programs that embed Python.
  # shellcheck disable=SC2016 # make expands these, not the shell
  make_vars+=('LINK_PYTHON_OBJS=$(LIBRARY_OBJS)' 'LINK_PYTHON_DEPS=$(LIBRARY_DEPS) $(LIBRARY_OBJS)')
fi
if [ "$OPTIMIZE" = 1 ] && [ "$PGO_TRAINING" = extended ]; then
  make_vars+=("PROFILE_TASK=$script_dir/pgo_task.py --pgo-extended -j $JOBS --timeout=1200")
fi
phase compile
make -j "$JOBS" "${make_vars[@]}"

phase install
make install "${make_vars[@]}"

if [ "$MEASURE_FULL_INSTALL" = 1 ]; then
  # Its own phase, so the orchestrator can leave it out of the build's wall time.
  phase measure-full-install
  full_bytes="$(du -s --apparent-size --block-size=1 "$PREFIX" | cut -f1)"
  full_targz_bytes="$(tar -czf - -C "$(dirname "$PREFIX")" "$(basename "$PREFIX")" | wc -c)"
  printf '{"installedBytes": %s, "tarGzBytes": %s}\n' "$full_bytes" "$full_targz_bytes" >"$OUTPUT_DIR/full-install.json"
fi

# RUNPATHs are set by bundle_libs.sh after install (not through LDFLAGS) so sysconfig keeps clean
# flags for the extensions users compile later; until then the loader needs a hint.
phase check-modules
missing=()
for module in $EXPECTED_EXTENSIONS; do
  if [ -n "$CROSS_HOST" ]; then
    # The target's interpreter cannot run here: the module must at least have been built.
    # Importing it is validate_cpython.sh's job, on images of the target's architecture.
    built=("$stdlib/lib-dynload/$module".cpython-*.so)
    [ -f "${built[0]}" ] || missing+=("$module (no $stdlib/lib-dynload/$module.cpython-*.so)")
  elif ! LD_LIBRARY_PATH="$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$python_bin" -c "import $module" 2>"$WORK_DIR/import-$module.err"; then
    missing+=("$module ($(tail -n 1 "$WORK_DIR/import-$module.err"))")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'error: native modules missing from the build: %s\n' "${missing[*]}" >&2
  printf 'error: install the -dev packages that provide them in the build base and rebuild\n' >&2
  exit 3
fi
fi # STAGE != finish

if [ "$STAGE" = compile ]; then
  phase end
  rm -rf "$OUTPUT_DIR/stage"
  mkdir -p "$OUTPUT_DIR/stage"
  cp -a "$PREFIX" "$stage_tree"
  # The finish stage runs in a fresh container: bundle_libs.sh takes the pinned libraries from here.
  [ ! -d "$libraries_prefix" ] || cp -a "$libraries_prefix" "$stage_libraries"
  printf '==> phase: compiled\n'
  exit 0
fi
if [ "$STAGE" = finish ]; then
  if [ ! -x "$stage_tree/bin/python$short_version" ]; then
    printf 'error: STAGE=finish needs the tree STAGE=compile left in %s\n' "$stage_tree" >&2
    exit 2
  fi
  rm -rf "$PREFIX" "$OUTPUT_DIR/debug"
  mkdir -p "$(dirname -- "$PREFIX")"
  cp -a "$stage_tree" "$PREFIX"
  if [ -d "$stage_libraries" ]; then
    rm -rf "$libraries_prefix"
    cp -a "$stage_libraries" "$libraries_prefix"
  fi
  rm -rf "$OUTPUT_DIR/stage"
fi

phase prune
if [ "$KEEP_TESTS" != 1 ]; then
  find "$stdlib" -path "$stdlib/site-packages" -prune -o -type d \
    \( -name test -o -name tests -o -name idle_test \) -print0 | xargs -0 rm -rf
  find "$stdlib/lib-dynload" -type f \( -name '_test*' -o -name '_ctypes_test*' -o -name 'xxlimited*' \
    -o -name '_xxtestfuzz*' \) -delete
  find "$PREFIX/lib" -name 'libpython*.a' -delete
fi
# Optimised bytecode (.opt-1.pyc for -O, .opt-2.pyc for -OO) is a fifth of the installed tree and
# serves only interpreters started with -O: Debian ships none either. Such a run compiles the
# modules it imports, and writes the files where it may.
find "$PREFIX/lib" -name '*.opt-[12].pyc' -delete

if [ "$SPLIT_DEBUG" = 1 ]; then
  # Before bundle_libs.sh: its patchelf edits are then the last change to each file.
  phase split-debug
  "$script_dir/split_debug.sh" "$PREFIX" "$OUTPUT_DIR/debug/python-$VERSION/lib/debug"
fi

phase bundle-libraries
# Licence texts ship with the tree: CPython's here, each bundled library's package's by bundle_libs.sh.
install -D -m 0644 "$stdlib/LICENSE.txt" "$PREFIX/share/licenses/cpython/LICENSE.txt"
PINNED_LIBRARIES_DIR="$libraries_prefix" "$script_dir/bundle_libs.sh" "$PREFIX" "$OUTPUT_DIR/bundled-libraries.tsv" "${CROSS_HOST:-$(gcc -dumpmachine)}"

phase relocate-scripts
# A cross build's ensurepip ran on the native interpreter, whose path pip wrote into its scripts.
"$script_dir/relocate_scripts.sh" "$PREFIX" "python$short_version" ${cross_python:+"$cross_python"}

phase collect-facts
phase end
facts_python=("$python_bin")
if [ -n "$CROSS_HOST" ]; then
  # The native interpreter of the same source, reading the target's sysconfig (what CPython's
  # Makefile calls PYTHON_FOR_BUILD): configure arguments and module set are the target's.
  sysconfigdata="$(basename "$(find "$stdlib" -maxdepth 1 -name '_sysconfigdata_*.py' -print -quit)" .py)"
  facts_python=(env "_PYTHON_SYSCONFIGDATA_NAME=$sysconfigdata" "PYTHONPATH=$stdlib" "$cross_python")
fi
"${facts_python[@]}" "$script_dir/collect_facts.py" \
  --prefix "$PREFIX" --bundled "$OUTPUT_DIR/bundled-libraries.tsv" --phases "$phases_file" \
  >"$OUTPUT_DIR/build-facts.json"

rm -rf "${OUTPUT_DIR:?}/python-$VERSION"
cp -a "$PREFIX" "$OUTPUT_DIR/python-$VERSION"
printf '==> phase: finished\n'
