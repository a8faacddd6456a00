# --- install-version: one version: resolve, fetch, verify, extract, place ---

# install_version VERSION TARGET: resolve, fetch, verify, check, extract, smoke-test, move.
# Sets INSTALLED_VERSION, INSTALLED_TARGET and INSTALLED_SHORT (3.13).
install_version() {
  parent="$(dirname -- "${2:-${PREFIX_STEM}x}")"
  mkdir -p "$parent"
  sweep_stale "$parent"
  WORK_DIR="$(mktemp -d "$parent/$WORK_PREFIX.XXXXXX")"
  printf '%s\n' "$$" >"$WORK_DIR/pid"
  if [ -n "$ARTIFACT_URL" ] && [ "$1" = "$VERSION" ]; then
    resolve_from_url "$1"
  else
    resolve_from_manifest "$1"
  fi
  printf '%s' "$ENTRY_SHA256" | grep -Eqx '[0-9a-f]{64}' \
    || die "\"$ENTRY_SHA256\" (from $ENTRY_SHA256_SOURCE) is not a sha256 digest" "use the 64 hex characters of sha256sum <artifact>"
  INSTALLED_VERSION="$ENTRY_VERSION"
  INSTALLED_TARGET="${2:-$PREFIX_STEM$ENTRY_VERSION}"
  INSTALLED_SHORT="$(printf '%s' "$ENTRY_VERSION" | cut -d . -f 1,2)"
  target="$INSTALLED_TARGET"
  warn_end_of_life "$INSTALLED_SHORT"

  if [ -f "$target/$MARKER" ] && [ ! -L "$target" ] && [ "$(cat "$target/$MARKER")" = "$ENTRY_SHA256" ]; then
    say "CPython $ENTRY_VERSION is already installed in $target (same artifact): nothing to do"
    rm -rf "$WORK_DIR"
    WORK_DIR=""
    return 0
  fi
  if { [ -e "$target" ] || [ -L "$target" ]; } && { [ -L "$target" ] || [ ! -f "$target/$MARKER" ]; }; then
    die "$target exists and was not installed by this feature" "remove it, or choose another installPath"
  fi

  say "CPython $ENTRY_VERSION from $(redact "$ENTRY_URL")"
  artifact="$WORK_DIR/artifact.tgz"
  fetch "$ENTRY_URL" "$artifact"
  actual="$(sha256_of "$artifact")"
  [ "$actual" = "$ENTRY_SHA256" ] || die "sha256 mismatch for $(redact "$ENTRY_URL"): expected $ENTRY_SHA256 (from $ENTRY_SHA256_SOURCE), actual $actual" \
    "the download is corrupt or not the pinned artifact; fix artifactUrl/sha256 or download again"
  say "sha256 verified against $ENTRY_SHA256_SOURCE"
  check_signature "$artifact"
  check_statement

  extract_checked "$artifact" "python-$ENTRY_VERSION" artifact
  staged="$EXTRACTED"

  # The tree is relocatable, so it proves itself before it is moved into place.
  # -I: the image's PYTHON* variables and user site-packages must not make the check pass or fail.
  if ! smoke="$("$staged/bin/python3" -I -c 'import sys, ssl, sqlite3, ctypes, lzma, bz2, zlib; print("%d.%d.%d" % sys.version_info[:3])' 2>&1)"; then
    case "$smoke" in
      *GLIBC_*) die "CPython $ENTRY_VERSION needs a newer glibc than this image's $GLIBC: $smoke" \
        "use a newer base image, or an artifact built on an older base" ;;
      *) die "the interpreter does not run here: $smoke" "validate the artifact with cpython-prebuilt validate" ;;
    esac
  fi
  [ "$smoke" = "$ENTRY_VERSION" ] || die "the artifact holds CPython $smoke, not $ENTRY_VERSION" "fix artifactUrl or version"
  # check_entries refused an entry with the marker's name; noclobber is the second lock.
  (set -C && printf '%s\n' "$ENTRY_SHA256" >"$staged/$MARKER") || refuse "it already holds $MARKER"
  write_receipt "$staged"

  # Same filesystem, so each mv is an atomic rename; an older build is swapped out, then removed.
  printf '%s\n' "$target" >"$WORK_DIR/target"
  swap_into_place "$staged" "$target" "$WORK_DIR/previous"
  rm -rf "$WORK_DIR"
  WORK_DIR=""
  say "installed CPython $ENTRY_VERSION in $target"
}

