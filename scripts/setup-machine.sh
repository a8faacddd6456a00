#!/usr/bin/env bash
# Prepares a Debian/Ubuntu host (as root) for building, validating and testing:
# host packages, a running Docker engine, local base images, CPython sources, Node deps.
# Idempotent: every step checks first and skips what is already there.
# Env: SETUP_IMAGES (debian releases to debootstrap), SETUP_SOURCES (Debian source packages),
#      SETUP_SKIP_NODE=1 to leave node_modules alone.
set -euo pipefail

repo_root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${CPYTHON_PREBUILT_CACHE:-$repo_root/.cache}"
log_dir="$cache_dir/logs"
mkdir -p "$log_dir"
read -r -a images <<<"${SETUP_IMAGES:-bullseye bookworm trixie}"
read -r -a source_packages <<<"${SETUP_SOURCES:-python3.13 python3.11}"
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$repo_root/package.json")"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  die "this script installs packages and starts dockerd: run it as root (sudo $0)"
fi

apt_updated=0
apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    apt-get update >"$log_dir/apt-update.log" 2>&1 || die "apt-get update failed, see $log_dir/apt-update.log"
    apt_updated=1
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
    >"$log_dir/apt-install.log" 2>&1 || die "apt-get install failed, see $log_dir/apt-install.log"
}

apt_install docker.io debootstrap shellcheck ca-certificates dpkg-dev xz-utils docker-registry vagrant openssh-client

# Docker engine: Debian's package has no systemd here; containers get loopback only by default.
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log: /var/log/dockerd.log)"
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || die "dockerd did not start, see /var/log/dockerd.log"
fi

# Base images: nothing can be pulled here, so they are made from Debian's archive.
for release in "${images[@]}"; do
  image="local/debian:$release"
  if docker image inspect "$image" >/dev/null 2>&1; then
    continue
  fi
  rootfs="$(mktemp -d "/tmp/rootfs-$release.XXXXXX")"
  say "debootstrap $release -> $image (log: $log_dir/debootstrap-$release.log)"
  debootstrap --variant=minbase "$release" "$rootfs" http://deb.debian.org/debian \
    >"$log_dir/debootstrap-$release.log" 2>&1 || die "debootstrap $release failed, see $log_dir/debootstrap-$release.log"
  tar -C "$rootfs" -c . | docker import - "$image" >/dev/null
  rm -rf "$rootfs"
done

# bookworm images with curl, and with wget, for tests that download artifacts from loopback servers
# (install.sh uses whichever the image has).
for tool in curl wget; do
  image="local/debian:bookworm-$tool"
  if docker image inspect "$image" >/dev/null 2>&1; then
    continue
  fi
  say "making $image (log: $log_dir/bookworm-$tool.log)"
  printf 'FROM local/debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends %s ca-certificates && rm -rf /var/lib/apt/lists/*\n' "$tool" \
    | DOCKER_BUILDKIT=0 docker build --network host -t "$image" - >"$log_dir/bookworm-$tool.log" 2>&1 \
    || die "building $image failed, see $log_dir/bookworm-$tool.log"
done

# CPython sources: python.org is unreachable, Debian's source archive carries the pristine tarballs.
src_list=/etc/apt/sources.list.d/cpython-prebuilt-src.sources
if [ ! -f "$src_list" ]; then
  printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm trixie' \
    'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$src_list"
  apt_updated=0
fi
mkdir -p "$cache_dir/sources"
for pkg in "${source_packages[@]}"; do
  if ls "$cache_dir/sources/${pkg}_"*.orig.tar.* >/dev/null 2>&1; then
    continue
  fi
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update >"$log_dir/apt-update.log" 2>&1 || die "apt-get update failed, see $log_dir/apt-update.log"
    apt_updated=1
  fi
  say "fetching Debian source package $pkg into $cache_dir/sources"
  (cd "$cache_dir/sources" && apt-get source --download-only "$pkg" >"$log_dir/apt-source-$pkg.log" 2>&1) \
    || die "apt-get source $pkg failed, see $log_dir/apt-source-$pkg.log"
done

if [ "${SETUP_SKIP_NODE:-0}" != 1 ]; then
  if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    say "installing pnpm@$pnpm_version"
    npm i -g "pnpm@$pnpm_version" >"$log_dir/pnpm.log" 2>&1 || die "npm i -g pnpm failed, see $log_dir/pnpm.log"
  fi
  say "pnpm install --frozen-lockfile"
  (cd "$repo_root" && pnpm install --frozen-lockfile >"$log_dir/pnpm-install.log" 2>&1) \
    || die "pnpm install failed, see $log_dir/pnpm-install.log"
fi
say "ready"
