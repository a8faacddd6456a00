"""Checks, inside a validation container, the TLS library an extracted artifact runs with: ssl
reports the OpenSSL version its SBOM (share/sbom/cpython.cdx.json) pins, and the libssl and
libcrypto the process loaded are the tree's own files, not the image's.
Usage: check_openssl.py <prefix>. Prints one summary line; exits 1 naming what is wrong."""

import json
import os
import ssl
import sys


def properties(component):
    return {entry["name"]: entry["value"] for entry in component.get("properties", [])}


def main():
    prefix = os.path.realpath(sys.argv[1])
    with open(os.path.join(prefix, "share", "sbom", "cpython.cdx.json"), encoding="utf-8") as handle:
        bom = json.load(handle)
    pinned = {
        component.get("version")
        for component in bom.get("components", [])
        if component.get("name") == "openssl" and properties(component).get("cpython-prebuilt:built-from") == "pinned source"
    }
    if len(pinned) != 1:
        sys.exit(f"the SBOM names {len(pinned)} pinned OpenSSL versions ({', '.join(sorted(v or '?' for v in pinned))}), expected one")
    expected = pinned.pop()
    reported = ssl.OPENSSL_VERSION.split()
    if reported[:2] != ["OpenSSL", expected]:
        sys.exit(f"ssl.OPENSSL_VERSION is {ssl.OPENSSL_VERSION!r}; the SBOM pins OpenSSL {expected}")
    with open("/proc/self/maps", encoding="utf-8") as handle:
        loaded = sorted({line.split()[-1] for line in handle if "/libssl.so" in line or "/libcrypto.so" in line})
    foreign = [path for path in loaded if not os.path.realpath(path).startswith(prefix + os.sep)]
    if foreign or len(loaded) != 2:
        sys.exit(f"ssl loaded {', '.join(loaded) or 'no libssl/libcrypto'}; expected the tree's lib/libssl.so.3 and lib/libcrypto.so.3 only")
    print(f"{ssl.OPENSSL_VERSION}, as the SBOM pins, loaded from {os.path.dirname(loaded[0])}")


if __name__ == "__main__":
    main()
