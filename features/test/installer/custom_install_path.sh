#!/bin/bash
# Checks are bash -c strings on purpose: they expand in the container's shell, not here.
# shellcheck disable=SC2016
set -e
# shellcheck source=/dev/null
source dev-container-features-test-lib

check "python3 lives in the custom installPath" bash -c 'test "$(readlink -f "$(command -v python3)")" = /usr/local/lib/cpython/bin/python3.13'
check "sys.prefix is the custom installPath" bash -c 'test "$(python3 -c "import sys; print(sys.prefix)")" = /usr/local/lib/cpython'
check "pip works from the custom installPath" bash -c 'pip3 --version | grep -q "/usr/local/lib/cpython/lib/python3.13"'
check "nothing in the default prefix" bash -c 'test ! -e /opt/python-3.13.5'

reportResults
