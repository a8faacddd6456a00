# --- resolve: which artifact: the embedded manifest for a version, or artifactUrl ---

# resolve_from_manifest VERSION: sets ENTRY_* from the newest manifest artifact for VERSION (3.13 or 3.13.5) that fits ARCH and GLIBC.
# When none fits, the message names the lowest glibc any artifact of that version needs.
resolve_from_manifest() {
  found="$(printf '%s\n' "$MANIFEST" | awk -v want="$1" -v arch="$ARCH" -v glibc="$GLIBC" '
    function ver(v, parts) { split(v, parts, "."); return parts[1] * 1000000 + parts[2] * 1000 + parts[3] }
    $1 == "" { next }
    $4 != arch { next }
    want != "latest" && $1 != want && index($1, want ".") != 1 { next }
    { seen = 1 }
    ver($5) > ver(glibc) { if (floor == "" || ver($5) < ver(floor)) floor = $5; next }
    { score = ver($1) * 1000 + $2 }
    score > best { best = score; line = $0 }
    END { if (line != "") print line; else if (floor != "") print "GLIBC " floor; else if (seen) print "NONE"; }')"
  case "$found" in
    "")
      archs_of "$1"
      known_versions
      die "CPython $1 has no artifact for $ARCH (this container's architecture) in this feature version (known for $ARCH: ${KNOWN_VERSIONS:-none}; $1 exists for: ${VERSION_ARCHS:-no architecture})" \
        "pick a version known for $ARCH, use an image of an architecture that has $1, or set artifactUrl and sha256 to an $ARCH artifact you built" ;;
    GLIBC*) die "the artifact for CPython $1 needs glibc ${found#GLIBC } but this image has glibc $GLIBC" \
      "use a base image with glibc ${found#GLIBC } or newer, or set artifactUrl to an artifact built on an older base" ;;
    NONE) die "CPython $1 has no artifact for $ARCH in this feature version" "set artifactUrl and sha256" ;;
  esac
  # shellcheck disable=SC2086 # the manifest line is whitespace-separated fields by construction
  set -- $found
  ENTRY_VERSION="$1" ENTRY_GLIBC="$5" ENTRY_SHA256="$6" ENTRY_URL="$7"
  if [ -n "$ARTIFACT_BASE_URL" ] && [ "${ENTRY_URL#http}" != "$ENTRY_URL" ]; then
    ENTRY_URL="${ARTIFACT_BASE_URL%/}/${ENTRY_URL##*/}"
  fi
  ENTRY_SHA256_SOURCE="the manifest embedded in this feature" DIGEST_FROM_SERVER=false
}

# warn_end_of_life LINE: warns when upstream no longer fixes LINE (it still installs).
warn_end_of_life() {
  for entry in $END_OF_LIFE; do
    [ "${entry%%:*}" = "$1" ] || continue
    say "warning: CPython $1 reached its end of life upstream in ${entry#*:}: no security fixes any more; move to a maintained line ($MAINTAINED_LINES)"
  done
}

# known_versions: the versions the embedded manifest has for ARCH, into KNOWN_VERSIONS (for error messages).
known_versions() {
  KNOWN_VERSIONS="$(printf '%s\n' "$MANIFEST" | awk -v arch="$ARCH" '$4 == arch { print $1 }' | sort -u | tr '\n' ' ' | sed 's/ $//')"
}

# archs_of VERSION: the architectures the embedded manifest has VERSION for, into VERSION_ARCHS.
archs_of() {
  VERSION_ARCHS="$(printf '%s\n' "$MANIFEST" | awk -v want="$1" '$1 != "" && (want == "latest" || $1 == want || index($1, want ".") == 1) { print $4 }' \
    | sort -u | tr '\n' ' ' | sed 's/ $//')"
}

# resolve_from_url: sets ENTRY_* for an explicit artifactUrl; the sha256 comes from the option or <url>.sha256, and
# the glibc floor from the metadata JSON published beside the artifact, when there is one.
resolve_from_url() {
  ENTRY_VERSION="$1" ENTRY_URL="$ARTIFACT_URL" ENTRY_GLIBC="" DIGEST_FROM_SERVER=false
  shown="$(redact "$ENTRY_URL")"
  if [ -n "$SHA256" ]; then
    ENTRY_SHA256="$SHA256" ENTRY_SHA256_SOURCE="the sha256 option"
  elif sidecar_url "$ENTRY_URL" .sha256 && fetch_optional "$SIDECAR_URL" "$WORK_DIR/artifact.sha256"; then
    ENTRY_SHA256="$(head -n 1 "$WORK_DIR/artifact.sha256" | cut -d ' ' -f 1)" ENTRY_SHA256_SOURCE="$(redact "$SIDECAR_URL")"
    DIGEST_FROM_SERVER=true
  elif [ "$FETCH_MISSING" = true ]; then
    die "no sha256 for $shown: the sha256 option is not set and $(redact "$SIDECAR_URL") does not exist ($FETCH_ERROR)" \
      "set the sha256 option, or publish $(redact "$SIDECAR_URL") beside the artifact"
  else
    die "cannot fetch $(redact "$SIDECAR_URL") ($FETCH_ERROR), and the sha256 option is not set" \
      "fix the network or proxy, or set the sha256 option"
  fi
  # The metadata JSON beside a .tgz (not for oci://, where the URL names no file).
  if [ "${ENTRY_URL#oci://}" = "$ENTRY_URL" ]; then
    sidecar_url "$ENTRY_URL" .json .tgz
    if fetch_optional "$SIDECAR_URL" "$WORK_DIR/metadata.json"; then
      ENTRY_GLIBC="$(sed -n 's/.*"glibcMinimum": *"\([0-9.]*\)".*/\1/p' "$WORK_DIR/metadata.json" | head -n 1)"
    elif [ "$FETCH_MISSING" = false ]; then
      say "warning: cannot read the metadata beside the artifact ($FETCH_ERROR): glibc is checked when the interpreter runs"
    fi
  fi
  if [ -n "$ENTRY_GLIBC" ] && ! version_le "$ENTRY_GLIBC" "$GLIBC"; then
    die "the artifact at $shown needs glibc $ENTRY_GLIBC but this image has glibc $GLIBC" \
      "use a base image with glibc $ENTRY_GLIBC or newer, or an artifact built on an older base"
  fi
}

