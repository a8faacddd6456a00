#!/usr/bin/env bats
# resolve.sh: which artifact a version means, from the manifest embedded in the feature.
load helper

A=1111111111111111111111111111111111111111111111111111111111111111
B=2222222222222222222222222222222222222222222222222222222222222222
C=3333333333333333333333333333333333333333333333333333333333333333
D=4444444444444444444444444444444444444444444444444444444444444444
manifest() {
  printf "MANIFEST='%s'; " "
3.13.4 1 debian11 x86_64 2.31 $A https://r.example/cpython-3.13.4-debian11-x86_64-build1.tgz
3.13.5 1 debian11 x86_64 2.31 $B https://r.example/cpython-3.13.5-debian11-x86_64-build1.tgz
3.13.5 2 debian12 x86_64 2.36 $C https://r.example/cpython-3.13.5-debian12-x86_64-build2.tgz
3.12.11 1 debian11 aarch64 2.31 $D https://r.example/cpython-3.12.11-debian11-aarch64-build1.tgz
"
}

@test "the newest patch and build of a line that fits the image's arch and glibc" {
  in_sh resolve "$(manifest) ARCH=x86_64 GLIBC=2.36 resolve_from_manifest 3.13 && echo \"\$ENTRY_VERSION \$ENTRY_SHA256 \$ENTRY_URL\""
  [ "$status" -eq 0 ]
  [ "$output" = "3.13.5 $C https://r.example/cpython-3.13.5-debian12-x86_64-build2.tgz" ]
  # On an older glibc, the build made for it.
  in_sh resolve "$(manifest) ARCH=x86_64 GLIBC=2.31 resolve_from_manifest 3.13.5 && echo \"\$ENTRY_SHA256\""
  [ "$output" = "$B" ]
  in_sh resolve "$(manifest) ARCH=x86_64 GLIBC=2.31 resolve_from_manifest latest && echo \"\$ENTRY_VERSION\""
  [ "$output" = 3.13.5 ]
}

@test "a glibc older than every artifact of the version is named with the one needed" {
  in_sh resolve "$(manifest) ARCH=x86_64 GLIBC=2.28 resolve_from_manifest 3.13"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the artifact for CPython 3.13 needs glibc 2.31 but this image has glibc 2.28"* ]]
}

@test "a version missing for this arch names what this arch has and where the version exists" {
  in_sh resolve "$(manifest) ARCH=aarch64 GLIBC=2.36 resolve_from_manifest 3.13"
  [ "$status" -eq 1 ]
  [[ "$output" == *"CPython 3.13 has no artifact for aarch64"* ]]
  [[ "$output" == *"known for aarch64: 3.12.11"* ]]
  [[ "$output" == *"3.13 exists for: x86_64"* ]]
}

@test "artifactBaseUrl moves a manifest URL to the mirror, file name kept" {
  in_sh resolve "$(manifest) ARCH=x86_64 GLIBC=2.31 ARTIFACT_BASE_URL=https://mirror.example/cpython/ resolve_from_manifest 3.13.4 && echo \"\$ENTRY_URL\""
  [ "$output" = https://mirror.example/cpython/cpython-3.13.4-debian11-x86_64-build1.tgz ]
}

@test "an end-of-life line installs with a warning naming the maintained lines" {
  in_sh resolve "END_OF_LIFE='3.9:2025-10' MAINTAINED_LINES='3.13 3.14' warn_end_of_life 3.9; warn_end_of_life 3.13"
  [ "$status" -eq 0 ]
  [ "$output" = "cpython-installer: warning: CPython 3.9 reached its end of life upstream in 2025-10: no security fixes any more; move to a maintained line (3.13 3.14)" ]
}

@test "an artifactUrl with the sha256 option takes that digest, not the server's" {
  in_sh "resolve fetch" "ARTIFACT_URL=/nonexistent/cpython-3.13.5-debian11-x86_64-build1.tgz SHA256=$A resolve_from_url 3.13.5 && echo \"\$ENTRY_SHA256 \$DIGEST_FROM_SERVER\""
  [ "$status" -eq 0 ]
  [[ "$output" == *"$A false" ]]
}

@test "without the option the digest comes from the .sha256 beside the artifact (marked as the server's), and its metadata's glibc is checked" {
  printf '%s  cpython-3.13.5-debian11-x86_64-build1.tgz\n' "$B" >cpython-3.13.5-debian11-x86_64-build1.tgz.sha256
  in_sh "resolve fetch" "WORK_DIR=\$PWD GLIBC=2.31 ARTIFACT_URL=\$PWD/cpython-3.13.5-debian11-x86_64-build1.tgz resolve_from_url 3.13.5 && echo \"\$ENTRY_SHA256 \$DIGEST_FROM_SERVER\""
  [ "$status" -eq 0 ]
  [ "$output" = "$B true" ]
  printf '{\n  "glibcMinimum": "2.36"\n}\n' >cpython-3.13.5-debian11-x86_64-build1.json
  in_sh "resolve fetch" "WORK_DIR=\$PWD GLIBC=2.31 ARTIFACT_URL=\$PWD/cpython-3.13.5-debian11-x86_64-build1.tgz resolve_from_url 3.13.5"
  [ "$status" -eq 1 ]
  [[ "$output" == *"needs glibc 2.36 but this image has glibc 2.31"* ]]
  rm cpython-3.13.5-debian11-x86_64-build1.tgz.sha256
  in_sh "resolve fetch" "WORK_DIR=\$PWD GLIBC=2.36 ARTIFACT_URL=\$PWD/cpython-3.13.5-debian11-x86_64-build1.tgz resolve_from_url 3.13.5"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the sha256 option is not set and $PWD/cpython-3.13.5-debian11-x86_64-build1.tgz.sha256 does not exist"* ]]
}
