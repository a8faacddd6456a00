# --- place: the lock, the work folder, receipts, and the swap of a tree into place ---

# cleanup: on any exit, the work folder goes, except a previous install moved aside into it, which is put
# back (or, when that fails, kept and named): an old install is never deleted before its successor
# is in place.
cleanup() {
  restore_previous
  # Released last: the next install starts from what this one left in place.
  [ -z "$LOCK_HELD" ] || rm -rf "$LOCK_HELD"
}

# restore_previous: the previous install moved aside into WORK_DIR goes back (or is named), then WORK_DIR goes.
restore_previous() {
  [ -z "$PARTIAL" ] || rm -rf "$PARTIAL"
  [ -n "$WORK_DIR" ] && [ -d "$WORK_DIR" ] || return 0
  if [ -e "$WORK_DIR/previous" ]; then
    aside_of="$(cat "$WORK_DIR/target")"
    if [ -e "$aside_of" ] || [ -L "$aside_of" ] || ! mv -T "$WORK_DIR/previous" "$aside_of"; then
      say "the previous install of $aside_of is kept in $WORK_DIR/previous: move it back by hand"
      return 0
    fi
    say "put the previous install back in $aside_of"
  fi
  rm -rf "$WORK_DIR"
}

# root_only PATH: true when PATH is root's and only root may write to it (what this feature makes).
root_only() { [ -n "$(find "$1" -maxdepth 0 -user 0 ! -perm -020 ! -perm -002 2>/dev/null)" ]; }

# acquire_lock PARENT: one install of this feature at a time on this machine (two RUN steps, or
# two features' scripts, would otherwise interleave their moves into PARENT). An atomic mkdir of
# PARENT/.cpython-installer-lock holding the installer's pid; a lock whose process is gone is
# taken over; one that is not root's is refused (anyone could plant it). Sets LOCK_HELD.
acquire_lock() {
  lock="$1/.cpython-installer-lock" waited=0
  while ! mkdir -m 700 "$lock" 2>/dev/null; do
    root_only "$lock" \
      || die "$lock exists and is not root's alone: this feature never makes such a lock" "remove $lock"
    holder="$(cat "$lock/pid" 2>/dev/null || true)"
    if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
      rm -rf "$lock"
      say "took over the install lock of process $holder, which is gone"
      continue
    fi
    if [ -z "$holder" ] && [ -n "$(find "$lock" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then
      rm -rf "$lock"
      continue
    fi
    [ "$waited" -lt "$DOWNLOAD_TIMEOUT" ] || die "another install (process ${holder:-unknown}) has held $lock for $waited s" \
      "wait for it to finish; if no install is running, remove $lock"
    [ $((waited % 30)) -ne 0 ] || say "waiting for another install (process ${holder:-unknown}) to finish"
    sleep 1
    waited=$((waited + 1))
  done
  printf '%s\n' "$$" >"$lock/pid"
  LOCK_HELD="$lock"
}

# made_by_feature PATH: true when PATH is a link into a prefix that carries this feature's marker,
# root's alone (anyone may make a folder with a file of that name where they can write).
made_by_feature() {
  [ -L "$1" ] || return 1
  link_target="$(readlink -- "$1")"
  case "$link_target" in /*/bin/*) ;; *) return 1 ;; esac
  [ -f "${link_target%/bin/*}/$MARKER" ] && root_only "${link_target%/bin/*}/$MARKER" && root_only "${link_target%/bin/*}"
}

# write_receipt PREFIX: PREFIX/$RECEIPT, what this install put there: version, sha256, where it
# came from (no credentials or query string), the key that signed it, when; "links" stays empty
# until link_default records the links it made to this prefix.
write_receipt() {
  printf '{\n  "version": "%s",\n  "sha256": "%s",\n  "source": "%s",\n  "signedBy": "%s",\n  "installedAt": "%s",\n  "links": []\n}\n' \
    "$ENTRY_VERSION" "$ENTRY_SHA256" "$(redact "$ENTRY_URL")" "$SIGNED_BY" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$1/$RECEIPT"
}

# record_links PREFIX LINK...: the receipt of PREFIX lists LINK... as made by this feature.
record_links() {
  receipt="$1/$RECEIPT"
  shift
  [ -f "$receipt" ] || return 0
  links=""
  for made in "$@"; do links="$links${links:+, }\"$made\""; done
  sed "s|^  \"links\": \[.*\]\$|  \"links\": [$links]|" "$receipt" >"$receipt.new" && mv -f "$receipt.new" "$receipt"
}

# keep_aside PATH: moves a file or folder this feature did not make to PATH.before-cpython-installer,
# where it stays (replaceExisting never deletes what it replaces), and says so.
keep_aside() {
  aside="$1.before-cpython-installer"
  if [ -e "$aside" ] || [ -L "$aside" ]; then
    die "cannot replace $1: $aside, where it would be kept, already exists" \
      "move $aside away (an earlier replaceExisting run kept it there), or set replaceExisting to false"
  fi
  mv -T "$1" "$aside" || die "could not move $1 aside to $aside" "check the permissions of $(dirname -- "$1")"
  say "kept $1 (this feature did not make it) as $aside"
}

# swap_into_place NEW DEST ASIDE: moves NEW to DEST; an existing DEST is moved to ASIDE first and
# put back if the second move fails (it is never deleted before NEW is in place). mv -T (GNU)
# renames onto DEST itself and never into a directory that appeared there meanwhile.
swap_into_place() {
  if [ -e "$2" ] || [ -L "$2" ]; then
    mv -T "$2" "$3" || die "could not move $2 aside to replace it" "check the permissions and free space of $(dirname -- "$2")"
  fi
  if ! mv -T "$1" "$2"; then
    if [ -e "$3" ] && ! mv -T "$3" "$2"; then
      die "could not move the new tree to $2, nor put the previous one back: it is in $3" "move $3 back to $2 by hand"
    fi
    die "could not move the new tree to $2; the previous one, if any, is back in place" "check the permissions and free space of $(dirname -- "$2")"
  fi
  rm -rf "$3"
}

# sweep_stale PARENT: removes the work folders of installs that were killed (their PID is gone, or
# they are older than 10 minutes and never recorded one); an old install moved aside is put back.
sweep_stale() {
  for stale in "$1/$WORK_PREFIX".*; do
    if [ -L "$stale" ] || [ ! -d "$stale" ]; then continue; fi
    # Only a folder this feature made: root's and writable by root alone. One of another owner
    # (anyone can make a folder of that name in a shared parent) is left alone and named: it is
    # never read for a path to move things to, nor removed.
    if ! root_only "$stale"; then
      say "warning: left $stale alone: it is not root's, or others may write to it (this feature never makes such a folder)"
      continue
    fi
    pid="$(cat "$stale/pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && [ "$pid" != "$$" ]; then
      ! kill -0 "$pid" 2>/dev/null || continue
    elif [ -z "$pid" ] && [ -z "$(find "$stale" -maxdepth 0 -mmin +10)" ]; then
      continue
    fi
    aside_of="$(cat "$stale/target" 2>/dev/null || true)"
    # A prefix this install owns sits directly in the same parent: anything else is not put back.
    newline='
'
    case "$aside_of" in
      "$1"/*/* | *..* | *"$newline"*) aside_of="" ;;
      "$1"/?*) ;;
      *) aside_of="" ;;
    esac
    if [ -d "$stale/previous" ] && [ ! -L "$stale/previous" ] && [ -n "$aside_of" ] && [ ! -e "$aside_of" ] && [ ! -L "$aside_of" ]; then
      mv -T "$stale/previous" "$aside_of" && say "put back $aside_of, which an interrupted install had moved aside"
    fi
    rm -rf "$stale"
    say "removed $stale, left by an interrupted install"
  done
}

