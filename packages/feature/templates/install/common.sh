# --- common: messages, errors and small helpers every module uses ---

# say MESSAGE...: one line of the installer's log, on stderr.
say() { printf 'cpython-installer: %s\n' "$*" >&2; }

# die CAUSE FIX: the error and what to do about it, then exit 1 (cleanup puts back what was moved).
die() {
  printf 'cpython-installer: error: %s\n' "$1" >&2
  [ -z "${2:-}" ] || printf 'cpython-installer: fix: %s\n' "$2" >&2
  exit 1
}

# redact TEXT: prints TEXT with the user:password@ part of every URL in it removed (tokens never reach a log).
redact() { printf '%s' "$1" | sed 's#\([A-Za-z][A-Za-z0-9+.-]*://\)[^/@[:space:]]*@#\1#g; s#[?#].*#?<query hidden>#'; }

# version_le A B: true when A <= B (dotted numeric comparison).
version_le() {
  [ "$1" = "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)" ]
}

# is_version V: latest, 3.N or 3.N.N, nothing else (no spaces, separators or line breaks).
is_version() {
  case "$1" in latest) return 0 ;; "" | *[!0-9.]*) return 1 ;; esac
  case "$1" in 3.[0-9] | 3.[0-9][0-9] | 3.[0-9].[0-9] | 3.[0-9].[0-9][0-9] | 3.[0-9][0-9].[0-9] | 3.[0-9][0-9].[0-9][0-9]) return 0 ;; esac
  return 1
}

# sha256_of FILE: prints FILE's sha256 (sha256sum, or openssl where the image has no coreutils).
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
  else die "no sha256sum or openssl to verify the artifact with" "install coreutils or openssl in the image"
  fi
}

