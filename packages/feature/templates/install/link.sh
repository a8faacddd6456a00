# --- link: the links in /usr/local/bin and the current link ---

# place_link SOURCE LINK: makes LINK point to SOURCE when LINK is absent or was made by this
# feature; with replaceExisting, also over another link (its target stays) or a file, which is
# kept aside (keep_aside); a folder is never replaced. Otherwise keeps LINK and adds it to KEPT.
place_link() {
  if [ ! -e "$2" ] && [ ! -L "$2" ]; then
    ln -s "$1" "$2"
  elif made_by_feature "$2" || { [ "$REPLACE_EXISTING" = true ] && [ -L "$2" ]; }; then
    ln -sfn "$1" "$2"
  elif [ "$REPLACE_EXISTING" = true ] && [ -f "$2" ]; then
    keep_aside "$2"
    ln -s "$1" "$2"
  else
    KEPT="$KEPT $2"
    return 0
  fi
  PLACED="$PLACED $2"
}

# repoint_current PREFIX SHORT: points each name in CURRENT_LINK/bin (ours: it holds our marker) at
# PREFIX with one atomic rename per name, so the folder is never missing and every name always
# reaches a complete CPython, even when the install is killed halfway.
repoint_current() {
  for name in python3 "python$2" pip3 "pip$2" pydoc3 idle3 python3-config "python$2-config" python pip; do
    case "$name" in python) source="$1/bin/python3" ;; pip) source="$1/bin/pip3" ;; *) source="$1/bin/$name" ;; esac
    [ -e "$source" ] || continue
    rm -f "$CURRENT_LINK/bin/.$name.new"
    ln -s "$source" "$CURRENT_LINK/bin/.$name.new"
    mv -T "$CURRENT_LINK/bin/.$name.new" "$CURRENT_LINK/bin/$name"
  done
  # Names of the previous version (python3.11, pip3.11...) that point elsewhere.
  for link in "$CURRENT_LINK"/bin/*; do
    [ -L "$link" ] || continue
    case "$(readlink "$link")" in "$1"/*) ;; *) rm -f "$link" ;; esac
  done
  printf '%s\n' "$1" >"$CURRENT_LINK/$MARKER.new"
  mv -T "$CURRENT_LINK/$MARKER.new" "$CURRENT_LINK/$MARKER"
}

# link_default TARGET SHORT: python3, python, pip3 and pip in /usr/local/bin, and CURRENT_LINK, for
# the default interpreter. CURRENT_LINK/bin is a real directory of links into the chosen prefix
# (not a link to the prefix itself): CPython derives sys.prefix from where its executable really
# is, so python3 found through PATH reports /opt/python-<version>, as the procedure's checks expect.
link_default() {
  KEPT="" PLACED=""
  mkdir -p /usr/local/bin
  for name in python3 "python$2" pip3 "pip$2" pydoc3 idle3 python3-config "python$2-config"; do
    [ ! -e "$1/bin/$name" ] || place_link "$1/bin/$name" "/usr/local/bin/$name"
  done
  # CPython installs python3 and pip3 only; users expect python and pip too.
  place_link "$1/bin/python3" /usr/local/bin/python
  place_link "$1/bin/pip3" /usr/local/bin/pip
  if [ -e "$CURRENT_LINK" ] || [ -L "$CURRENT_LINK" ]; then
    if [ -L "$CURRENT_LINK" ] || { [ ! -f "$CURRENT_LINK/$MARKER" ] && ! made_by_feature "$CURRENT_LINK/bin/python3"; }; then
      if [ "$REPLACE_EXISTING" != true ]; then
        KEPT="$KEPT $CURRENT_LINK"
      elif [ ! -L "$CURRENT_LINK" ]; then
        # Someone else's folder: kept aside whole, never removed.
        keep_aside "$CURRENT_LINK"
      fi
    fi
  fi
  case " $KEPT " in
    *" $CURRENT_LINK "*) ;;
    *) if [ -d "$CURRENT_LINK" ] && [ ! -L "$CURRENT_LINK" ] && [ -f "$CURRENT_LINK/$MARKER" ]; then
        repoint_current "$1" "$2"
      else
        staging="$CURRENT_LINK.new"
        rm -rf "$staging"
        mkdir -p "$staging/bin"
        for name in python3 "python$2" pip3 "pip$2" pydoc3 idle3 python3-config "python$2-config"; do
          [ ! -e "$1/bin/$name" ] || ln -s "$1/bin/$name" "$staging/bin/$name"
        done
        ln -s "$1/bin/python3" "$staging/bin/python"
        ln -s "$1/bin/pip3" "$staging/bin/pip"
        printf '%s\n' "$1" >"$staging/$MARKER"
        rm -rf "$CURRENT_LINK.old"
        swap_into_place "$staging" "$CURRENT_LINK" "$CURRENT_LINK.old"
      fi ;;
  esac
  case " $KEPT " in *" $CURRENT_LINK "*) ;; *) PLACED="$PLACED $CURRENT_LINK" ;; esac
  # shellcheck disable=SC2086 # link paths: /usr/local/bin/<name> and CURRENT_LINK, no spaces
  record_links "$1" $PLACED
  [ -z "$KEPT" ] || say "warning: kept$KEPT: this feature did not make them (set \"replaceExisting\": true to replace them)"
}

