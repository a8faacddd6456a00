#!/bin/bash
# Checks are bash -c strings on purpose: they expand in the container's shell, not here.
# shellcheck disable=SC2016
# The feature installed twice (once with defaults, once with other options): still one good install.
set -e
# shellcheck source=/dev/null
source dev-container-features-test-lib

check "python3 is 3.13.5" bash -c 'test "$(python3 --version)" = "Python 3.13.5"'
check "one install of 3.13.5" bash -c 'test "$(find /opt -maxdepth 1 -name "python-3.13*" | wc -l)" = 1'
check "no temporary directories left" bash -c 'test -z "$(find /opt -maxdepth 1 -name ".cpython-installer.*")"'

reportResults
