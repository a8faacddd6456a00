"""Checks, inside a validation container, that an extracted artifact accounts for what it ships:
its SBOM (share/sbom/cpython.cdx.json, CycloneDX) describes this CPython version, lists every
library bundled in lib/ and nothing else, with the sha256 of the file shipped, and each licence
text it points to is in the tree.
Usage: check_sbom.py <prefix> <version>. Prints one summary line; exits 1 naming what is wrong."""

import hashlib
import json
import os
import sys


def properties(component):
    return {entry["name"]: entry["value"] for entry in component.get("properties", [])}


def main():
    prefix, version = sys.argv[1], sys.argv[2]
    path = os.path.join(prefix, "share", "sbom", "cpython.cdx.json")
    if not os.path.isfile(path):
        sys.exit(f"no SBOM: {path} is missing")
    with open(path, encoding="utf-8") as handle:
        bom = json.load(handle)
    problems = []
    described = bom.get("metadata", {}).get("component", {})
    if described.get("name") != "cpython" or described.get("version") != version:
        problems.append(f"the SBOM describes {described.get('name')} {described.get('version')}, not cpython {version}")
    components = bom.get("components", [])
    listed = {properties(component).get("cpython-prebuilt:file") for component in components}
    libdir = os.path.join(prefix, "lib")
    bundled = {
        f"lib/{name}"
        for name in os.listdir(libdir)
        if ".so" in name and not name.startswith("libpython") and os.path.isfile(os.path.join(libdir, name))
    }
    for missing in sorted(bundled - listed):
        problems.append(f"{missing} is bundled but not in the SBOM")
    for extra in sorted(listed - bundled):
        problems.append(f"the SBOM lists {extra}, which is not in the tree")
    for component in components:
        path = properties(component).get("cpython-prebuilt:file")
        if path not in bundled:
            continue
        listed_sha256 = {entry.get("alg"): entry.get("content") for entry in component.get("hashes", [])}.get("SHA-256")
        with open(os.path.join(prefix, path), "rb") as handle:
            actual = hashlib.sha256(handle.read()).hexdigest()
        if listed_sha256 != actual:
            problems.append(f"{path} has sha256 {actual}, the SBOM says {listed_sha256}")
    for component in [described, *components]:
        licence = properties(component).get("cpython-prebuilt:license-file")
        if not licence:
            problems.append(f"{component.get('name')} has no licence text (no package owns it)")
        elif not os.path.isfile(os.path.join(prefix, licence)):
            problems.append(f"{component.get('name')}'s licence text {licence} is missing")
    if problems:
        sys.exit("; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""))
    packages = {component.get("purl", "").split("@")[0] for component in components}
    print(f"{len(bundled)} bundled libraries from {len(packages)} packages, each with its licence text")


if __name__ == "__main__":
    main()
