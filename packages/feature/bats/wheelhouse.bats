#!/usr/bin/env bats
# wheelhouse.sh: the wheelhouse options, and a wheelhouse checked (digest, glibc, layout) before pip sees it.
load helper

@test "wheelhouse options follow artifactUrl's rules and a venv target must be an absolute path" {
  in_sh "checks wheelhouse" "WHEELHOUSE_URL=http://h.example/w.tgz validate_wheelhouse_options"
  [ "$status" -eq 1 ]
  [[ "$output" == *"wheelhouseUrl http://h.example/w.tgz is plain http and the wheelhouseSha256 option is not set"* ]]
  in_sh "checks wheelhouse" "WHEELHOUSE_URL=https://h.example/w.tgz WHEELHOUSE_TARGET=venv validate_wheelhouse_options"
  [ "$status" -eq 1 ]
  [[ "$output" == *"wheelhouseTarget must be interpreter or an absolute path for a venv, got \"venv\""* ]]
  in_sh "checks wheelhouse" "WHEELHOUSE_URL=https://h.example/w.tgz WHEELHOUSE_TARGET=/opt/venv validate_wheelhouse_options && echo valid"
  [ "$output" = valid ]
}

# wheelhouse NAME [GLIBC]: NAME.tgz (wheelhouse-demo-... top folder with a requirements.lock), its
# .sha256 and, with GLIBC, the metadata JSON beside it.
wheelhouse() {
  mkdir -p "$1/wheelhouse-demo-cp313-debian11-x86_64-build1"
  echo 'demo==1.0 --hash=sha256:00' >"$1/wheelhouse-demo-cp313-debian11-x86_64-build1/requirements.lock"
  tar -czf "$1.tgz" -C "$1" wheelhouse-demo-cp313-debian11-x86_64-build1
  sha256sum "$1.tgz" >"$1.tgz.sha256"
  [ -z "${2:-}" ] || printf '{\n  "glibcMinimum": "%s"\n}\n' "$2" >"$1.json"
}
# fetch_wh URL [SETTINGS]: fetch_wheelhouse of URL (relative: here) with SETTINGS (shell assignments).
fetch_wh() {
  local url="$1"
  [ "${url#/}" != "$url" ] || url="\$PWD/$url"
  in_sh "fetch verify extract place wheelhouse" "trap cleanup EXIT; GLIBC=2.31 FEATURE_DIR='$ROOT/keys' ${2:-} WHEELHOUSE_URL=$url fetch_wheelhouse \$PWD && echo \"ready \$WHEELHOUSE_TOP\" && ls \"\$WHEELHOUSE_DIR\""
}

@test "a wheelhouse is verified against its .sha256 and extracted with its lock" {
  wheelhouse demo 2.31
  fetch_wh demo.tgz REQUIRE_SIGNATURE=false
  [ "$status" -eq 0 ]
  [[ "$output" == *"wheelhouse sha256 verified against $PWD/demo.tgz.sha256"* ]]
  [ "${lines[-2]}" = "ready wheelhouse-demo-cp313-debian11-x86_64-build1" ]
  [ "${lines[-1]}" = requirements.lock ]
}

@test "a wheelhouse built for a newer glibc is refused before its download" {
  wheelhouse demo 2.36
  fetch_wh demo.tgz
  [ "$status" -eq 1 ]
  [[ "$output" == *"was built for glibc 2.36 but this image has glibc 2.31"* ]]
}

@test "a wheelhouse whose bytes are not its digest is refused" {
  wheelhouse demo
  printf 'x' >>demo.tgz
  fetch_wh demo.tgz
  [ "$status" -eq 1 ]
  [[ "$output" == *"sha256 mismatch for the wheelhouse"* ]]
}

# The runner's wheelhouses in keys/: signed by the trusted key, unsigned, and signed by a stranger.
signed="$ROOT/keys/wheelhouse-signed-cp313-debian11-x86_64-build1.tgz"
unsigned="$ROOT/keys/wheelhouse-unsigned-cp313-debian11-x86_64-build1.tgz"
forged="$ROOT/keys/wheelhouse-forged-cp313-debian11-x86_64-build1.tgz"

@test "a wheelhouse whose digest comes from its own server must carry a signature by a trusted key" {
  fetch_wh "$signed"
  [ "$status" -eq 0 ]
  [[ "$output" == *"OpenPGP signature verified"*"signed by key $(cat "$ROOT/keys/fingerprint")"* ]]
  [ "${lines[-2]}" = "ready wheelhouse-signed-cp313-debian11-x86_64-build1" ]
  fetch_wh "$unsigned"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing signature: $unsigned.asc does not exist, and the wheelhouse's sha256 came from the server that serves it"* ]]
  [[ "$output" == *"pin its bytes with the wheelhouseSha256 option"* ]]
  fetch_wh "$forged"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unknown key"* ]]
}

@test "wheelhouseSha256 pins the bytes: no signature needed, one present still checked; requireSignature false skips it" {
  fetch_wh "$unsigned" "WHEELHOUSE_SHA256=$(cut -d ' ' -f 1 "$unsigned.sha256")"
  [ "$status" -eq 0 ]
  [[ "$output" == *"not checked, the wheelhouseSha256 option pins the wheelhouse"* ]]
  fetch_wh "$forged" "WHEELHOUSE_SHA256=$(cut -d ' ' -f 1 "$forged.sha256")"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unknown key"* ]]
  fetch_wh "$unsigned" REQUIRE_SIGNATURE=false
  [ "$status" -eq 0 ]
}
