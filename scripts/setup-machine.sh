#!/usr/bin/env bash
# Prepares a Debian/Ubuntu host (as root) for building, validating and testing:
# host packages, a running Docker engine, local base images, CPython sources, Node deps.
# Idempotent: every step checks first and skips what is already there.
# Env: SETUP_IMAGES (debian releases to debootstrap), SETUP_ARM64_IMAGES (the same for linux/arm64,
#      run under qemu-user-static; empty skips arm64), SETUP_SOURCES (Debian source packages),
#      SETUP_MIRROR (Debian archive URL; default: the one this machine's apt sources use),
#      SETUP_SKIP_NODE=1 to leave node_modules alone.
set -euo pipefail

repo_root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${CPYTHON_PREBUILT_CACHE:-$repo_root/.cache}"
log_dir="$cache_dir/logs"
mkdir -p "$log_dir"
# An empty SETUP_IMAGES / SETUP_ARM64_IMAGES / SETUP_SOURCES skips that step (release runners
# build from python.org sources on pulled images and need none of them).
read -r -a images <<<"${SETUP_IMAGES-bullseye bookworm trixie}"
read -r -a arm64_images <<<"${SETUP_ARM64_IMAGES-bullseye bookworm trixie}"
# markupsafe..setuptools: pristine sdists for the wheelhouse tests (docs/wheelhouse.md); flit gives
# flit_core, the build backend of idna and packaging; setuptools is built from its sdist because
# Debian's setuptools wheel is patched for Debian's own Python (install_layout) and fails on ours.
read -r -a source_packages <<<"${SETUP_SOURCES-python3.13 python3.11 markupsafe pyyaml python-packaging python-idna flit setuptools}"
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$repo_root/package.json")"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  die "this script installs packages and starts dockerd: run it as root (for example: su -c \"bash $0\")"
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

# The Debian archive this machine already uses (a mirror or proxy stays in use): the URI of the
# first `deb` source for the host's own release, from deb822 files in sources.list.d and from
# one-line sources.list files. Prints nothing when there is none.
configured_mirror() {
  local codename="$1"
  local files=()
  local file
  for file in /etc/apt/sources.list.d/*.sources; do [ -f "$file" ] && files+=("$file"); done
  if [ "${#files[@]}" -gt 0 ]; then
    awk -v codename="$codename" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " codename " ") && uris != "") { split(uris, u, " "); print u[1]; found = 1; exit } }
      /^[ \t]*$/ { flush(); types = suites = uris = ""; next }
      /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
      /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
      END { if (!found) flush() }' "${files[@]}" | head -n 1
  fi
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    # deb [options] URI suite components...
    sed -e 's/\[[^]]*\]//' "$file" | awk -v codename="$codename" '$1 == "deb" && $3 == codename { print $2; exit }'
  done
}

# docker-compose: the devcontainers CLI needs it for Compose-based configurations (examples/compose-service).
# A host that already has a Docker engine (GitHub's runners: Docker CE) keeps it: docker.io would
# conflict with its containerd. debian-archive-keyring lets a non-Debian host debootstrap Debian.
# bats runs the tests of install.sh's modules inside the base images (mounted read-only there).
engine_packages=()
command -v dockerd >/dev/null 2>&1 || engine_packages=(docker.io)
apt_install "${engine_packages[@]}" debootstrap debian-archive-keyring shellcheck ca-certificates dpkg-dev xz-utils \
  docker-registry vagrant openssh-client docker-compose python3-setuptools-whl python3-wheel-whl \
  gcc binutils bats

# arm64 containers on an x86_64 host run under qemu-user-static's binfmt handler (flag F: the
# handler is loaded once, so it works inside containers too). binfmt_misc may be unmounted in a
# container or a minimal VM; the handler lives there.
if [ "${#arm64_images[@]}" -gt 0 ] && [ "$(uname -m)" != aarch64 ]; then
  apt_install qemu-user-static binfmt-support
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc (arm64 emulation needs it): run as root on the host, or set SETUP_ARM64_IMAGES= to skip arm64"
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 || die "cannot register the qemu-aarch64 binfmt handler"
  fi
fi

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
# Debian's archive, asked for only when something must come from it.
mirror=""
need_mirror() {
  [ -z "$mirror" ] || return 0
  mirror="${SETUP_MIRROR:-}"
  local host_id codename
  host_id="$(sed -n 's/^ID=//p' /etc/os-release | tr -d '"')"
  codename="$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')"
  if [ -z "$mirror" ] && [ "$host_id" = debian ] && [ -n "$codename" ]; then
    mirror="$(configured_mirror "$codename" | head -n 1)"
  fi
  mirror="${mirror%/}"
  [ -n "$mirror" ] || die "no Debian archive for this ${host_id:-unknown} machine in its apt sources (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list): set SETUP_MIRROR=<the Debian archive URL your network uses, ending in /debian> and run again"
  say "Debian archive: $mirror (${SETUP_MIRROR:+from SETUP_MIRROR}${SETUP_MIRROR:-from the apt sources})"
}

for release in "${images[@]}"; do
  image="local/debian:$release"
  if docker image inspect "$image" >/dev/null 2>&1; then
    continue
  fi
  need_mirror
  rootfs="$(mktemp -d "/tmp/rootfs-$release.XXXXXX")"
  say "debootstrap $release -> $image (log: $log_dir/debootstrap-$release.log)"
  debootstrap --variant=minbase "$release" "$rootfs" "$mirror" \
    >"$log_dir/debootstrap-$release.log" 2>&1 || die "debootstrap $release failed, see $log_dir/debootstrap-$release.log"
  tar -C "$rootfs" -c . | docker import - "$image" >/dev/null
  rm -rf "$rootfs"
done

# arm64 images must say so: `docker import` labels every image with the host's architecture (its
# --platform is ignored by a non-experimental 20.10 engine), which misleads the devcontainers CLI
# and Docker. A FROM scratch + ADD build with --platform records arm64.
for release in "${arm64_images[@]}"; do
  image="local/debian:$release-arm64"
  if [ "$(docker image inspect -f '{{.Architecture}}' "$image" 2>/dev/null || true)" = arm64 ]; then
    continue
  fi
  need_mirror
  rootfs="$(mktemp -d "/tmp/rootfs-$release-arm64.XXXXXX")"
  context="$(mktemp -d "/tmp/context-$release-arm64.XXXXXX")"
  say "debootstrap --arch=arm64 $release -> $image (about 2 minutes under emulation; log: $log_dir/debootstrap-$release-arm64.log)"
  debootstrap --arch=arm64 --variant=minbase "$release" "$rootfs" "$mirror" \
    >"$log_dir/debootstrap-$release-arm64.log" 2>&1 || die "debootstrap --arch=arm64 $release failed, see $log_dir/debootstrap-$release-arm64.log"
  tar -C "$rootfs" -cf "$context/rootfs.tar" .
  rm -rf "$rootfs"
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build --platform linux/arm64 -t "$image" "$context" >>"$log_dir/debootstrap-$release-arm64.log" 2>&1 \
    || die "making $image failed, see $log_dir/debootstrap-$release-arm64.log"
  rm -rf "$context"
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

# Its arm64 twin, for the aarch64 suite (make test-aarch64): apt under emulation, a few minutes once.
if docker image inspect local/debian:bookworm-arm64 >/dev/null 2>&1 \
  && [ "$(docker image inspect -f '{{.Architecture}}' local/debian:bookworm-curl-arm64 2>/dev/null || true)" != arm64 ]; then
  say "making local/debian:bookworm-curl-arm64 (log: $log_dir/bookworm-curl-arm64.log)"
  printf 'FROM local/debian:bookworm-arm64\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\n' \
    | DOCKER_BUILDKIT=0 docker build --network host --platform linux/arm64 -t local/debian:bookworm-curl-arm64 - \
      >"$log_dir/bookworm-curl-arm64.log" 2>&1 \
    || die "building local/debian:bookworm-curl-arm64 failed, see $log_dir/bookworm-curl-arm64.log"
fi

# CPython sources: python.org is unreachable, Debian's source archive carries the pristine tarballs.
src_list=/etc/apt/sources.list.d/cpython-prebuilt-src.sources
if [ ! -f "$src_list" ]; then
  need_mirror
  printf '%s\n' 'Types: deb-src' "URIs: $mirror" 'Suites: bookworm trixie' \
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
  # The pristine tarball is what we need: apt-get also fails when only the .dsc or the Debian
  # patches are missing from the archive, so its exit status is not the test.
  (cd "$cache_dir/sources" && apt-get source --download-only "$pkg" >"$log_dir/apt-source-$pkg.log" 2>&1) || true
  ls "$cache_dir/sources/${pkg}_"*.orig.tar.* >/dev/null 2>&1 \
    || die "apt-get source $pkg gave no ${pkg}_*.orig.tar.*, see $log_dir/apt-source-$pkg.log"
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
