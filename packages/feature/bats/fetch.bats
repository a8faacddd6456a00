#!/usr/bin/env bats
# fetch.sh: where a file comes from, what a sidecar URL is, and a full or read-only disk named as such.
# The runner gives each container a 256 KiB tmpfs at /small and mounts INSTALL_TEST_ROOT read-only.
load helper

@test "a sidecar URL puts its suffix on the path, before a presigned URL's query string" {
  in_sh fetch 'sidecar_url "https://b.example/a/cpython-3.13.5.tgz?X-Amz-Signature=s&X-Amz-Date=d" .sha256; echo "$SIDECAR_URL"
    sidecar_url "https://b.example/a/cpython-3.13.5.tgz?sv=1" .json .tgz; echo "$SIDECAR_URL"
    sidecar_url /srv/cpython-3.13.5.tgz .asc; echo "$SIDECAR_URL"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "https://b.example/a/cpython-3.13.5.tgz.sha256?X-Amz-Signature=s&X-Amz-Date=d" ]
  [ "${lines[1]}" = "https://b.example/a/cpython-3.13.5.json?sv=1" ]
  [ "${lines[2]}" = "/srv/cpython-3.13.5.tgz.asc" ]
}

@test "upper-case proxy variables reach the lower-case names curl and wget read, without overriding those" {
  in_sh fetch 'HTTPS_PROXY=http://p.example:3128 NO_PROXY=localhost http_proxy=http://mine.example:8080 HTTP_PROXY=http://other.example:1
    proxies_from_env; echo "$https_proxy $no_proxy $http_proxy"'
  [ "$output" = "http://p.example:3128 localhost http://mine.example:8080" ]
}

@test "with neither curl nor wget, a URL fails naming both and the way out" {
  mkdir tools && ln -s "$(command -v sed)" tools/sed && ln -s "$(command -v cat)" tools/cat
  in_sh fetch "PATH=\$PWD/tools fetch 'https://u:tok@h.example/cpython-3.13.5.tgz?sig=1' out"
  [ "$status" -eq 1 ]
  [[ "$output" == *"neither curl nor wget is installed, so https://h.example/cpython-3.13.5.tgz?<query hidden> cannot be downloaded"* ]]
  [[ "$output" == *"vendor the artifact"* ]]
  [[ "$output" != *tok* ]]
}

@test "a path is read from the image or the feature folder, and a missing one says which" {
  printf 'bytes' >artifact.tgz
  in_sh fetch "FEATURE_DIR=\$PWD fetch artifact.tgz copy && cat copy"
  [ "$output" = bytes ]
  in_sh fetch "FEATURE_DIR=\$PWD fetch other.tgz copy"
  [ "$status" -eq 1 ]
  [[ "$output" == *"artifact other.tgz is not in the feature folder $PWD"* ]]
  in_sh fetch "fetch /nonexistent/a.tgz copy"
  [[ "$output" == *"artifact /nonexistent/a.tgz does not exist in the image build"* ]]
  in_sh fetch "fetch_optional /nonexistent/a.tgz.sha256 copy || echo \"missing=\$FETCH_MISSING\""
  [ "$output" = missing=true ]
}

@test "a full disk is named as a full disk, with the space free and the space needed" {
  head -c 1048576 /dev/zero >big
  in_sh fetch "WORK_DIR=\$PWD copy_file big /small/big"
  [ "$status" -eq 1 ]
  [[ "$output" =~ "no space left on the disk of /small for a copy of big ("[0-9]+" KiB free)" ]]
  # The partial copy is gone: the disk is as free as before.
  [ ! -e /small/big ]
  gzip -c big >big.gz
  in_sh fetch "require_space big.gz /small 'artifact'"
  [ "$status" -eq 1 ]
  [[ "$output" =~ "no space left on the disk of /small for the unpacked artifact ("[0-9]+" KiB free, 2048 KiB needed)" ]]
  in_sh fetch "require_space big.gz \$PWD artifact && echo fits"
  [ "$output" = fits ]
}

@test "a read-only folder is named before anything is written" {
  in_sh fetch "require_writable '$ROOT'"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot write in $ROOT: Read-only file system"* ]]
  in_sh fetch "require_writable \$PWD && ls -A"
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
}
