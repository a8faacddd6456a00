# --- uninstall: removing what this feature installed, and only that, by its receipts ---

# install_uninstaller SCRIPT: puts a copy of SCRIPT (this install.sh) at UNINSTALLER, where run under
# that name it uninstalls, unless something this feature did not make is there (kept, with a warning).
# The install is complete before this: a copy that cannot be written (full disk) is a warning, not a failure.
install_uninstaller() {
  if { [ -e "$UNINSTALLER" ] || [ -L "$UNINSTALLER" ]; } && ! ours_uninstaller; then
    say "warning: kept $UNINSTALLER: this feature did not make it (no uninstaller was added)"
    return 0
  fi
  if ! { mkdir -p "${UNINSTALLER%/*}" && cp "$1" "$UNINSTALLER.new" && chmod 755 "$UNINSTALLER.new" && mv -f "$UNINSTALLER.new" "$UNINSTALLER"; } 2>/dev/null; then
    rm -f "$UNINSTALLER.new"
    say "warning: could not write the uninstaller $UNINSTALLER (free space: $(df -Pk "${UNINSTALLER%/*}" 2>/dev/null | awk 'NR == 2 { print $4 " KiB" }')): the install is complete; remove it by hand later (its receipt lists what it made)"
  fi
}

# ours_uninstaller: true when UNINSTALLER is a file this feature wrote: root's alone, a copy of an install.sh.
ours_uninstaller() {
  [ -f "$UNINSTALLER" ] && [ ! -L "$UNINSTALLER" ] && root_only "$UNINSTALLER" \
    && [ "$(sed -n 2p "$UNINSTALLER" | cut -c 1-20)" = '# cpython/installer ' ]
}

# receipt_links PREFIX: sets RECEIPT_LINKS to the links PREFIX's receipt says this feature made to
# it (space-separated; the receipt's own format: one "links" line of quoted absolute paths).
receipt_links() {
  RECEIPT_LINKS="$(sed -n 's/^  "links": \[\(.*\)\]$/\1/p' "$1/$RECEIPT" | tr -d '",')"
}

# owned_prefix PREFIX: refuses (die) unless PREFIX is a folder this feature installed: no link,
# root's alone, its marker and receipt root's alone. Anything else is not ours to remove.
owned_prefix() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then
    die "nothing is installed in $1" "list what is installed: ls -d ${PREFIX_STEM}*"
  fi
  if [ -L "$1" ] || [ ! -d "$1" ] || [ ! -f "$1/$MARKER" ] || [ ! -f "$1/$RECEIPT" ]; then
    die "$1 was not installed by this feature (no $MARKER and $RECEIPT in it)" "remove it by hand if it is yours to remove"
  fi
  if ! root_only "$1" || ! root_only "$1/$MARKER" || ! root_only "$1/$RECEIPT"; then
    die "$1 is not root's alone, or others may write to it: this feature never installs such a folder, so it is not removed" \
      "check who made $1 and remove it by hand if it is yours to remove"
  fi
}

# unlink_made PREFIX LINK: removes LINK when it still points into PREFIX (a link in /usr/local/bin)
# or is the current-link folder whose marker names PREFIX; what replaceExisting kept aside as
# LINK.before-cpython-installer goes back. Anything else there now is left, and named.
unlink_made() {
  if [ "$2" = "$CURRENT_LINK" ]; then
    if [ -d "$2" ] && [ ! -L "$2" ] && [ -f "$2/$MARKER" ] && root_only "$2" && [ "$(cat "$2/$MARKER")" = "$1" ]; then
      rm -rf "$2"
    else
      say "left $2: it no longer belongs to $1"
      return 0
    fi
  elif [ -L "$2" ]; then
    case "$(readlink -- "$2")" in
      "$1"/*) rm -f "$2" ;;
      *) say "left $2: it no longer points into $1"; return 0 ;;
    esac
  else
    [ ! -e "$2" ] || say "left $2: it is no longer a link this feature made"
    return 0
  fi
  if { [ -e "$2.before-cpython-installer" ] || [ -L "$2.before-cpython-installer" ]; } && mv -T "$2.before-cpython-installer" "$2"; then
    say "put back $2, which the install had kept aside"
  fi
}

# uninstall_prefix PREFIX: removes the links its receipt lists, then the prefix itself, moved first
# into a work folder with one rename (a killed uninstall leaves either the whole prefix or none of it
# in place; the next install sweeps the work folder).
uninstall_prefix() {
  owned_prefix "$1"
  receipt_links "$1"
  for made in $RECEIPT_LINKS; do
    unlink_made "$1" "$made"
  done
  WORK_DIR="$(mktemp -d "${1%/*}/$WORK_PREFIX.XXXXXX")"
  printf '%s\n' "$$" >"$WORK_DIR/pid"
  mv -T "$1" "$WORK_DIR/removing" || die "could not move $1 out of place" "check the permissions of ${1%/*}"
  rm -rf "$WORK_DIR"
  WORK_DIR=""
  say "removed $1"
}

# uninstall_main ARG...: the uninstaller's command line: versions (3.13.5), prefixes (/opt/python-3.13.5)
# or --all (every prefix with a receipt under PREFIX_STEM). Checks every argument before removing anything.
uninstall_main() {
  [ "$#" -gt 0 ] || die "nothing to uninstall" "name a version (${UNINSTALLER##*/} 3.13.5), a prefix, or --all"
  require_root
  targets=""
  for arg in "$@"; do
    case "$arg" in
      --all)
        for prefix in "$PREFIX_STEM"*; do
          case "$prefix" in *[!A-Za-z0-9._/+-]*) continue ;; esac
          [ ! -f "$prefix/$RECEIPT" ] || targets="$targets $prefix"
        done ;;
      /*) case "$arg" in *[!A-Za-z0-9._/+-]* | *..* | */) die "\"$arg\" is not a prefix this feature installs to" "give the folder as installed, such as ${PREFIX_STEM}3.13.5" ;; esac
        targets="$targets $arg" ;;
      *) if ! is_version "$arg" || [ "$(printf '%s' "$arg" | tr -cd . | wc -c)" -ne 2 ]; then
          die "\"$arg\" is not a full CPython version" "give the version as installed, such as 3.13.5, or its prefix"
        fi
        targets="$targets $PREFIX_STEM$arg" ;;
    esac
  done
  [ -n "$targets" ] || die "--all found nothing this feature installed under ${PREFIX_STEM%/*}" "nothing to do"
  for target in $targets; do owned_prefix "$target"; done
  acquire_lock "${PREFIX_STEM%/*}"
  for target in $targets; do uninstall_prefix "$target"; done
  # The uninstaller goes with the last install it could remove.
  for prefix in "$PREFIX_STEM"*; do
    [ ! -f "$prefix/$RECEIPT" ] || return 0
  done
  ours_uninstaller || return 0
  rm -f "$UNINSTALLER"
  say "nothing of this feature is left: removed $UNINSTALLER too"
}
