#!/usr/bin/env bats
# install-version.sh: one version from its source to /opt, the previous install intact on any failure.
load helper

teardown() {
  rm -rf /opt/python-3.* /opt/.cpython-installer*
  cd / && rm -rf "$SCRATCH"
}

ALL="checks resolve fetch verify extract place install-version"
# artifact VERSION PRINTS: cpython-VERSION-...tgz here, whose python3 says PRINTS; its sha256 in DIGEST.
artifact() {
  rm -rf "python-$1" && fake_prefix "python-$1" "$2"
  tar -czf "cpython-$1-debian11-x86_64-build1.tgz" "python-$1"
  DIGEST="$(sha256sum "cpython-$1-debian11-x86_64-build1.tgz" | cut -d ' ' -f 1)"
}
install() { in_sh "$ALL" "trap cleanup EXIT; GLIBC=2.36 ARCH=x86_64 VERSION=$1 ARTIFACT_URL=\$PWD/cpython-$1-debian11-x86_64-build1.tgz SHA256=$2 install_version $1 ''"; }

@test "a pinned artifact is verified, checked, smoke-tested and moved into /opt with its marker and receipt; the same again is a no-op" {
  artifact 3.13.5 3.13.5
  install 3.13.5 "$DIGEST"
  [ "$status" -eq 0 ]
  [[ "$output" == *"sha256 verified against the sha256 option"* ]]
  [[ "$output" == *"installed CPython 3.13.5 in /opt/python-3.13.5"* ]]
  [ "$(/opt/python-3.13.5/bin/python3)" = 3.13.5 ]
  [ "$(cat /opt/python-3.13.5/.cpython-prebuilt)" = "$DIGEST" ]
  grep -q "\"sha256\": \"$DIGEST\"" /opt/python-3.13.5/.cpython-installer.json
  [ -z "$(find /opt -maxdepth 1 -name '.cpython-installer*')" ]
  install 3.13.5 "$DIGEST"
  [ "$status" -eq 0 ]
  [[ "$output" == *"already installed in /opt/python-3.13.5 (same artifact): nothing to do"* ]]
}

@test "a digest mismatch installs nothing and names both digests" {
  artifact 3.13.5 3.13.5
  wrong="$(printf '%064d' 0)"
  install 3.13.5 "$wrong"
  [ "$status" -eq 1 ]
  [[ "$output" == *"sha256 mismatch"*"expected $wrong (from the sha256 option), actual $DIGEST"* ]]
  [ ! -e /opt/python-3.13.5 ]
  [ -z "$(find /opt -maxdepth 1 -name '.cpython-installer*')" ]
}

@test "a rebuilt artifact whose interpreter is not the version it claims is refused, the previous build intact" {
  artifact 3.13.5 3.13.5
  install 3.13.5 "$DIGEST"
  [ "$status" -eq 0 ]
  previous="$DIGEST"
  artifact 3.13.5 3.12.1
  install 3.13.5 "$DIGEST"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the artifact holds CPython 3.12.1, not 3.13.5"* ]]
  [ "$(cat /opt/python-3.13.5/.cpython-prebuilt)" = "$previous" ]
  [ "$(/opt/python-3.13.5/bin/python3)" = 3.13.5 ]
}

@test "a folder the feature did not install is never replaced" {
  artifact 3.13.5 3.13.5
  mkdir -p /opt/python-3.13.5 && echo theirs >/opt/python-3.13.5/notes
  install 3.13.5 "$DIGEST"
  [ "$status" -eq 1 ]
  [[ "$output" == *"/opt/python-3.13.5 exists and was not installed by this feature"* ]]
  [ "$(cat /opt/python-3.13.5/notes)" = theirs ]
}
