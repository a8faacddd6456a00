#!/bin/sh
set -eu
mkdir -p /usr/local/share/project-tools
printf '%s\n' "${GREETING:-hello}" >/usr/local/share/project-tools/greeting
