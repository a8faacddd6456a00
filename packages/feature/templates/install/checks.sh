# --- checks: options and the image, checked before anything is fetched or written ---

# validate_options: options arrive as free text from devcontainer.json: refuse what cannot be
# meant, up front, in a message naming the option. Sets ADDITIONAL_LIST (validated versions, space-separated).
validate_options() {
  case "$VERSION" in
    # As in the official python feature: no default CPython; additionalVersions still install.
    none | os-provided)
      [ -z "$ARTIFACT_URL" ] || die "version $VERSION with artifactUrl: nothing would install the artifact" \
        "set version to the artifact's full version, or remove artifactUrl"
      [ -z "$WHEELHOUSE_URL" ] || die "version $VERSION with wheelhouseUrl: there is no CPython of this feature to install the wheels into" \
        "set version to a CPython version, or remove wheelhouseUrl" ;;
    *) is_version "$VERSION" || die "version \"$VERSION\" is not a CPython version" \
      "use latest, a minor version such as 3.13, a full one such as 3.13.5, or none" ;;
  esac
  ADDITIONAL_LIST=""
  # Split on commas without glob expansion: a "*" stays a "*" and is refused below.
  set -f
  old_ifs="$IFS" IFS=','
  for extra in $ADDITIONAL_VERSIONS; do
    extra="$(printf '%s' "$extra" | sed 's/^ *//; s/ *$//')"
    is_version "$extra" || die "additionalVersions entry \"$extra\" is not a CPython version" \
      "use a comma-separated list such as 3.12,3.11.2"
    ADDITIONAL_LIST="$ADDITIONAL_LIST $extra"
  done
  IFS="$old_ifs"
  set +f
  for flag in "setAsDefault=$SET_AS_DEFAULT" "replaceExisting=$REPLACE_EXISTING"; do
    case "${flag#*=}" in
      true | false) ;;
      *) die "${flag%%=*} must be true or false, got \"${flag#*=}\"" "set \"${flag%%=*}\": true (or false) in devcontainer.json" ;;
    esac
  done
  if [ -n "$SHA256" ] && ! printf '%s' "$SHA256" | grep -Eqx '[0-9a-f]{64}'; then
    die "sha256 \"$SHA256\" is not 64 lowercase hex characters" "use the digest printed by sha256sum <artifact>"
  fi
  case "$REQUIRE_SIGNATURE" in
    auto | true | false) ;;
    *) die "requireSignature must be auto, true or false, got \"$REQUIRE_SIGNATURE\"" \
      "set \"requireSignature\": \"auto\" (signatures required for the artifacts this feature names, checked when present for artifactUrl)" ;;
  esac
  case "$DOWNLOAD_TIMEOUT" in
    "" | 0* | *[!0-9]*) die "downloadTimeout must be a number of seconds such as 900, got \"$DOWNLOAD_TIMEOUT\"" \
      "set \"downloadTimeout\" to the longest a download may take, in seconds" ;;
  esac
  case "$ARTIFACT_BASE_URL" in
    "" | http://* | https://*) ;;
    *) die "artifactBaseUrl must be an http(s) URL, got \"$(redact "$ARTIFACT_BASE_URL")\"" "use e.g. https://mirror.example.com/cpython" ;;
  esac
  case "$INSTALL_PATH" in
    "") ;;
    / | */ | *[!A-Za-z0-9._/+-]* | *..* | [!/]*) die "installPath must be absolute, got \"$INSTALL_PATH\" (letters, digits, . _ + - and /, no .. and no trailing /)" \
      "use a path such as $PREFIX_STEM$VERSION" ;;
  esac
  [ -z "$ARTIFACT_URL" ] || validate_artifact_url
}

# check_source OPTION VALUE DIGEST_OPTION DIGEST: where the digest comes from decides which
# schemes are safe (artifactUrl and wheelhouseUrl follow the same rules).
check_source() {
  shown="$(redact "$2")"
  case "$2" in
    *[!$URL_CHARS]*) die "$1 \"$shown\" contains characters a URL or path does not need (spaces, quotes, \$, \`...)" \
      "percent-encode them, or rename the file" ;;
    https://* | /*) ;;
    http://*) [ -n "$4" ] || die "$1 $shown is plain http and the $3 option is not set: the digest would come from the same unauthenticated server as the file" \
      "use an https URL, or set the $3 option to the file's digest" ;;
    oci://*) [ -n "$4" ] || die "an oci:// $1 needs the $3 option (the layer digest)" "set $3" ;;
    *://*) die "$1 $shown has an unsupported scheme ${2%%://*}" \
      "use https://, http:// with $3, oci:// with $3, an absolute path, or a path in the feature folder" ;;
  esac
}

# validate_artifact_url: where the digest comes from decides which schemes are safe; a partial version is
# resolved from the artifact's file name (cpython-<version>-<base>-<arch>-build<n>.tgz).
validate_artifact_url() {
  check_source artifactUrl "$ARTIFACT_URL" sha256 "$SHA256"
  named="$(printf '%s' "${ARTIFACT_URL##*/}" | sed -n 's/^cpython-\(3\.[0-9]*\.[0-9]*\)-.*/\1/p')"
  case "$VERSION" in
    *.*.*) [ -z "$named" ] || [ "$named" = "$VERSION" ] || die "artifactUrl names CPython $named but version is $VERSION" \
      "set version to $named, or point artifactUrl at a $VERSION artifact" ;;
    *) [ -n "$named" ] || die "version \"$VERSION\" with artifactUrl: an explicit artifact needs a full version, and the file name $shown does not name one" \
      "set version to the artifact's full version, such as 3.13.5"
      case "$VERSION:$named" in
        latest:* | "$VERSION:$VERSION".*) say "version $VERSION: installing CPython $named, the version artifactUrl names"
          VERSION="$named" ;;
        *) die "artifactUrl names CPython $named, which is not a $VERSION release" "set version to $named, or fix artifactUrl" ;;
      esac ;;
  esac
}

# require_root: the installer writes under /opt and /usr/local: root only.
require_root() {
  [ "$(id -u)" -eq 0 ] || die "install.sh must run as root" "let the devcontainers CLI run it (features install as root)"
}

# detect_arch: sets ARCH to the artifact architecture of this machine (uname -m), or refuses it.
detect_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) ARCH=x86_64 ;;
    aarch64 | arm64) ARCH=aarch64 ;;
    *) die "unsupported architecture $(uname -m): artifacts exist for x86_64 and aarch64" \
      "use an x86_64 or aarch64 base image, or the official python feature, which compiles from source" ;;
  esac
}

# detect_glibc: sets GLIBC to the C library's version (getconf), refusing an image without glibc (musl).
detect_glibc() {
  GLIBC="$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9]*\.[0-9]*\).*/\1/p')"
  [ -n "$GLIBC" ] || die "this image has no glibc (musl-based images such as Alpine are not supported)" \
    "use a Debian or Ubuntu based image"
}

