#!/usr/bin/env bats
# uninstall.sh: removing an install by its receipt, and nothing it does not own. Each test leaves
# /usr/local/bin and /opt as it found them.
load helper

teardown() {
  rm -rf /usr/local/bin/python* /usr/local/bin/pip* /usr/local/bin/cpython-installer-uninstall* /opt/python-* /opt/.cpython-installer*
  cd / && rm -rf "$SCRATCH"
}

# ours VERSION LINK...: /opt/python-VERSION as this feature installs it, its receipt listing LINK...
ours() {
  local version="$1" links="" made
  shift
  fake_prefix "/opt/python-$version" "$version"
  echo digest >"/opt/python-$version/.cpython-prebuilt"
  for made in "$@"; do links="$links${links:+, }\"$made\""; done
  printf '{\n  "version": "%s",\n  "links": [%s]\n}\n' "$version" "$links" >"/opt/python-$version/.cpython-installer.json"
}

@test "the receipt's links are read back as the list record_links wrote" {
  ours 3.13.5 /usr/local/bin/python3 /opt/python-current
  in_sh "place uninstall" "receipt_links /opt/python-3.13.5 && echo \"[\$RECEIPT_LINKS]\""
  [ "$status" -eq 0 ]
  [ "$output" = "[/usr/local/bin/python3 /opt/python-current]" ]
}

@test "a prefix goes with the links that still point into it; one repointed since, and a folder, are left and named" {
  ours 3.13.5 /usr/local/bin/python3 /usr/local/bin/pip3 /usr/local/bin/python
  mkdir -p /usr/local/bin
  ln -s /opt/python-3.13.5/bin/python3 /usr/local/bin/python3
  ln -s /somewhere/else/pip3 /usr/local/bin/pip3
  mkdir /usr/local/bin/python
  in_sh "checks place uninstall" "uninstall_prefix /opt/python-3.13.5"
  [ "$status" -eq 0 ]
  [ ! -e /opt/python-3.13.5 ] && [ ! -L /usr/local/bin/python3 ]
  [ "$(readlink /usr/local/bin/pip3)" = /somewhere/else/pip3 ] && [ -d /usr/local/bin/python ]
  [[ "$output" == *"left /usr/local/bin/pip3: it no longer points into /opt/python-3.13.5"* ]]
  [[ "$output" == *"left /usr/local/bin/python: it is no longer a link this feature made"* ]]
  [ -z "$(find /opt -maxdepth 1 -name '.cpython-installer.*')" ]
}

@test "what replaceExisting kept aside comes back; the current folder goes only when its marker names the prefix" {
  ours 3.13.5 /usr/local/bin/python3 /opt/python-current
  mkdir -p /usr/local/bin /opt/python-current/bin
  ln -s /opt/python-3.13.5/bin/python3 /usr/local/bin/python3
  echo theirs >/usr/local/bin/python3.before-cpython-installer
  echo /opt/python-3.11.2 >/opt/python-current/.cpython-prebuilt
  in_sh "checks place uninstall" "uninstall_prefix /opt/python-3.13.5"
  [ "$status" -eq 0 ]
  [ "$(cat /usr/local/bin/python3)" = theirs ]
  [[ "$output" == *"put back /usr/local/bin/python3, which the install had kept aside"* ]]
  [ -d /opt/python-current ]
  [[ "$output" == *"left /opt/python-current: it no longer belongs to /opt/python-3.13.5"* ]]
}

@test "a prefix without the marker and receipt, a link, or one others may write to is refused and left whole" {
  mkdir -p /opt/python-3.12.1 && touch /opt/python-3.12.1/keep
  in_sh "checks place uninstall" "uninstall_prefix /opt/python-3.12.1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"/opt/python-3.12.1 was not installed by this feature (no .cpython-prebuilt and .cpython-installer.json in it)"* ]]
  ours 3.13.5
  ln -s /opt/python-3.13.5 /opt/python-3.13.4
  in_sh "checks place uninstall" "uninstall_prefix /opt/python-3.13.4"
  [ "$status" -eq 1 ] && [ -d /opt/python-3.13.5 ]
  chmod 777 /opt/python-3.13.5
  in_sh "checks place uninstall" "uninstall_prefix /opt/python-3.13.5"
  [ "$status" -eq 1 ]
  [[ "$output" == *"/opt/python-3.13.5 is not root's alone, or others may write to it"* ]]
  [ -f /opt/python-3.12.1/keep ] && [ -f /opt/python-3.13.5/.cpython-prebuilt ]
}

@test "every argument is checked before anything is removed; versions must be full, prefixes plain" {
  ours 3.13.5
  in_sh "checks place uninstall" "uninstall_main 3.13.5 3.12.9"
  [ "$status" -eq 1 ]
  [[ "$output" == *"nothing is installed in /opt/python-3.12.9"* ]]
  [ -d /opt/python-3.13.5 ]
  in_sh "checks place uninstall" "uninstall_main 3.13"
  [ "$status" -eq 1 ] && [[ "$output" == *'"3.13" is not a full CPython version'* ]]
  in_sh "checks place uninstall" "uninstall_main '/opt/python-3.13.5/../../etc'"
  [ "$status" -eq 1 ] && [[ "$output" == *"is not a prefix this feature installs to"* ]]
  in_sh "checks place uninstall" "uninstall_main"
  [ "$status" -eq 1 ] && [[ "$output" == *"nothing to uninstall"* ]]
}

@test "--all removes every install with a receipt, then the uninstaller it had left" {
  ours 3.13.5 && ours 3.11.2
  mkdir -p /usr/local/bin && sed -n 1,2p "$ROOT/header.sh" >/usr/local/bin/cpython-installer-uninstall
  in_sh "checks place uninstall" "uninstall_main --all"
  [ "$status" -eq 0 ]
  [ ! -e /opt/python-3.13.5 ] && [ ! -e /opt/python-3.11.2 ] && [ ! -e /usr/local/bin/cpython-installer-uninstall ]
  in_sh "checks place uninstall" "uninstall_main --all"
  [ "$status" -eq 1 ] && [[ "$output" == *"--all found nothing this feature installed under /opt"* ]]
}

@test "the uninstaller is written beside the links, never over a file the feature did not make" {
  mkdir -p /usr/local/bin
  echo 'theirs' >/usr/local/bin/cpython-installer-uninstall
  in_sh "place uninstall" "install_uninstaller"
  [ "$status" -eq 0 ]
  [ "$(cat /usr/local/bin/cpython-installer-uninstall)" = theirs ]
  [[ "$output" == *"warning: kept /usr/local/bin/cpython-installer-uninstall: this feature did not make it"* ]]
  rm /usr/local/bin/cpython-installer-uninstall
  in_sh "place uninstall" "install_uninstaller '$ROOT/header.sh'"
  [ "$status" -eq 0 ]
  cmp "$ROOT/header.sh" /usr/local/bin/cpython-installer-uninstall
  [ "$(stat -c '%a %u' /usr/local/bin/cpython-installer-uninstall)" = "755 0" ]
  # Its own copy is replaced by the next install's.
  echo '# newer' >>"$SCRATCH/newer.sh" && cat "$ROOT/header.sh" "$SCRATCH/newer.sh" >"$SCRATCH/install.sh"
  in_sh "place uninstall" "install_uninstaller '$SCRATCH/install.sh'"
  [ "$status" -eq 0 ] && [ "$(tail -n 1 /usr/local/bin/cpython-installer-uninstall)" = '# newer' ]
}

@test "an uninstaller that cannot be written (full disk) is a warning: the install before it is complete" {
  mkdir -p /small/bin
  dd if=/dev/zero of=/small/fill bs=1k count=400 2>/dev/null || true
  in_sh "place uninstall" "UNINSTALLER=/small/bin/cpython-installer-uninstall install_uninstaller '$ROOT/header.sh'"
  rm -f /small/fill
  [ "$status" -eq 0 ]
  [[ "$output" == *"warning: could not write the uninstaller /small/bin/cpython-installer-uninstall (free space: "*" KiB): the install is complete"* ]]
  [ ! -e /small/bin/cpython-installer-uninstall ] && [ ! -e /small/bin/cpython-installer-uninstall.new ]
  rm -rf /small/bin
}
