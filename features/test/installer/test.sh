#!/bin/bash
# Checks are bash -c strings on purpose: they expand in the container's shell, not here.
# shellcheck disable=SC2016
# Default options: the manifest's (vendored) 3.13.5 in /opt/python-3.13.5, made the default.
set -e
# shellcheck source=/dev/null
source dev-container-features-test-lib

check "python3 is 3.13.5" bash -c 'test "$(python3 --version)" = "Python 3.13.5"'
check "python3 resolves through /opt/python-current" bash -c 'test "$(command -v python3)" = /opt/python-current/bin/python3'
check "/opt/python-current/bin/python3 resolves into the prefix" bash -c 'test "$(readlink -f /opt/python-current/bin/python3)" = /opt/python-3.13.5/bin/python3.13'
check "/usr/local/bin/python3 links to it too" bash -c 'test "$(readlink -f /usr/local/bin/python3)" = /opt/python-3.13.5/bin/python3.13'
check "sys.prefix is /opt/python-3.13.5" bash -c 'test "$(python3 -c "import sys; print(sys.prefix)")" = /opt/python-3.13.5'
check "python is python3" bash -c 'test "$(python --version)" = "Python 3.13.5"'
check "pip works" bash -c 'pip --version | grep -q "python 3.13"'
check "native modules import" python3 -c 'import ssl, hashlib, sqlite3, lzma, bz2, zlib, ctypes, uuid, readline, curses, dbm.sqlite3, tkinter, decimal, xml.parsers.expat'
check "containerEnv puts /opt/python-current/bin on PATH" bash -c 'case ":$PATH:" in *:/opt/python-current/bin:*) true ;; *) false ;; esac'
check "no temporary directories left" bash -c 'test -z "$(find /opt -maxdepth 1 -name ".cpython-installer.*")"'
check "prefix owned by root, not writable by others" bash -c 'test "$(stat -c %U /opt/python-3.13.5)" = root && test -z "$(find /opt/python-3.13.5 -perm -o+w -not -type l | head -n 1)"'

reportResults
