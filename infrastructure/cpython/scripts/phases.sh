# shellcheck shell=bash
# Sourced by build_cpython.sh and bolt_python.sh: `phase <name>` ends the phase before (its
# duration goes to "$phases_file" as "<name> <seconds>", which collect_facts.py reads) and prints
# "==> phase: <name>", which the orchestrator shows as progress. `phase end` ends the last one.
phase_name=""
phase_start=0
phase() {
  local now
  now="$(date +%s)"
  if [ -n "$phase_name" ]; then
    printf '%s %s\n' "$phase_name" "$((now - phase_start))" >>"${phases_file:?}"
  fi
  phase_name="$1"
  phase_start="$now"
  [ "$phase_name" = end ] || printf '==> phase: %s\n' "$phase_name"
}
