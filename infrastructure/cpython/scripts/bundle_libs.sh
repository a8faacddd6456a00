#!/usr/bin/env bash
# Makes an install tree self-contained: copies every shared library its ELF files need beyond
# glibc into <prefix>/lib and points each ELF's RUNPATH at that directory through $ORIGIN, so the
# tree runs on a bare image with the same or a newer glibc and from any directory.
# Also copies Tcl/Tk's script libraries, without which tkinter cannot create an interpreter.
# Usage: bundle_libs.sh <prefix> <list-out.tsv>   (list: "<name>\t<source path>" per library)
set -euo pipefail

prefix="$1"
list_out="$2"
libdir="$prefix/lib"

# glibc's own libraries come from the target system; everything else travels with the artifact.
is_glibc() {
  case "$1" in
    linux-vdso.so.* | ld-linux*.so.* | libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | \
      libutil.so.* | libresolv.so.* | libnsl.so.* | libanl.so.* | libmvec.so.* | libBrokenLocale.so.* | \
      libthread_db.so.* | libnss_*.so.* | libc_malloc_debug.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

is_elf() {
  [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

mapfile -d '' elf_files < <(find "$prefix" -type f \( -name '*.so*' -o -path "$prefix/bin/*" \) -print0)
: >"$list_out"
declare -A bundled=()
for file in "${elf_files[@]}"; do
  is_elf "$file" || continue
  # ldd lists the transitive closure, so one pass over our own files finds every dependency.
  while read -r name arrow path _; do
    [ "$arrow" = '=>' ] || continue
    is_glibc "$name" && continue
    case "$path" in "$prefix"/*) continue ;; esac
    if [ "$path" = 'not' ]; then
      printf 'error: %s needs %s, which is not installed in the build environment\n' "$file" "$name" >&2
      exit 4
    fi
    [ -n "${bundled[$name]:-}" ] && continue
    bundled[$name]="$path"
    cp -L "$path" "$libdir/$name"
    chmod 0755 "$libdir/$name"
    printf '%s\t%s\n' "$name" "$(readlink -f "$path")" >>"$list_out"
  done < <(LD_LIBRARY_PATH="$libdir" ldd "$file")
done

mapfile -d '' elf_files < <(find "$prefix" -type f \( -name '*.so*' -o -path "$prefix/bin/*" \) -print0)
for file in "${elf_files[@]}"; do
  is_elf "$file" || continue
  relative="$(realpath --relative-to="$(dirname -- "$file")" "$libdir")"
  if [ "$relative" = . ]; then
    patchelf --set-rpath "\$ORIGIN" "$file"
  else
    patchelf --set-rpath "\$ORIGIN/$relative" "$file"
  fi
done

# Tcl finds init.tcl in <executable>/../lib/tcl8.x, which is exactly <prefix>/lib.
for script_lib in /usr/share/tcltk/tcl8.* /usr/share/tcltk/tk8.*; do
  [ -d "$script_lib" ] || continue
  cp -rL "$script_lib" "$libdir/$(basename -- "$script_lib")"
done
sort -o "$list_out" "$list_out"
