#!/usr/bin/env bash
# Moves the debug information of every executable and shared object under <prefix> into
# <debug-dir>/.build-id/<xx>/<rest>.debug (the layout gdb, perf and debuginfod read) and leaves
# each file stripped of it, with its symbol table kept (readable backtraces and perf profiles
# without the symbols archive) and a GNU debuglink naming its .debug file.
# gdb then finds the symbols by build-id: `gdb -iex 'set debug-file-directory <prefix>/lib/debug'`.
# Usage: split_debug.sh <prefix> <debug-dir>
# OBJCOPY and READELF name the binutils for the files' architecture (a cross build's target).
set -euo pipefail

objcopy="${OBJCOPY:-objcopy}"
readelf="${READELF:-readelf}"

prefix="$1"
debug_dir="$2"
mkdir -p "$debug_dir"

# e_type 2 (executable) or 3 (shared object); relocatable objects and archives keep their symbols.
is_linked_elf() {
  [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
  case "$(od -An -t u1 -j 16 -N 1 "$1" | tr -d ' ')" in 2 | 3) return 0 ;; *) return 1 ;; esac
}

# Never `readelf ... | grep -q` here: grep -q exits at the first match, readelf then dies of
# SIGPIPE when it still has section lines to write, and under pipefail the pipeline fails. Whether
# it does depends on scheduling, so an arbitrary ~20% of the files kept their debug information in
# place, and two builds of the same inputs differed. The whole output is read, then matched.
has_debug_info() {
  local sections
  sections="$("$readelf" -S -W "$1")" || {
    printf 'error: readelf could not read the sections of %s\n' "$1" >&2
    exit 5
  }
  [[ "$sections" == *' .debug_info '* ]]
}

mapfile -d '' files < <(find "$prefix" -type f \( -name '*.so*' -o -path "$prefix/bin/*" \) -print0)
for file in "${files[@]}"; do
  is_linked_elf "$file" || continue
  has_debug_info "$file" || continue
  build_id="$("$readelf" -n "$file" | awk '/Build ID:/ { print $3 }')"
  if [ -z "$build_id" ]; then
    printf 'error: %s has no build-id note; its symbols could not be found by build-id\n' "$file" >&2
    exit 5
  fi
  target="$debug_dir/.build-id/${build_id:0:2}/${build_id:2}.debug"
  mkdir -p "$(dirname -- "$target")"
  "$objcopy" --only-keep-debug --compress-debug-sections=zlib "$file" "$target"
  chmod 0644 "$target"
  "$objcopy" --strip-debug --add-gnu-debuglink="$target" "$file"
done

# A file that still has debug information here would ship it and differ from build to build.
for file in "${files[@]}"; do
  if is_linked_elf "$file" && has_debug_info "$file"; then
    printf 'error: %s still has debug information after splitting\n' "$file" >&2
    exit 5
  fi
done
