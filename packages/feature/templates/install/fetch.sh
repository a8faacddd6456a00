# --- fetch: downloads (curl, wget, an OCI registry, a local file), disk space, sidecar URLs ---

# proxies_from_env: images and CI systems set HTTPS_PROXY/HTTP_PROXY/NO_PROXY in either case;
# wget reads only the lower-case names and curl only the lower-case http_proxy. An upper-case
# value is copied to the lower-case name the tools read when that one is unset.
proxies_from_env() {
  if [ -z "${https_proxy:-}" ] && [ -n "${HTTPS_PROXY:-}" ]; then https_proxy="$HTTPS_PROXY" && export https_proxy; fi
  if [ -z "${http_proxy:-}" ] && [ -n "${HTTP_PROXY:-}" ]; then http_proxy="$HTTP_PROXY" && export http_proxy; fi
  if [ -z "${no_proxy:-}" ] && [ -n "${NO_PROXY:-}" ]; then no_proxy="$NO_PROXY" && export no_proxy; fi
  return 0
}

# sidecar_url URL SUFFIX [STRIP]: the URL of a file published beside URL (URL.sha256, URL.asc;
# with STRIP .tgz, the .json) with the suffix on the path, before any query string: a presigned
# URL (S3, GCS, Azure SAS) keeps its token. Sets SIDECAR_URL.
sidecar_url() {
  sidecar_path="${1%%\?*}"
  sidecar_path="${sidecar_path%"${3:-}"}$2"
  case "$1" in
    *\?*) SIDECAR_URL="$sidecar_path?${1#*\?}" ;;
    *) SIDECAR_URL="$sidecar_path" ;;
  esac
}

# http_get URL DEST [HEADER]: curl or wget, whichever the image has, within downloadTimeout.
# An https URL is only ever redirected to https; plain http is for callers that pinned the digest.
# A HEADER (a registry token) reaches curl or wget in a config file only root can read, never on
# their command line, where any user of the machine sees it (ps).
# HTTP_STATUS is the last HTTP status (000: no answer), HTTP_HEADERS a file holding the response
# headers of every hop (for WWW-Authenticate); on failure HTTP_ERROR says why ("none": neither
# tool is installed), credentials removed.
http_get() {
  HTTP_STATUS=000 http_err="${WORK_DIR:-/tmp}/http.err" HTTP_HEADERS="${WORK_DIR:-/tmp}/http.headers"
  : >"$HTTP_HEADERS"
  http_conf=""
  if [ -n "${3:-}" ]; then
    http_conf="$(umask 077 && mktemp "${WORK_DIR:-/tmp}/http.conf.XXXXXX")"
  fi
  case "$1" in https://*) protocols='=https' ;; *) protocols='=http,https' ;; esac
  if command -v curl >/dev/null 2>&1; then
    [ -z "$http_conf" ] || printf 'header = "%s"\n' "$3" >"$http_conf"
    HTTP_STATUS="$(curl --fail --silent --show-error --location --proto "$protocols" --proto-redir "$protocols" \
      --retry 3 --connect-timeout 20 --max-time "$DOWNLOAD_TIMEOUT" --retry-max-time "$DOWNLOAD_TIMEOUT" \
      --write-out '%{http_code}' --dump-header "$HTTP_HEADERS" ${http_conf:+--config} ${http_conf:+"$http_conf"} \
      -o "$2" "$1" 2>"$http_err")" && status=0 || status=$?
    [ -z "$http_conf" ] || rm -f "$http_conf"
    [ "$status" != 0 ] || return 0
    [ "$status" != 28 ] || { HTTP_ERROR="no complete answer within downloadTimeout ($DOWNLOAD_TIMEOUT s)"; return 1; }
    [ "$status" != 23 ] || die_if_disk_full "$http_err" "$(dirname -- "$2")" "the download of $(redact "$1")"
  elif command -v wget >/dev/null 2>&1; then
    # wget has no overall deadline of its own (--timeout is per read) and --https-only applies to
    # recursive mode only, so timeout(1) bounds it and its log shows every redirect it followed.
    [ -z "$http_conf" ] || printf 'header = %s\n' "$3" >"$http_conf"
    timeout "$DOWNLOAD_TIMEOUT" wget ${http_conf:+--config="$http_conf"} --server-response --tries=3 --progress=dot:giga \
      -O "$2" "$1" 2>"$http_err" && status=0 || status=$?
    [ -z "$http_conf" ] || rm -f "$http_conf"
    sed -n 's/^  //p' "$http_err" >"$HTTP_HEADERS"
    HTTP_STATUS="$(sed -n 's/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$HTTP_HEADERS" | tail -n 1)"
    HTTP_STATUS="${HTTP_STATUS:-000}"
    if [ "$protocols" = '=https' ] && grep -q '^Location: http:' "$http_err"; then
      rm -f "$2"
      HTTP_ERROR="the server redirected to plain http: $(redact "$(sed -n 's/^Location: \(http:[^ ]*\).*/\1/p' "$http_err" | head -n 1)"), refused"
      return 1
    fi
    [ "$status" != 0 ] || return 0
    [ "$status" != 124 ] || { HTTP_ERROR="no complete answer within downloadTimeout ($DOWNLOAD_TIMEOUT s)"; return 1; }
    die_if_disk_full "$http_err" "$(dirname -- "$2")" "the download of $(redact "$1")"
  else
    [ -z "$http_conf" ] || rm -f "$http_conf"
    HTTP_ERROR=none
    return 1
  fi
  case "$HTTP_STATUS" in
    [45][0-9][0-9]) HTTP_ERROR="HTTP $HTTP_STATUS" ;;
    *) HTTP_ERROR="$(redact "$(grep -v '^ *$' "$http_err" | tail -n 1)")" ;;
  esac
  [ "$protocols" != '=https' ] || [ "$status" != 1 ] || HTTP_ERROR="$HTTP_ERROR; only https redirects are followed"
  return 1
}

# free_kib DIR: sets FREE_KIB to the space left on DIR's file system, in KiB (empty when df cannot tell).
free_kib() {
  FREE_KIB="$(df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')"
}

# die_disk_full DIR WHAT [NEEDED_KIB]: the error for a full disk, with the space left and, when known, needed.
die_disk_full() {
  free_kib "$1"
  die "no space left on the disk of $1 for $2 (${FREE_KIB:-?} KiB free${3:+, $3 KiB needed})" \
    "free space in the image (or give Docker more disk), or set installPath to a folder on a larger disk"
}

# die_if_disk_full LOG DIR WHAT: the full-disk error when LOG (a tool's stderr) says the disk was full.
die_if_disk_full() {
  ! grep -qi 'no space left' "$1" || die_disk_full "$2" "$3"
}

# require_space ARCHIVE DIR WHAT: dies naming free and needed space before unpacking a .tgz DIR's disk cannot hold.
require_space() {
  unpacked="$(gzip -l "$1" 2>/dev/null | awk 'NR == 2 { print $2 }')"
  case "$unpacked" in "" | *[!0-9]*) return 0 ;; esac
  needed=$((unpacked / 1024 + 1024))
  free_kib "$2"
  case "$FREE_KIB" in "" | *[!0-9]*) return 0 ;; esac
  [ "$FREE_KIB" -ge "$needed" ] || die_disk_full "$2" "the unpacked $3" "$needed"
}

# require_writable DIR: dies naming DIR when nothing can be written there (a read-only /opt).
require_writable() {
  probe="$1/.cpython-installer-probe.$$"
  if ! probe_error="$( (: >"$probe") 2>&1)"; then
    die "cannot write in $1: ${probe_error##*: }" "make $1 writable in the image build (it is read-only here), or set installPath to a writable folder"
  fi
  rm -f "$probe"
}

# fail_download WHAT URL LOG: dies naming what failed to download, the URL without secrets and the tool's last line.
fail_download() {
  if [ "$HTTP_ERROR" = none ]; then
    die "neither curl nor wget is installed, so $(redact "$1") cannot be downloaded" \
      "install curl in the image before this feature, or vendor the artifact (cpython-prebuilt feature vendor)"
  fi
  die "downloading $(redact "$1") failed ($HTTP_ERROR)" "check the URL and the network or proxy, or vendor the artifact"
}

# fetch_oci REF FILE: for oci://registry/repository[:tag|@digest] the layer is fetched by its digest, which is the
# artifact's sha256, so it needs that digest up front (manifest entry or sha256 option).
# A registry that wants a token says where to get one in its 401 answer (Docker/OCI token auth,
# https://distribution.github.io/distribution/spec/auth/token/):
#   WWW-Authenticate: Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="..."
# An anonymous pull token is asked at that realm (https only; plain http only when the registry
# and the realm are both this machine). No credentials are ever sent.
fetch_oci() {
  [ -n "$ENTRY_SHA256" ] || die "an oci:// artifactUrl needs the sha256 option (the layer digest)" "set sha256"
  oci_ref="${1#oci://}"
  oci_host="${oci_ref%%/*}"
  oci_repo="${oci_ref#*/}"
  oci_repo="${oci_repo%@*}"
  oci_repo="${oci_repo%:*}"
  case "$oci_host" in localhost | localhost:* | 127.0.0.1 | 127.0.0.1:*) oci_scheme=http ;; *) oci_scheme=https ;; esac
  oci_blob="$oci_scheme://$oci_host/v2/$oci_repo/blobs/sha256:$ENTRY_SHA256"
  http_get "$oci_blob" "$2" && return 0
  [ "$HTTP_ERROR" != none ] || fail_download "$1"
  # The challenge: WWW-Authenticate in the headers of that answer (a 401 is expected).
  oci_headers="$HTTP_HEADERS"
  oci_challenge="$(tr -d '\r' <"$oci_headers" \
    | sed -n 's/^ *[Ww][Ww][Ww]-[Aa][Uu][Tt][Hh][Ee][Nn][Tt][Ii][Cc][Aa][Tt][Ee]: *[Bb][Ee][Aa][Rr][Ee][Rr] //p' | head -n 1)"
  oci_realm="$(printf '%s\n' "$oci_challenge" | sed -n 's/.*realm="\([^"]*\)".*/\1/p')"
  oci_service="$(printf '%s\n' "$oci_challenge" | sed -n 's/.*service="\([^"]*\)".*/\1/p')"
  [ -n "$oci_realm" ] || die "downloading $1 failed ($HTTP_ERROR) and the registry named no token service (no Bearer realm in WWW-Authenticate)" \
    "check the reference and that the repository allows anonymous pulls, or vendor the artifact"
  case "$oci_realm" in
    *[[:space:]\"\\\`\'\$]*) die "the registry $oci_host named an unusable token service: $oci_realm" "check the registry address" ;;
    https://*) ;;
    http://localhost/* | http://localhost:* | http://127.0.0.1/* | http://127.0.0.1:*)
      [ "$oci_scheme" = http ] || die "the registry $oci_host named a plain-http token service: $oci_realm" "use a registry served over https" ;;
    *) die "the registry $oci_host named a token service that is not https: $oci_realm" "use a registry served over https" ;;
  esac
  case "$oci_service" in *[!A-Za-z0-9._:-]*) die "the registry $oci_host named an unusable service: $oci_service" "check the registry address" ;; esac
  case "$oci_realm" in *\?*) oci_sep='&' ;; *) oci_sep='?' ;; esac
  oci_token_url="$oci_realm${oci_sep}scope=repository:$oci_repo:pull${oci_service:+&service=$oci_service}"
  http_get "$oci_token_url" "$WORK_DIR/token.json" || fail_download "$oci_token_url"
  oci_token="$(sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' "$WORK_DIR/token.json")"
  [ -n "$oci_token" ] || oci_token="$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$WORK_DIR/token.json")"
  [ -n "$oci_token" ] || die "the token service $oci_realm gave no token for $oci_repo" \
    "check that the repository allows anonymous pulls, or vendor the artifact"
  http_get "$oci_blob" "$2" "Authorization: Bearer $oci_token" || fail_download "$1"
}

# fetch SOURCE FILE: SOURCE (URL, oci:// reference, absolute path, or path relative to the feature folder) to FILE.
fetch() {
  case "$1" in
    http://* | https://*) http_get "$1" "$2" || fail_download "$1" ;;
    oci://*) fetch_oci "$1" "$2" ;;
    /*) [ -f "$1" ] || die "artifact $1 does not exist in the image build" \
      "the workspace is not mounted while features install: use a path inside the feature folder or a URL"
      copy_file "$1" "$2" ;;
    *) [ -f "$FEATURE_DIR/$1" ] || die "artifact $1 is not in the feature folder $FEATURE_DIR" \
      "vendor it with cpython-prebuilt feature vendor, or use an https URL"
      copy_file "$FEATURE_DIR/$1" "$2" ;;
  esac
}

# copy_file FROM TO: cp, with a full disk named as such; a partial copy is removed.
copy_file() {
  cp "$1" "$2" 2>"${WORK_DIR:-/tmp}/cp.err" && return 0
  rm -f "$2"
  die_if_disk_full "${WORK_DIR:-/tmp}/cp.err" "$(dirname -- "$2")" "a copy of $1"
  die "could not copy $1: $(tail -n 1 "${WORK_DIR:-/tmp}/cp.err")" "check that the file is readable"
}

# fetch_optional SOURCE DEST: like fetch for a file that may be absent (.sha256, metadata JSON);
# returns 1 with FETCH_ERROR set and FETCH_MISSING=true when the file simply does not exist.
fetch_optional() {
  FETCH_ERROR="" FETCH_MISSING=false
  case "$1" in
    http://* | https://*) http_get "$1" "$2" && return 0
      [ "$HTTP_ERROR" != none ] || HTTP_ERROR="neither curl nor wget is installed"
      [ "$HTTP_STATUS" != 404 ] || FETCH_MISSING=true
      FETCH_ERROR="$HTTP_ERROR" ;;
    /*) [ -f "$1" ] && cp "$1" "$2" && return 0
      FETCH_MISSING=true FETCH_ERROR="no such file" ;;
    *) [ -f "$FEATURE_DIR/$1" ] && cp "$FEATURE_DIR/$1" "$2" && return 0
      FETCH_MISSING=true FETCH_ERROR="not in the feature folder" ;;
  esac
  return 1
}

