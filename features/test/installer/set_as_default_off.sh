#!/bin/bash
# Checks are bash -c strings on purpose: they expand in the container's shell, not here.
# shellcheck disable=SC2016
set -e
# shellcheck source=/dev/null
source dev-container-features-test-lib

check "no python3 on PATH" bash -c '! command -v python3'
check "no /opt/python-current" bash -c 'test ! -e /opt/python-current'
check "the interpreter is installed" bash -c 'test "$(/opt/python-3.13.5/bin/python3 --version)" = "Python 3.13.5"'

reportResults
