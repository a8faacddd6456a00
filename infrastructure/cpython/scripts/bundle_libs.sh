#!/usr/bin/env bash
# Makes an install tree self-contained: copies every shared library its ELF files need beyond
# glibc into <prefix>/lib and points each ELF's RUNPATH at that directory through $ORIGIN, so the
# tree runs on a bare image with the same or a newer glibc and from any directory.
# Also copies Tcl/Tk's script libraries, without which tkinter cannot create an interpreter.
# Usage: bundle_libs.sh <prefix> <list-out.tsv> <triplet>
# Env: PINNED_LIBRARIES_DIR (optional): build_libraries.sh's install, searched before the system.
# The list has one line per library: name, source path, the Debian package that installed it
# (package[:arch], version, source package, source version; empty where no package owns the file),
# and the pinned library it was built from (name, version; empty for a package's file).
# Each such package's copyright file (its licence texts) is copied to <prefix>/share/licenses/<package>/,
# each pinned library's licence text to <prefix>/share/licenses/<name>/.
# <triplet> is the GNU triplet of the files (x86_64-linux-gnu, aarch64-linux-gnu): Debian and
# Ubuntu keep each architecture's libraries in /usr/lib/<triplet> and /lib/<triplet>.
# Dependencies are read from the files (DT_NEEDED, with READELF) and looked up the way the loader
# does, never by running them: ldd cannot run a cross build's target binaries.
set -euo pipefail

prefix="$1"
list_out="$2"
triplet="$3"
libdir="$prefix/lib"
readelf="${READELF:-readelf}"
# The loader's order on Debian and Ubuntu (ld.so.conf.d/<triplet>.conf and libc.conf, then the defaults).
search_dirs=("/usr/local/lib/$triplet" "/lib/$triplet" "/usr/lib/$triplet" /usr/local/lib /lib /usr/lib)
pinned_dir="${PINNED_LIBRARIES_DIR:-}"
# Built from a pinned source: found before any copy the base's packages installed.
[ -z "$pinned_dir" ] || [ ! -d "$pinned_dir/lib" ] || search_dirs=("$pinned_dir/lib" "${search_dirs[@]}")

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

machine_of() {
  "$readelf" -h "$1" | sed -n 's/^ *Machine: *//p'
}

# package_of PATH: sets PACKAGE to the dpkg package (name[:arch]) that installed PATH, under any of
# its names (merged /usr: dpkg may know /lib/... for a file found as /usr/lib/...); empty when none.
package_of() {
  PACKAGE=""
  local candidate owner
  for candidate in "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr$1"; do
    owner="$(dpkg-query -S "$candidate" 2>/dev/null | grep -v '^diversion' | head -n 1 || true)"
    if [ -n "$owner" ]; then
      owner="${owner%%: /*}"
      PACKAGE="${owner%%,*}"
      return 0
    fi
  done
}

# pinned_of NAME: sets PINNED and PINNED_VERSION to the pinned library that installed NAME into
# pinned_dir (build_libraries.sh's pinned.tsv); both empty when it did not.
pinned_of() {
  PINNED=""
  PINNED_VERSION=""
  [ -n "$pinned_dir" ] && [ -f "$pinned_dir/pinned.tsv" ] || return 0
  IFS=$'\t' read -r _ PINNED PINNED_VERSION < <(awk -F '\t' -v name="$1" '$1 == name' "$pinned_dir/pinned.tsv") || true
}

# record_library NAME PATH: one line of the list, and the licence texts of what it came from in the tree.
record_library() {
  local version="" source="" source_version="" fields
  if [ -n "$pinned_dir" ] && [ "${2#"$pinned_dir"/}" != "$2" ]; then
    pinned_of "$1"
    if [ -z "$PINNED" ]; then
      printf 'error: %s comes from %s, whose pinned.tsv does not name it\n' "$1" "$pinned_dir" >&2
      exit 4
    fi
    mkdir -p "$prefix/share/licenses/$PINNED"
    cp -R "$pinned_dir/share/licenses/$PINNED/." "$prefix/share/licenses/$PINNED/"
    printf '%s\t%s\t\t\t\t\t%s\t%s\n' "$1" "$(readlink -f "$2")" "$PINNED" "$PINNED_VERSION" >>"$list_out"
    return 0
  fi
  package_of "$2"
  if [ -n "$PACKAGE" ]; then
    fields="$(dpkg-query -W -f='${Version}\t${source:Package}\t${source:Version}' "$PACKAGE")"
    IFS=$'\t' read -r version source source_version <<<"$fields"
    local doc="/usr/share/doc/${PACKAGE%%:*}/copyright"
    if [ -f "$doc" ]; then
      mkdir -p "$prefix/share/licenses/${PACKAGE%%:*}"
      cp -L "$doc" "$prefix/share/licenses/${PACKAGE%%:*}/copyright"
    else
      printf 'warning: %s (package %s) has no %s: its licence text is not shipped\n' "$1" "$PACKAGE" "$doc" >&2
    fi
  else
    printf 'warning: no package installed %s: the SBOM names it without a version\n' "$2" >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t\t\n' "$1" "$(readlink -f "$2")" "$PACKAGE" "$version" "$source" "$source_version" >>"$list_out"
}

needed_of() {
  "$readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

mapfile -d '' elf_files < <(find "$prefix" -type f \( -name '*.so*' -o -path "$prefix/bin/*" \) -print0)
queue=()
for file in "${elf_files[@]}"; do
  is_elf "$file" && queue+=("$file")
done
# A library for another architecture in a shared directory (/usr/lib) must not be taken.
machine="$(machine_of "${queue[0]}")"

: >"$list_out"
# Breadth-first over our files and every library copied in: the transitive closure ldd would list.
while [ "${#queue[@]}" -gt 0 ]; do
  file="${queue[0]}"
  queue=("${queue[@]:1}")
  while read -r name; do
    [ -n "$name" ] || continue
    is_glibc "$name" && continue
    # Ours (libpython) or bundled already.
    [ -e "$libdir/$name" ] && continue
    path=""
    for dir in "${search_dirs[@]}"; do
      if [ -f "$dir/$name" ] && [ "$(machine_of "$dir/$name")" = "$machine" ]; then
        path="$dir/$name"
        break
      fi
    done
    if [ -z "$path" ]; then
      printf 'error: %s needs %s, which is not installed in the build environment for %s (%s)\n' \
        "$file" "$name" "$triplet" "$machine" >&2
      exit 4
    fi
    cp -L "$path" "$libdir/$name"
    chmod 0755 "$libdir/$name"
    record_library "$name" "$path"
    queue+=("$libdir/$name")
  done < <(needed_of "$file")
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
