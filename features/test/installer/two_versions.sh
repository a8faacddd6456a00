#!/bin/bash
# Checks are bash -c strings on purpose: they expand in the container's shell, not here.
# shellcheck disable=SC2016
set -e
# shellcheck source=/dev/null
source dev-container-features-test-lib

check "the default is 3.13.5" bash -c 'test "$(python3 --version)" = "Python 3.13.5"'
check "3.11.2 is installed beside it" bash -c 'test "$(/opt/python-3.11.2/bin/python3 --version)" = "Python 3.11.2"'
check "3.11.2 has its native modules" /opt/python-3.11.2/bin/python3 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib'
check "3.11.2 has its own prefix" bash -c 'test "$(/opt/python-3.11.2/bin/python3 -c "import sys; print(sys.prefix)")" = /opt/python-3.11.2'

reportResults
