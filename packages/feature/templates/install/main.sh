# --- main: the options checked, then each version installed, linked and its wheelhouse added ---

# Every exit runs cleanup; an interrupt exits through it too.
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run as the uninstaller (the copy install_uninstaller made), this script removes installs instead.
case "${0##*/}" in "${UNINSTALLER##*/}") uninstall_main "$@"; exit 0 ;; esac

validate_options
validate_wheelhouse_options
proxies_from_env
require_root
detect_arch
detect_glibc
mkdir -p "${PREFIX_STEM%/*}"
require_writable "${PREFIX_STEM%/*}"
acquire_lock "${PREFIX_STEM%/*}"

DEFAULT_TARGET=""
case "$VERSION" in
  none | os-provided) say "version $VERSION: no default CPython from this feature; the image's own python3, if any, stays as it is" ;;
  *) install_version "$VERSION" "$INSTALL_PATH"
    DEFAULT_VERSION="$INSTALLED_VERSION" DEFAULT_TARGET="$INSTALLED_TARGET" DEFAULT_SHORT="$INSTALLED_SHORT" ;;
esac
# shellcheck disable=SC2086 # validated versions: digits, dots or "latest", nothing to glob
for extra in $ADDITIONAL_LIST; do
  install_version "$extra" ""
done
if [ "$SET_AS_DEFAULT" = true ] && [ -n "$DEFAULT_TARGET" ]; then
  link_default "$DEFAULT_TARGET" "$DEFAULT_SHORT"
  say "python3, python, pip3 and pip in /usr/local/bin now point to CPython $DEFAULT_VERSION in $DEFAULT_TARGET, except any kept above"
fi
[ -z "$WHEELHOUSE_URL" ] || install_wheelhouse "$DEFAULT_TARGET"
[ -z "$DEFAULT_TARGET$ADDITIONAL_LIST" ] || install_uninstaller "$0"
[ -z "$DEFAULT_TARGET" ] || "$DEFAULT_TARGET/bin/python3" --version >&2
