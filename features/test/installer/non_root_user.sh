#!/bin/bash
# Checks are bash -c strings on purpose: they expand in the container's shell, not here.
# shellcheck disable=SC2016
# A non-root user (as _REMOTE_USER would be) creates a venv, installs a local wheel into it, and
# uses pip install --user; the root-owned prefix stays untouched.
set -e
# shellcheck source=/dev/null
source dev-container-features-test-lib

useradd --create-home dev
python3 make_test_wheel.py /tmp/wheels >/dev/null
chmod -R a+rX /tmp/wheels
as_dev() { su dev -s /bin/bash -c "$1"; }

check "non-root user creates a venv" as_dev 'python3 -m venv "$HOME"/venv'
check "non-root user installs a local wheel in the venv" as_dev '"$HOME"/venv/bin/pip install --no-index --disable-pip-version-check -q /tmp/wheels/*.whl && test "$("$HOME"/venv/bin/python -c "import cpython_prebuilt_probe as p; print(p.answer())")" = 42'
check "non-root user installs with pip --user" as_dev 'pip install --user --no-index --disable-pip-version-check -q /tmp/wheels/*.whl && python3 -c "import cpython_prebuilt_probe"'
check "the prefix is unchanged" bash -c 'test ! -e /opt/python-3.13.5/lib/python3.13/site-packages/cpython_prebuilt_probe'

reportResults
