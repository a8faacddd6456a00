#!/usr/bin/env bash
# Rewrites the absolute "#!<prefix>/bin/python..." shebangs that pip and distutils write into
# console scripts (pip, pip3, idle3, pydoc3...) into a /bin/sh trampoline that runs the
# interpreter next to the script, so the tree keeps working after it is moved or symlinked.
# Usage: relocate_scripts.sh <prefix> <interpreter name, e.g. python3.13> [<other interpreter path>...]
# (a cross build's pip writes the path of the native interpreter that ran ensurepip)
set -euo pipefail

prefix="$1"
interpreter="$2"
shift 2
shebangs=("#!$prefix/bin/python")
for other in "$@"; do shebangs+=("#!$other"); done

starts_with_shebang() {
  local line="$1" shebang
  for shebang in "${shebangs[@]}"; do
    case "$line" in "$shebang"*) return 0 ;; esac
  done
  return 1
}

for script in "$prefix"/bin/*; do
  if [ ! -f "$script" ] || [ -L "$script" ]; then
    continue
  fi
  first_line="$(head -n 1 "$script" | tr -d '\0')"
  starts_with_shebang "$first_line" || continue
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
