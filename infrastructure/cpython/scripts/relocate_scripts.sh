#!/usr/bin/env bash
# Rewrites the absolute "#!<prefix>/bin/python..." shebangs that pip and distutils write into
# console scripts (pip, pip3, idle3, pydoc3...) into a /bin/sh trampoline that runs the
# interpreter next to the script, so the tree keeps working after it is moved or symlinked.
# Usage: relocate_scripts.sh <prefix> <interpreter name, e.g. python3.13>
set -euo pipefail

prefix="$1"
interpreter="$2"

for script in "$prefix"/bin/*; do
  if [ ! -f "$script" ] || [ -L "$script" ]; then
    continue
  fi
  first_line="$(head -n 1 "$script" | tr -d '\0')"
  case "$first_line" in
    "#!$prefix/bin/python"*) ;;
    *) continue ;;
  esac
  body="$(mktemp)"
  # A shell reads line 2 as exec; Python reads lines 2-3 as a string literal and ignores them.
  {
    printf '#!/bin/sh\n'
    printf '%s\n' "'''exec' \"\$(dirname -- \"\$(readlink -f -- \"\$0\")\")/$interpreter\" \"\$0\" \"\$@\""
    printf "' '''\n"
    tail -n +2 "$script"
  } >"$body"
  chmod --reference="$script" "$body"
  mv "$body" "$script"
done
