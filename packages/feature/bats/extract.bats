#!/usr/bin/env bats
# extract.sh: an archive is checked entry by entry and as a tree before anything in it can run or move.
load helper

# archive NAME: packs the folder python-3.13.5 (made by the test) into NAME.
archive() { tar -czf "$1" python-3.13.5 "${@:2}"; }
extract() { in_sh "fetch extract" "WORK_DIR=\$PWD/work; mkdir -m 700 \"\$WORK_DIR\"; extract_checked \$PWD/$1 python-3.13.5 artifact && echo \"extracted \$EXTRACTED\""; }

@test "a well-formed archive is extracted into the work folder and the archive removed" {
  fake_prefix python-3.13.5 3.13.5
  archive good.tgz
  extract good.tgz
  [ "$status" -eq 0 ]
  [ "$output" = "extracted $PWD/work/tree/python-3.13.5" ]
  [ "$(work/tree/python-3.13.5/bin/python3)" = 3.13.5 ]
  [ ! -e good.tgz ]
}

@test "entries outside the top folder, setuid, world-writable or special files, or named like the marker are refused" {
  refused() {
    extract "$1"
    [ "$status" -eq 1 ] || { echo "extracted $1"; return 1; }
    [[ "$output" == *"refusing the artifact: $2"* ]] || { echo "$1: $output"; return 1; }
    rm -rf work
  }
  fake_prefix python-3.13.5 3.13.5
  mkdir other && touch other/file
  archive outside.tgz other
  refused outside.tgz "entry other is outside python-3.13.5/"
  cp python-3.13.5/bin/python3.13 python-3.13.5/bin/su && chmod 4755 python-3.13.5/bin/su
  archive setuid.tgz
  refused setuid.tgz "entry python-3.13.5/bin/su is setuid or setgid"
  rm python-3.13.5/bin/su && touch python-3.13.5/open && chmod 666 python-3.13.5/open
  archive writable.tgz
  refused writable.tgz "entry python-3.13.5/open is world-writable"
  rm python-3.13.5/open && mkfifo python-3.13.5/fifo
  archive fifo.tgz
  refused fifo.tgz "entry python-3.13.5/fifo is a special file"
  rm python-3.13.5/fifo && touch python-3.13.5/.cpython-prebuilt
  archive marker.tgz
  refused marker.tgz "entry python-3.13.5/.cpython-prebuilt has the name of the marker this feature writes"
}

@test "a link that leaves the tree is refused, even through a chain, and nothing is written outside" {
  fake_prefix python-3.13.5 3.13.5
  ln -s ../../etc python-3.13.5/bin/up
  archive escape.tgz
  extract escape.tgz
  [ "$status" -eq 1 ]
  [[ "$output" == *"refusing the artifact: symlink python-3.13.5/bin/up -> ../../etc points outside the tree"* ]]
  rm -rf work python-3.13.5/bin/up
  ln -s /tmp python-3.13.5/lib && ln -s lib python-3.13.5/chain
  archive chain.tgz
  extract chain.tgz
  [ "$status" -eq 1 ]
  [[ "$output" == *"points outside the tree"* ]]
}

@test "a truncated archive says it may be truncated" {
  fake_prefix python-3.13.5 3.13.5
  head -c 4096 /dev/urandom >python-3.13.5/noise
  archive full.tgz
  head -c "$(($(stat -c %s full.tgz) / 2))" full.tgz >half.tgz
  extract half.tgz
  [ "$status" -eq 1 ]
  [[ "$output" == *"extracting the artifact failed"* ]]
  [[ "$output" == *"it may be truncated"* ]]
}
