# Shared by every .bats file here. Each test runs its snippet under /bin/sh (dash on Debian, as
# the devcontainers CLI runs install.sh) with install.sh's generated header and the named modules
# sourced, so a module is tested alone, in the base images (test/feature-e2e/src/install-modules.test.ts).
# INSTALL_TEST_ROOT holds header.sh, install/<module>.sh and keys/ (signatures made by the runner).

ROOT="${INSTALL_TEST_ROOT:?run these through test/feature-e2e/src/install-modules.test.ts}"

# in_sh "MODULE..." SNIPPET: runs SNIPPET after the header, common and MODULE... (bats' run: the
# exit status in $status, stdout and stderr together in $output).
in_sh() {
  local sources=". '$ROOT/header.sh';" module
  for module in common $1; do sources="$sources . '$ROOT/install/$module.sh';"; done
  run sh -c "$sources $2"
}

# setup: every test starts in a fresh folder of its own (tests run as root in a throwaway container).
setup() {
  SCRATCH="$(mktemp -d)"
  cd "$SCRATCH" || return 1
}

teardown() {
  cd / && rm -rf "$SCRATCH"
}

# fake_prefix DIR VERSION: a tree laid out as an artifact's prefix, whose python3 prints VERSION.
fake_prefix() {
  local short="${2%.*}"
  mkdir -p "$1/bin"
  printf '#!/bin/sh\necho %s\n' "$2" >"$1/bin/python$short"
  chmod 755 "$1/bin/python$short"
  ln -s "python$short" "$1/bin/python3"
  printf '#!/bin/sh\necho pip\n' >"$1/bin/pip$short"
  chmod 755 "$1/bin/pip$short"
  ln -s "pip$short" "$1/bin/pip3"
}
