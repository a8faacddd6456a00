#!/usr/bin/env bats
# verify.sh: OpenPGP signatures (gpgv on bullseye and bookworm, sqv on trixie) and the signed
# statement. The runner made two throwaway keys: keys/trusted-keys.gpg holds the first only;
# keys/artifact.tgz.asc is the first's signature, keys/artifact.tgz.untrusted.asc the second's;
# build2's statement names build2, and build3 is build2's bytes served with build2's statement.
load helper

verify() { in_sh "fetch verify" "FEATURE_DIR='$ROOT/keys' WORK_DIR=\$PWD sig_shown=the-signature unsigned_fix=fix; $1"; }

@test "a signature by a trusted key verifies and names the key" {
  verify "verify_detached '$ROOT/keys/artifact.tgz' '$ROOT/keys/artifact.tgz.asc' 'the artifact' && echo \"signer \$SIGNED_BY\""
  [ "$status" -eq 0 ]
  [[ "$output" == *"OpenPGP signature verified"* ]]
  [ "${lines[-1]}" = "signer $(cat "$ROOT/keys/fingerprint")" ]
}

@test "altered bytes are a bad signature" {
  cp "$ROOT/keys/artifact.tgz" altered.tgz && printf 'x' >>altered.tgz
  verify "verify_detached altered.tgz '$ROOT/keys/artifact.tgz.asc' 'the artifact'"
  [ "$status" -eq 1 ]
  [[ "$output" == *"bad signature"* ]]
  [[ "$output" == *"never install an artifact whose signature fails"* ]]
}

@test "a key the feature does not trust is refused as unknown" {
  verify "verify_detached '$ROOT/keys/artifact.tgz' '$ROOT/keys/artifact.tgz.untrusted.asc' 'the artifact'"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unknown key"* ]]
}

@test "a feature without trusted keys verifies nothing" {
  in_sh "fetch verify" "FEATURE_DIR=\$PWD WORK_DIR=\$PWD sig_shown=s unsigned_fix=f; verify_detached '$ROOT/keys/artifact.tgz' '$ROOT/keys/artifact.tgz.asc' 'the artifact'"
  [ "$status" -eq 1 ]
  [[ "$output" == *"this feature has no trusted keys"* ]]
}

@test "requireSignature auto: a manifest artifact without .asc is refused; a sha256-pinned artifactUrl is not" {
  cp "$ROOT/keys/artifact.tgz" unsigned.tgz
  verify "ENTRY_URL=\$PWD/unsigned.tgz check_signature unsigned.tgz"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing signature: $PWD/unsigned.tgz.asc does not exist, and requireSignature is auto"* ]]
  verify "ARTIFACT_URL=\$PWD/unsigned.tgz ENTRY_URL=\$PWD/unsigned.tgz SHA256=\$(sha256_of unsigned.tgz) check_signature unsigned.tgz && echo installed-unsigned"
  [ "$status" -eq 0 ]
  [[ "$output" == *"not checked, the sha256 option pins the artifact"* ]]
  [ "${lines[-1]}" = installed-unsigned ]
}

@test "the signed statement must name the very file and bytes served: an older build under a newer name is refused" {
  build2="$ROOT/keys/cpython-3.13.5-debian11-x86_64-build2.tgz"
  verify "DIGEST_FROM_SERVER=true ENTRY_URL='$build2' ENTRY_VERSION=3.13.5 ENTRY_SHA256=\$(sha256_of '$build2') check_statement"
  [ "$status" -eq 0 ]
  [[ "$output" == *"signed statement verified: cpython-3.13.5-debian11-x86_64-build2.tgz is CPython 3.13.5"* ]]
  build3="$ROOT/keys/cpython-3.13.5-debian11-x86_64-build3.tgz"
  verify "DIGEST_FROM_SERVER=true ENTRY_URL='$build3' ENTRY_VERSION=3.13.5 ENTRY_SHA256=\$(sha256_of '$build3') check_statement"
  [ "$status" -eq 1 ]
  [[ "$output" == *"is for cpython-3.13.5-debian11-x86_64-build2.tgz"*"not cpython-3.13.5-debian11-x86_64-build3.tgz"*"(rollback)"* ]]
}

@test "a signature made while its key was valid still verifies after the key expired; one made after, or by a revoked key, never does" {
  lifecycle="$ROOT/keys/lifecycle"
  in_sh "fetch verify" "FEATURE_DIR='$lifecycle' WORK_DIR=\$PWD sig_shown=the-signature unsigned_fix=fix; verify_detached '$lifecycle/artifact.tgz' '$lifecycle/artifact.tgz.while-valid.asc' 'the artifact' && echo \"signer \$SIGNED_BY\""
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "signer $(cat "$lifecycle/expired-fingerprint")" ]
  in_sh "fetch verify" "FEATURE_DIR='$lifecycle' WORK_DIR=\$PWD sig_shown=the-signature unsigned_fix=fix; verify_detached '$lifecycle/artifact.tgz' '$lifecycle/artifact.tgz.revoked.asc' 'the artifact'"
  [ "$status" -eq 1 ]
  [[ "$output" == *"revoked"* ]]
  in_sh "fetch verify" "FEATURE_DIR='$lifecycle' WORK_DIR=\$PWD sig_shown=the-signature unsigned_fix=fix; verify_detached '$lifecycle/late.tgz' '$lifecycle/late.tgz.asc' 'the artifact'"
  [ "$status" -eq 1 ]
  # gpgv and sqv word it differently; both name the expiry, and neither calls it a damaged download.
  [[ "$output" == *"expired"* ]]
  [[ "$output" != *"bad signature"* ]]
}
