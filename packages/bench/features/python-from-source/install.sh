#!/bin/sh
# Baseline for the benchmark: the official python feature's from-source path, without its network
# steps (the tarball is copied into this folder, the build dependencies are in the base image).
set -eu
VERSION="${VERSION:-3.13.5}"
OPTIMIZE="${OPTIMIZE:-false}"
here="$(cd "$(dirname -- "$0")" && pwd)"
prefix="/usr/local/python/$VERSION"
work="$(mktemp -d)"
tarball="$(find "$here" -maxdepth 1 -name "*$VERSION*.tar.*" | head -n 1)"
[ -n "$tarball" ] || { echo "no source tarball for $VERSION in $here" >&2; exit 1; }
tar -xf "$tarball" -C "$work" --strip-components=1
cd "$work"
if [ "$OPTIMIZE" = true ]; then
  ./configure --prefix="$prefix" --enable-shared --with-ensurepip=install --enable-optimizations LDFLAGS="-Wl,-rpath,$prefix/lib"
else
  ./configure --prefix="$prefix" --enable-shared --with-ensurepip=install LDFLAGS="-Wl,-rpath,$prefix/lib"
fi
make -j "$(nproc)"
make install
ln -sfn "$prefix" /usr/local/python/current
for name in python3 pip3; do ln -sfn "/usr/local/python/current/bin/$name" "/usr/local/bin/$name"; done
cd /
rm -rf "$work"
