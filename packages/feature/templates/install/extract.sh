# --- extract: the archive checked entry by entry, extracted, and the tree checked ---

# refuse REASON: dies refusing the artifact as unsafe to extract.
refuse() { die "refusing the artifact: $1" "use an artifact made by cpython-prebuilt build; this one is unsafe to extract"; }

# check_entries TOP: the archive's entries as its headers describe them, names in WORK_DIR/names
# and modes (the first column of tar's verbose listing) in WORK_DIR/modes, line by line: only under
# TOP/, no "..", only files, directories and links, no setuid/setgid or world-writable modes,
# nothing named like the marker or the receipt. Links are checked on the tree (check_tree).
check_entries() {
  bad="$(awk -v top="$1" -v marker="$MARKER" -v receipt="$RECEIPT" '
    NR == FNR { mode[FNR] = $0; next }
    {
      name = $0; sub(/\/$/, "", name); m = mode[FNR]; type = substr(m, 1, 1)
      if (name != top && index(name, top "/") != 1) { print "entry " name " is outside " top "/"; exit }
      if (name ~ /(^|\/)\.\.(\/|$)/) { print "entry " name " contains .."; exit }
      if (type != "-" && type != "d" && type != "l" && type != "h") { print "entry " name " is a special file"; exit }
      if (substr(m, 4, 1) ~ /[sS]/ || substr(m, 7, 1) ~ /[sS]/) { print "entry " name " is setuid or setgid (" m ")"; exit }
      if (type != "l" && substr(m, 9, 1) == "w") { print "entry " name " is world-writable (" m ")"; exit }
      if (name == top "/" marker) { print "entry " name " has the name of the marker this feature writes"; exit }
      if (name == top "/" receipt) { print "entry " name " has the name of the receipt this feature writes"; exit }
    }' "$WORK_DIR/modes" "$WORK_DIR/names")"
  [ -z "$bad" ] || refuse "$bad"
}

# extract_checked ARCHIVE TOP WHAT: extracts the .tgz ARCHIVE (then deleted) into WORK_DIR/tree,
# which must hold TOP/ and nothing else, and checks the entries (check_entries) and the tree
# (check_tree), whatever tar made of them. Sets EXTRACTED (WORK_DIR/tree/TOP).
# GNU tar extracts straight from the .tgz, gzip decompressing beside it, and lists each entry as it
# goes (-vv: the verbose listing, checked once it is done): it refuses member names with "..",
# takes "/" off absolute names and hard-link targets, makes a symlink whose target leaves the
# directory only after every other member is written, and drops setuid/setgid bits, so nothing
# lands or runs outside WORK_DIR (mode 0700) before the checks decide. Another tar (busybox) is not
# trusted with that: the archive is decompressed and its listing checked before it is extracted.
extract_checked() {
  require_space "$1" "$WORK_DIR" "$3"
  mkdir "$WORK_DIR/tree"
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    if ! tar -xzvvf "$1" -C "$WORK_DIR/tree" --no-same-owner --no-same-permissions >"$WORK_DIR/listing" 2>"$WORK_DIR/tar.err"; then
      die_if_disk_full "$WORK_DIR/tar.err" "$WORK_DIR" "the unpacked $3"
      die "extracting the $3 failed: $(sed -n -e '/^$/d' -e '/Removing leading/d' -e p -e q "$WORK_DIR/tar.err")" \
        "download it again; it may be truncated. If it fails again, it is damaged or unsafe: use one made by cpython-prebuilt"
    fi
    rm -f "$1"
    # The name is what follows mode, owner, size, date and time; a link's target is cut off.
    cut -c 1-10 "$WORK_DIR/listing" >"$WORK_DIR/modes"
    awk '{ line = $0; sub(/^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ /, "", line)
      if ($0 ~ /^l/) sub(/ -> .*/, "", line); else if ($0 ~ /^h/) sub(/ link to .*/, "", line)
      print line }' "$WORK_DIR/listing" >"$WORK_DIR/names"
    check_entries "$2"
  else
    gzip -dc "$1" >"$WORK_DIR/archive.tar" 2>"$WORK_DIR/gzip.err" \
      || die "the $3 is not a readable .tgz: $(tail -n 1 "$WORK_DIR/gzip.err")" "download it again; it may be truncated"
    rm -f "$1"
    # Names from the plain listing (tar escapes odd characters), modes from the verbose one, so a
    # name containing " -> " cannot be misread.
    tar -tf "$WORK_DIR/archive.tar" >"$WORK_DIR/names" 2>"$WORK_DIR/tar.err" \
      || die "the $3 is not a readable tar archive: $(tail -n 1 "$WORK_DIR/tar.err")" "download it again; it may be truncated"
    tar -tvf "$WORK_DIR/archive.tar" 2>/dev/null | cut -c 1-10 >"$WORK_DIR/modes"
    check_entries "$2"
    if ! tar -xf "$WORK_DIR/archive.tar" -C "$WORK_DIR/tree" --no-same-owner --no-same-permissions 2>"$WORK_DIR/tar.err"; then
      die_if_disk_full "$WORK_DIR/tar.err" "$WORK_DIR" "the unpacked $3"
      die "extracting the $3 failed: $(tail -n 1 "$WORK_DIR/tar.err")" "download it again; it may be truncated"
    fi
    rm -f "$WORK_DIR/archive.tar"
  fi
  [ "$(ls -A "$WORK_DIR/tree")" = "$2" ] || refuse "it holds more than $2/"
  EXTRACTED="$WORK_DIR/tree/$2"
  check_tree "$EXTRACTED"
}

# check_tree ROOT: the extracted tree itself, the decisive check before anything runs or moves:
# a real directory, every link resolved (chains included) to a place inside ROOT, no
# setuid/setgid, world-writable or special entries.
check_tree() {
  if [ -L "$1" ] || [ ! -d "$1" ]; then refuse "${1##*/} is not a directory"; fi
  newline='
'
  [ -z "$(find "$1" -name "*$newline*" | head -n 1)" ] || refuse "a file name contains a line break"
  escaped="$(find "$1" -type l | while IFS= read -r link; do
    if ! resolved="$(readlink -f -- "$link")"; then resolved=unresolvable; fi
    case "$resolved" in
      "$1" | "$1"/*) ;;
      *) printf '%s -> %s\n' "${link#"${1%/*}/"}" "$(readlink -- "$link")"; break ;;
    esac
  done)"
  [ -z "$escaped" ] || refuse "symlink $escaped points outside the tree"
  odd="$(find "$1" \( -perm -4000 -o -perm -2000 -o \( -perm -0002 ! -type l \) -o \( ! -type f ! -type d ! -type l \) \) | head -n 1)"
  [ -z "$odd" ] || refuse "entry ${odd#"${1%/*}/"} is setuid/setgid, world-writable or a special file"
}

