# --- wheelhouse: a project's dependencies as hash-locked wheels (docs/wheelhouse.md) ---

# validate_wheelhouse_options: wheelhouseUrl follows artifactUrl's rules; wheelhouseTarget is "interpreter" or a venv path.
validate_wheelhouse_options() {
  [ -n "$WHEELHOUSE_URL" ] || return 0
  check_source wheelhouseUrl "$WHEELHOUSE_URL" wheelhouseSha256 "$WHEELHOUSE_SHA256"
  if [ -n "$WHEELHOUSE_SHA256" ] && ! printf '%s' "$WHEELHOUSE_SHA256" | grep -Eqx '[0-9a-f]{64}'; then
    die "wheelhouseSha256 \"$WHEELHOUSE_SHA256\" is not 64 lowercase hex characters" "use the digest in the wheelhouse's .sha256 file"
  fi
  case "$WHEELHOUSE_TARGET" in
    interpreter) ;;
    / | */ | *[!A-Za-z0-9._/+-]* | *..* | [!/]*) die "wheelhouseTarget must be interpreter or an absolute path for a venv, got \"$WHEELHOUSE_TARGET\"" \
      "use interpreter, or a path such as /opt/venv" ;;
  esac
}

# fetch_wheelhouse PARENT: fetches wheelhouseUrl into a work folder under PARENT, verifies its
# sha256, checks and extracts it. Sets WHEELHOUSE_DIR (wheels and requirements.lock),
# WHEELHOUSE_DIGEST and WHEELHOUSE_TOP (wheelhouse-<name>-cp<XY>-<base>-<arch>-build<N>).
fetch_wheelhouse() {
  sweep_stale "$1"
  WORK_DIR="$(mktemp -d "$1/$WORK_PREFIX.XXXXXX")"
  printf '%s\n' "$$" >"$WORK_DIR/pid"
  shown="$(redact "$WHEELHOUSE_URL")"
  if [ -n "$WHEELHOUSE_SHA256" ]; then
    WHEELHOUSE_DIGEST="$WHEELHOUSE_SHA256" digest_source="the wheelhouseSha256 option"
  elif sidecar_url "$WHEELHOUSE_URL" .sha256 && fetch_optional "$SIDECAR_URL" "$WORK_DIR/wheelhouse.sha256"; then
    WHEELHOUSE_DIGEST="$(head -n 1 "$WORK_DIR/wheelhouse.sha256" | cut -d ' ' -f 1)" digest_source="$(redact "$SIDECAR_URL")"
  else
    die "no sha256 for the wheelhouse $shown: wheelhouseSha256 is not set and $(redact "$SIDECAR_URL") cannot be read ($FETCH_ERROR)" \
      "set wheelhouseSha256, or publish the .sha256 beside the wheelhouse"
  fi
  printf '%s' "$WHEELHOUSE_DIGEST" | grep -Eqx '[0-9a-f]{64}' \
    || die "\"$WHEELHOUSE_DIGEST\" (from $digest_source) is not a sha256 digest" "use the digest in the wheelhouse's .sha256 file"
  say "wheelhouse from $shown"
  # The metadata beside it (not for oci://): the glibc its compiled wheels need, checked before the
  # download (on an older glibc they fail only at import time), and the interpreter build they
  # were made with.
  WHEELHOUSE_GLIBC="" WHEELHOUSE_ARTIFACT=""
  if [ "${WHEELHOUSE_URL#oci://}" = "$WHEELHOUSE_URL" ]; then
    sidecar_url "$WHEELHOUSE_URL" .json .tgz
    if fetch_optional "$SIDECAR_URL" "$WORK_DIR/wheelhouse.json"; then
      WHEELHOUSE_GLIBC="$(sed -n 's/.*"glibcMinimum": *"\([0-9.]*\)".*/\1/p' "$WORK_DIR/wheelhouse.json" | head -n 1)"
      WHEELHOUSE_ARTIFACT="$(tr -d ' \n' <"$WORK_DIR/wheelhouse.json" | sed -n 's/.*"artifact":{"file":"[^"]*","sha256":"\([0-9a-f]*\)".*/\1/p')"
    elif [ "$FETCH_MISSING" = false ]; then
      say "warning: cannot read the metadata beside the wheelhouse ($FETCH_ERROR): its glibc is not checked"
    fi
  fi
  if [ -n "$WHEELHOUSE_GLIBC" ] && ! version_le "$WHEELHOUSE_GLIBC" "$GLIBC"; then
    die "the wheelhouse $shown was built for glibc $WHEELHOUSE_GLIBC but this image has glibc $GLIBC: its compiled wheels would fail to import" \
      "build the wheelhouse with an artifact of an older base (glibc $GLIBC or older), or use a newer base image"
  fi
  # fetch_oci fetches the layer whose digest is ENTRY_SHA256.
  ENTRY_SHA256="$WHEELHOUSE_DIGEST"
  archive="$WORK_DIR/wheelhouse.tgz"
  fetch "$WHEELHOUSE_URL" "$archive"
  actual="$(sha256_of "$archive")"
  [ "$actual" = "$WHEELHOUSE_DIGEST" ] || die "sha256 mismatch for the wheelhouse $shown: expected $WHEELHOUSE_DIGEST (from $digest_source), actual $actual" \
    "the download is corrupt or not the pinned wheelhouse; fix wheelhouseUrl/wheelhouseSha256 or build it again"
  say "wheelhouse sha256 verified against $digest_source"
  check_wheelhouse_signature "$archive"
  WHEELHOUSE_TOP="$(tar -tzf "$archive" 2>/dev/null | head -n 1)" || true
  WHEELHOUSE_TOP="${WHEELHOUSE_TOP%%/*}"
  case "$WHEELHOUSE_TOP" in
    wheelhouse-*) ;;
    *) die "refusing the wheelhouse: its top folder \"$WHEELHOUSE_TOP\" is not wheelhouse-..." "use a wheelhouse made by cpython-prebuilt wheelhouse build" ;;
  esac
  extract_checked "$archive" "$WHEELHOUSE_TOP" wheelhouse
  WHEELHOUSE_DIR="$EXTRACTED"
  [ -f "$WHEELHOUSE_DIR/requirements.lock" ] || die "the wheelhouse $shown holds no requirements.lock" \
    "use a wheelhouse made by cpython-prebuilt wheelhouse build"
}

# check_wheelhouse_signature ARCHIVE: the wheelhouse's detached signature, <wheelhouseUrl>.asc,
# checked as an artifact's is (check_signature): with requireSignature auto it is required when
# the digest came from the server that serves the wheelhouse (no wheelhouseSha256), and checked
# when present otherwise; true requires it always; false skips it.
check_wheelhouse_signature() {
  SIGNED_BY=""
  [ "$REQUIRE_SIGNATURE" != false ] || return 0
  required="$REQUIRE_SIGNATURE"
  if [ "$required" = auto ]; then
    if [ -n "$WHEELHOUSE_SHA256" ]; then required=false; else required=true; fi
  fi
  sidecar_url "$WHEELHOUSE_URL" .asc
  sig_shown="$(redact "$SIDECAR_URL")"
  unsigned_fix="publish the wheelhouse's .asc (cpython-prebuilt wheelhouse build signs it when CPYTHON_PREBUILT_SIGNING_KEY is set), or pin its bytes with the wheelhouseSha256 option (from a source you trust: a .sha256 from the same server proves nothing)"
  case "$WHEELHOUSE_URL" in
    # An oci:// wheelhouse needs wheelhouseSha256 (check_source): its bytes are pinned.
    oci://*) [ "$required" = false ] || die "no signature for $sig_shown: this feature version does not fetch signatures of oci:// wheelhouses" "$unsigned_fix"
      return 0 ;;
  esac
  verify_sidecar_signature "$1" wheelhouse "$required" 'the wheelhouseSha256 option pins the wheelhouse' \
    "the wheelhouse's sha256 came from the server that serves it" 'fix the network or proxy, or set wheelhouseSha256'
}

# pip_from_wheelhouse PYTHON: installs exactly the locked wheels, offline, every hash checked
# before anything is installed. No PIP_* variable (--isolated) and no pip.conf of the image
# (PIP_CONFIG_FILE=/dev/null: pip then reads no configuration file) can add an index or move the
# install elsewhere; --only-binary: nothing is built from source, whatever the lock holds.
pip_from_wheelhouse() {
  PIP_CONFIG_FILE=/dev/null "$1" -m pip --isolated install --disable-pip-version-check --no-input --no-cache-dir --root-user-action=ignore \
    --no-index --only-binary :all: --require-hashes --find-links "$WHEELHOUSE_DIR" -r "$WHEELHOUSE_DIR/requirements.lock" \
    >"$WORK_DIR/pip.log" 2>&1 \
    || die "pip refused or failed to install the wheelhouse: $(grep -v '^ *$' "$WORK_DIR/pip.log" | tail -n 3 | tr '\n' ' ')" \
      "build the wheelhouse again with the artifact this feature installs (cpython-prebuilt wheelhouse build --artifact ...)"
}

# install_wheelhouse PREFIX: the wheelhouse into wheelhouseTarget, all or nothing. A venv is made
# in place (venvs record their own path) and removed if anything fails; a venv this feature made
# before is moved aside and put back on failure. Sets WHEELHOUSE_INSTALLED (where it went).
install_wheelhouse() {
  python="$1/bin/python3"
  tag="$("$python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
  if [ "$WHEELHOUSE_TARGET" = interpreter ]; then
    fetch_wheelhouse "$(dirname -- "$1")"
  else
    mkdir -p "$(dirname -- "$WHEELHOUSE_TARGET")"
    fetch_wheelhouse "$(dirname -- "$WHEELHOUSE_TARGET")"
  fi
  case "$WHEELHOUSE_TOP" in
    *-"$tag"-*-"$ARCH"-build*) ;;
    *) die "the wheelhouse $WHEELHOUSE_TOP was not built for this interpreter ($tag, $ARCH, in $1)" \
      "build the wheelhouse with the artifact this feature installs (cpython-prebuilt wheelhouse build --artifact ...)" ;;
  esac
  if [ -n "$WHEELHOUSE_ARTIFACT" ] && [ -f "$1/$MARKER" ] && [ "$WHEELHOUSE_ARTIFACT" != "$(cat "$1/$MARKER")" ]; then
    say "warning: the wheelhouse was built with another build of CPython $tag (artifact sha256 $WHEELHOUSE_ARTIFACT): same ABI and arch, so its wheels load; rebuild it with this artifact to be sure"
  fi
  if [ "$WHEELHOUSE_TARGET" = interpreter ]; then
    pip_from_wheelhouse "$python"
    WHEELHOUSE_INSTALLED="$1"
  else
    venv="$WHEELHOUSE_TARGET"
    if [ -f "$venv/$MARKER" ] && [ ! -L "$venv" ] && [ "$(cat "$venv/$MARKER")" = "$WHEELHOUSE_DIGEST $1" ]; then
      say "the wheelhouse is already installed in $venv: nothing to do"
      rm -rf "$WORK_DIR"
      WORK_DIR=""
      return 0
    fi
    if { [ -e "$venv" ] || [ -L "$venv" ]; } && { [ -L "$venv" ] || [ ! -f "$venv/$MARKER" ]; }; then
      die "$venv exists and was not made by this feature" "remove it, or choose another wheelhouseTarget"
    fi
    if [ -e "$venv" ]; then
      printf '%s\n' "$venv" >"$WORK_DIR/target"
      mv -T "$venv" "$WORK_DIR/previous"
    fi
    PARTIAL="$venv"
    "$python" -m venv "$venv" >"$WORK_DIR/venv.log" 2>&1 \
      || die "making the venv $venv failed: $(tail -n 1 "$WORK_DIR/venv.log")" "check wheelhouseTarget"
    pip_from_wheelhouse "$venv/bin/python"
    printf '%s %s\n' "$WHEELHOUSE_DIGEST" "$1" >"$venv/$MARKER"
    user="${_REMOTE_USER:-root}"
    if [ "$user" != root ] && id -u "$user" >/dev/null 2>&1; then
      chown -R "$user:$(id -g "$user")" "$venv"
    fi
    PARTIAL=""
    WHEELHOUSE_INSTALLED="$venv"
  fi
  rm -rf "$WORK_DIR"
  WORK_DIR=""
  say "installed the wheelhouse $WHEELHOUSE_TOP in $WHEELHOUSE_INSTALLED"
}

