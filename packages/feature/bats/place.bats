#!/usr/bin/env bats
# place.sh: the install lock, stale work folders, receipts, and moves that never lose the previous tree.
load helper

@test "the lock is taken once; a lock of a process that is gone is taken over" {
  in_sh place "acquire_lock \$PWD && cat \$PWD/.cpython-installer-lock/pid && echo \"held \$LOCK_HELD\""
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "held $PWD/.cpython-installer-lock" ]
  first="${lines[0]}"
  # That shell has exited: its pid is gone, so its lock is stale.
  in_sh place "acquire_lock \$PWD && echo \"held by \$(cat \$PWD/.cpython-installer-lock/pid)\""
  [ "$status" -eq 0 ]
  [[ "$output" == *"took over the install lock of process $first, which is gone"* ]]
  [[ "${lines[-1]}" == "held by "* && "${lines[-1]}" != "held by $first" ]]
}

@test "a lock another user could have planted is refused, and a live holder is waited for until downloadTimeout" {
  mkdir -m 777 .cpython-installer-lock
  in_sh place "acquire_lock \$PWD"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$PWD/.cpython-installer-lock exists and is not root's alone"* ]]
  rmdir .cpython-installer-lock && mkdir -m 700 .cpython-installer-lock
  sleep 30 &
  holder=$!
  echo "$holder" >.cpython-installer-lock/pid
  in_sh place "DOWNLOAD_TIMEOUT=2 acquire_lock \$PWD"
  kill "$holder"
  [ "$status" -eq 1 ]
  [[ "$output" == *"another install (process $holder) has held $PWD/.cpython-installer-lock for 2 s"* ]]
  [ "$(cat .cpython-installer-lock/pid)" = "$holder" ]
}

@test "a killed install's work folder is removed and the tree it had moved aside put back; a foreign one is left alone" {
  mkdir -m 700 .cpython-installer.dead && mkdir .cpython-installer.dead/previous
  touch .cpython-installer.dead/previous/kept
  echo "$PWD/python-3.13.4" >.cpython-installer.dead/target
  echo 999999 >.cpython-installer.dead/pid
  mkdir -m 777 .cpython-installer.planted && echo "/etc" >.cpython-installer.planted/target
  in_sh place "sweep_stale \$PWD"
  [ "$status" -eq 0 ]
  [ -f python-3.13.4/kept ]
  [ ! -e .cpython-installer.dead ]
  [ -d .cpython-installer.planted ]
  [[ "$output" == *"put back $PWD/python-3.13.4"* ]]
  [[ "$output" == *"warning: left $PWD/.cpython-installer.planted alone"* ]]
}

@test "a work folder pointing outside its parent puts nothing back there" {
  mkdir -m 700 .cpython-installer.evil && mkdir .cpython-installer.evil/previous
  echo "/tmp/evil-target" >.cpython-installer.evil/target
  echo 999999 >.cpython-installer.evil/pid
  in_sh place "sweep_stale \$PWD"
  [ "$status" -eq 0 ]
  [ ! -e /tmp/evil-target ]
  [ ! -e .cpython-installer.evil ]
}

@test "swap_into_place replaces a tree, and puts the previous one back when the new one cannot move" {
  mkdir old new && touch old/v1 new/v2
  mv old dest
  in_sh place "swap_into_place \$PWD/new \$PWD/dest \$PWD/aside"
  [ "$status" -eq 0 ]
  [ -f dest/v2 ] && [ ! -e aside ] && [ ! -e new ]
  in_sh place "swap_into_place \$PWD/gone \$PWD/dest \$PWD/aside"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the previous one, if any, is back in place"* ]]
  [ -f dest/v2 ]
}

@test "replaceExisting keeps what it replaces, and never overwrites an earlier kept copy" {
  echo mine >tool
  in_sh place "keep_aside \$PWD/tool"
  [ "$status" -eq 0 ]
  [ "$(cat tool.before-cpython-installer)" = mine ]
  echo again >tool
  in_sh place "keep_aside \$PWD/tool"
  [ "$status" -eq 1 ]
  [[ "$output" == *"tool.before-cpython-installer, where it would be kept, already exists"* ]]
  [ "$(cat tool)" = again ]
}

@test "made_by_feature: only a link into a prefix whose marker and folder are root's alone" {
  fake_prefix prefix 3.13.5
  touch prefix/.cpython-prebuilt && chmod 644 prefix/.cpython-prebuilt && chmod 755 prefix
  ln -s "$PWD/prefix/bin/python3" ours
  in_sh place "made_by_feature \$PWD/ours && echo ours"
  [ "$output" = ours ]
  chmod 666 prefix/.cpython-prebuilt
  in_sh place "made_by_feature \$PWD/ours || echo foreign"
  [ "$output" = foreign ]
  chmod 644 prefix/.cpython-prebuilt && chown 65534 prefix
  in_sh place "made_by_feature \$PWD/ours || echo foreign"
  [ "$output" = foreign ]
}

@test "the receipt records the version, the digest and the source without credentials, then the links made" {
  mkdir prefix
  in_sh place "ENTRY_VERSION=3.13.5 ENTRY_SHA256=abc SIGNED_BY=FPR ENTRY_URL='https://u:tok@h.example/a.tgz?sig=s' write_receipt \$PWD/prefix && record_links \$PWD/prefix /usr/local/bin/python3 /opt/python-current"
  [ "$status" -eq 0 ]
  grep -q '"version": "3.13.5"' prefix/.cpython-installer.json
  grep -q '"source": "https://h.example/a.tgz?<query hidden>"' prefix/.cpython-installer.json
  grep -q '"links": \["/usr/local/bin/python3", "/opt/python-current"\]' prefix/.cpython-installer.json
  ! grep -q tok prefix/.cpython-installer.json
}
