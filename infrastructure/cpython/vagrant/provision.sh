#!/bin/sh
# Installs the build packages (arguments: the base's list from build-bases.json) unless they are
# all there already, as in the docker provider's image, whose guest has no package archive.
set -eu
missing=""
for package in "$@"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $package" ;;
  esac
done
if [ -z "$missing" ]; then
  echo "build packages: all $# installed"
  exit 0
fi
echo "build packages: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends $missing
