#!/usr/bin/env bats
# common.sh: messages, redaction and the version helpers every module relies on.
load helper

@test "redact removes credentials and hides the query string of every URL" {
  in_sh "" 'redact "get https://user:s3cret@h.example/a.tgz?X-Amz-Signature=abc and oci://bot:tok@r.example/x"'
  [ "$status" -eq 0 ]
  [ "$output" = "get https://h.example/a.tgz?<query hidden>" ]
  [[ "$output" != *s3cret* && "$output" != *abc* ]]
}

@test "is_version takes latest, 3.N and 3.N.N and nothing a shell or a typo could slip in" {
  for good in latest 3.9 3.13 3.13.5 3.15.0 3.10.22; do
    in_sh "" "is_version '$good'"
    [ "$status" -eq 0 ] || { echo "refused $good"; false; }
  done
  for bad in "" 3 2.7 3.13.5.1 "3.13 " "3.13;id" '$(id)' 3.x 03.13 "3.13
3.12"; do
    in_sh "" "is_version '$bad'"
    [ "$status" -eq 1 ] || { echo "took [$bad]"; false; }
  done
}

@test "version_le compares numerically, part by part" {
  in_sh "" 'version_le 2.31 2.36 && version_le 3.9 3.10 && version_le 2.31 2.31 && ! version_le 2.36 2.31 && ! version_le 3.10 3.9 && echo ordered'
  [ "$status" -eq 0 ]
  [ "$output" = ordered ]
}

@test "die prints the cause and the fix on stderr and exits 1" {
  in_sh "" 'die "the cause" "the fix" 2>err; echo unreachable'
  [ "$status" -eq 1 ]
  [ "$output" = "" ]
  [ "$(cat err)" = "cpython-installer: error: the cause
cpython-installer: fix: the fix" ]
}

@test "sha256_of gives the digest sha256sum gives" {
  printf 'abc' >file
  in_sh "" 'sha256_of file'
  [ "$status" -eq 0 ]
  [ "$output" = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ]
}
