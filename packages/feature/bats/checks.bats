#!/usr/bin/env bats
# checks.sh: options as they arrive from devcontainer.json, and the image, refused before anything is fetched.
load helper

@test "validate_options takes the defaults and splits additionalVersions into validated versions" {
  in_sh checks 'ADDITIONAL_VERSIONS=" 3.12 ,3.11.2" validate_options && echo "[$ADDITIONAL_LIST]"'
  [ "$status" -eq 0 ]
  [ "$output" = "[ 3.12 3.11.2]" ]
}

@test "validate_options refuses each bad option, naming the option and the fix" {
  check() {
    in_sh checks "$1 validate_options"
    [ "$status" -eq 1 ] || { echo "accepted: $1"; return 1; }
    [[ "$output" == *"$2"* ]] || { echo "for $1: $output"; return 1; }
    [[ "$output" == *"cpython-installer: fix: "* ]]
  }
  check 'VERSION="3.13; touch /tmp/x"' 'version "3.13; touch /tmp/x" is not a CPython version'
  check 'ADDITIONAL_VERSIONS="3.12,*"' 'additionalVersions entry "*" is not a CPython version'
  check 'SET_AS_DEFAULT=yes' 'setAsDefault must be true or false, got "yes"'
  check 'SHA256=ABC' 'sha256 "ABC" is not 64 lowercase hex characters'
  check 'REQUIRE_SIGNATURE=maybe' 'requireSignature must be auto, true or false'
  check 'DOWNLOAD_TIMEOUT=0' 'downloadTimeout must be a number of seconds'
  check 'INSTALL_PATH=/opt/../etc' 'installPath must be absolute'
  check 'ARTIFACT_BASE_URL=ftp://m.example/' 'artifactBaseUrl must be an http(s) URL'
  check 'VERSION=none ARTIFACT_URL=https://h.example/cpython-3.13.5-x.tgz' 'nothing would install the artifact'
  [ ! -e /tmp/x ]
}

@test "an artifactUrl's digest must not come from the same unauthenticated server" {
  in_sh checks 'VERSION=3.13.5 ARTIFACT_URL=http://h.example/cpython-3.13.5-debian11-x86_64-build1.tgz validate_options'
  [ "$status" -eq 1 ]
  [[ "$output" == *"is plain http and the sha256 option is not set"* ]]
  in_sh checks 'VERSION=3.13.5 ARTIFACT_URL=ftp://h.example/cpython-3.13.5.tgz validate_options'
  [[ "$output" == *"unsupported scheme ftp"* ]]
  in_sh checks "VERSION=3.13.5 ARTIFACT_URL='https://h.example/a b.tgz' validate_options"
  [[ "$output" == *"contains characters a URL or path does not need"* ]]
}

@test "a partial version takes the full one artifactUrl names, and a contradiction is refused" {
  in_sh checks 'VERSION=3.13 ARTIFACT_URL=https://h.example/cpython-3.13.5-debian11-x86_64-build1.tgz validate_options 2>&1; echo "VERSION=$VERSION"'
  [ "$status" -eq 0 ]
  [[ "$output" == *"installing CPython 3.13.5, the version artifactUrl names"* ]]
  [[ "$output" == *"VERSION=3.13.5" ]]
  in_sh checks 'VERSION=3.12.1 ARTIFACT_URL=https://h.example/cpython-3.13.5-debian11-x86_64-build1.tgz validate_options'
  [ "$status" -eq 1 ]
  [[ "$output" == *"artifactUrl names CPython 3.13.5 but version is 3.12.1"* ]]
}

@test "detect_arch and detect_glibc read this image" {
  in_sh checks 'detect_arch && detect_glibc && echo "$ARCH $GLIBC"'
  [ "$status" -eq 0 ]
  case "$(uname -m)" in x86_64) arch=x86_64 ;; aarch64) arch=aarch64 ;; esac
  [ "$output" = "$arch $(getconf GNU_LIBC_VERSION | cut -d ' ' -f 2)" ]
}

@test "require_root refuses another user" {
  in_sh checks 'require_root && echo root'
  [ "$output" = root ]
  run chroot --userspec=65534:65534 / sh -c ". '$ROOT/header.sh'; . '$ROOT/install/common.sh'; . '$ROOT/install/checks.sh'; require_root"
  [ "$status" -eq 1 ]
  [[ "$output" == *"install.sh must run as root"* ]]
}
