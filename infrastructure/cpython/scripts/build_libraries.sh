#!/usr/bin/env bash
# Builds the libraries the artifact carries from their pinned source tarballs (verified by the
# orchestrator against the pins in packages/core/src/schemas/libraries.ts) with the build's own
# compiler, into LIBRARIES_PREFIX: lib/ (shared libraries), include/, and
# share/licenses/<name>/ (the licence text). bundle_libs.sh copies what the interpreter needs from
# there; pinned.tsv names each shared library's library and version for the SBOM.
#
# Env contract:
#   LIBRARIES            space-separated name=version=tarball (openssl=3.5.7=/libsources/openssl_3.5.7.orig.tar.gz)
#   LIBRARIES_PREFIX     where they are installed (a fresh directory)
#   LIBRARIES_CACHE_DIR  optional: a finished build is kept there as <key>.tar, where the key hashes
#                        the tarball, this script, the compiler and the target; the next build with
#                        the same key unpacks it instead of compiling (OpenSSL takes minutes)
#   OPTIMIZE             1 (default): the libraries' own optimisation (OpenSSL's -O3); 0, the quick
#                        build's: -O1, which compiles OpenSSL in about a third of the time
#   JOBS, CROSS_HOST     as in build_cpython.sh
set -euo pipefail

: "${LIBRARIES:?}" "${LIBRARIES_PREFIX:?}"
JOBS="${JOBS:-$(nproc)}"
CROSS_HOST="${CROSS_HOST:-}"
LIBRARIES_CACHE_DIR="${LIBRARIES_CACHE_DIR:-}"
OPTIMIZE="${OPTIMIZE:-1}"
# Compiler options after each library's own, so the last -O wins.
quick_cflags=()
if [ "$OPTIMIZE" = 0 ]; then quick_cflags=(-O1); fi
target="${CROSS_HOST:-$(gcc -dumpmachine)}"
cc="${CROSS_HOST:+$CROSS_HOST-}gcc"

# openssl_target TRIPLET: sets OPENSSL_TARGET to OpenSSL's Configure target for a GNU triplet.
openssl_target() {
  case "$1" in
    x86_64-*-linux-gnu | x86_64-linux-gnu) OPENSSL_TARGET=linux-x86_64 ;;
    aarch64-*-linux-gnu | aarch64-linux-gnu) OPENSSL_TARGET=linux-aarch64 ;;
    *)
      printf 'error: no OpenSSL target for %s: add it to build_libraries.sh\n' "$1" >&2
      exit 2
      ;;
  esac
}

# build_openssl VERSION TARBALL WORK: shared libssl/libcrypto and headers into LIBRARIES_PREFIX.
# OPENSSLDIR is /etc/ssl, where Debian and Ubuntu keep the CA store (certs/, hashed) and
# openssl.cnf; SSL_CERT_FILE and SSL_CERT_DIR still override it. no-module builds the legacy
# provider into libcrypto (hashlib's md4, ripemd160...) so no module path of this build machine is
# baked in; no-engine: CPython uses none.
build_openssl() {
  local version="$1" tarball="$2" work="$3"
  openssl_target "$target"
  mkdir -p "$work/openssl"
  tar -xf "$tarball" -C "$work/openssl" --strip-components=1
  (
    cd "$work/openssl"
    ./Configure "$OPENSSL_TARGET" ${CROSS_HOST:+"--cross-compile-prefix=$CROSS_HOST-"} \
      "--prefix=$LIBRARIES_PREFIX" --libdir=lib --openssldir=/etc/ssl \
      shared no-module no-engine no-docs no-tests no-apps ${quick_cflags[@]+"${quick_cflags[@]}"}
    make -j "$JOBS" build_libs
    make install_dev
  )
  install -D -m 0644 "$work/openssl/LICENSE.txt" "$LIBRARIES_PREFIX/share/licenses/openssl/LICENSE.txt"
  printf 'libssl.so.3\topenssl\t%s\nlibcrypto.so.3\topenssl\t%s\n' "$version" "$version" >>"$LIBRARIES_PREFIX/pinned.tsv"
}

rm -rf "$LIBRARIES_PREFIX"
mkdir -p "$LIBRARIES_PREFIX"
key=""
if [ -n "$LIBRARIES_CACHE_DIR" ]; then
  key="$({
    cat "${BASH_SOURCE[0]}"
    "$cc" --version
    printf '%s %s optimize=%s\n' "$target" "$LIBRARIES_PREFIX" "$OPTIMIZE"
    ldd --version 2>&1 | head -n 1
    for spec in $LIBRARIES; do sha256sum "${spec##*=}" | cut -d ' ' -f 1; done
  } | sha256sum | cut -c 1-16)"
  mkdir -p "$LIBRARIES_CACHE_DIR"
  # Two builds with the same key (parallel builds of two CPython versions) compile once: the second
  # waits for the first's lock, then finds its result.
  exec 9>"$LIBRARIES_CACHE_DIR/$key.lock"
  flock 9
  if [ -f "$LIBRARIES_CACHE_DIR/$key.tar" ]; then
    tar -xf "$LIBRARIES_CACHE_DIR/$key.tar" -C "$LIBRARIES_PREFIX"
    printf 'libraries: %s from the cache (%s/%s.tar)\n' "$LIBRARIES" "$LIBRARIES_CACHE_DIR" "$key"
    exit 0
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: >"$LIBRARIES_PREFIX/pinned.tsv"
for spec in $LIBRARIES; do
  IFS='=' read -r name version tarball <<<"$spec"
  [ -f "$tarball" ] || {
    printf 'error: %s %s: no tarball at %s\n' "$name" "$version" "$tarball" >&2
    exit 2
  }
  case "$name" in
    openssl) build_openssl "$version" "$tarball" "$work" ;;
    *)
      printf 'error: build_libraries.sh does not know how to build %s\n' "$name" >&2
      exit 2
      ;;
  esac
done

if [ -n "$key" ]; then
  # Written under another name and renamed: two builds filling the cache at once never see half a file.
  tar -cf "$LIBRARIES_CACHE_DIR/$key.tar.$$" -C "$LIBRARIES_PREFIX" .
  mv -f "$LIBRARIES_CACHE_DIR/$key.tar.$$" "$LIBRARIES_CACHE_DIR/$key.tar"
fi
