#!/usr/bin/env bats
# link.sh: python3, python, pip3 and pip in /usr/local/bin and the current link, made without
# taking over what the feature did not make. Each test leaves /usr/local/bin and /opt as it found them.
load helper

teardown() {
  rm -rf /usr/local/bin/python* /usr/local/bin/pip* /opt/python-current* /opt/python-3.*
  cd / && rm -rf "$SCRATCH"
}

# ours VERSION: /opt/python-VERSION as this feature installs it (marker and prefix root's alone).
ours() {
  fake_prefix "/opt/python-$1" "$1"
  echo digest >"/opt/python-$1/.cpython-prebuilt"
  printf '{\n  "version": "%s",\n  "links": []\n}\n' "$1" >"/opt/python-$1/.cpython-installer.json"
}

@test "the default's names point into its prefix, and the receipt lists every link made" {
  ours 3.13.5
  in_sh "place link" "link_default /opt/python-3.13.5 3.13"
  [ "$status" -eq 0 ]
  [ "$(/usr/local/bin/python)" = 3.13.5 ]
  [ "$(readlink /usr/local/bin/python3)" = /opt/python-3.13.5/bin/python3 ]
  [ "$(readlink /opt/python-current/bin/python3.13)" = /opt/python-3.13.5/bin/python3.13 ]
  [ "$(cat /opt/python-current/.cpython-prebuilt)" = /opt/python-3.13.5 ]
  grep -q '"/usr/local/bin/python3", "/usr/local/bin/python3.13", .*"/opt/python-current"\]' /opt/python-3.13.5/.cpython-installer.json
}

@test "switching the default repoints every name and drops the previous version's own names" {
  ours 3.11.2 && ours 3.13.5
  in_sh "place link" "link_default /opt/python-3.11.2 3.11 && link_default /opt/python-3.13.5 3.13"
  [ "$status" -eq 0 ]
  [ "$(/opt/python-current/bin/python3)" = 3.13.5 ]
  [ ! -e /opt/python-current/bin/python3.11 ] && [ ! -L /opt/python-current/bin/python3.11 ]
  [ "$(/usr/local/bin/python3)" = 3.13.5 ]
}

@test "a file the feature did not make is kept, or with replaceExisting kept aside, never lost" {
  ours 3.13.5
  printf '#!/bin/sh\necho theirs\n' >/usr/local/bin/python3 && chmod 755 /usr/local/bin/python3
  in_sh "place link" "link_default /opt/python-3.13.5 3.13"
  [ "$status" -eq 0 ]
  [ "$(/usr/local/bin/python3)" = theirs ]
  [[ "$output" == *"warning: kept /usr/local/bin/python3: this feature did not make them"* ]]
  in_sh "place link" "REPLACE_EXISTING=true link_default /opt/python-3.13.5 3.13"
  [ "$status" -eq 0 ]
  [ "$(/usr/local/bin/python3)" = 3.13.5 ]
  [ "$(/usr/local/bin/python3.before-cpython-installer)" = theirs ]
}

@test "a foreign /opt/python-current folder is kept, or with replaceExisting kept aside whole" {
  ours 3.13.5
  mkdir -p /opt/python-current/bin && echo theirs >/opt/python-current/notes
  in_sh "place link" "link_default /opt/python-3.13.5 3.13"
  [ "$status" -eq 0 ]
  [ "$(cat /opt/python-current/notes)" = theirs ]
  [[ "$output" == *"kept"*"/opt/python-current"* ]]
  in_sh "place link" "REPLACE_EXISTING=true link_default /opt/python-3.13.5 3.13"
  [ "$status" -eq 0 ]
  [ "$(cat /opt/python-current.before-cpython-installer/notes)" = theirs ]
  [ "$(/opt/python-current/bin/python3)" = 3.13.5 ]
}
