"""Reports facts about a finished install tree as JSON (the BuildFacts schema in
packages/core/src/schemas/metadata.ts). Runs with the interpreter that was just built or, in a
cross build, with the native interpreter of the same source reading the target's sysconfig
(_PYTHON_SYSCONFIGDATA_NAME); OBJDUMP names the target's objdump."""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import sysconfig


def linked_elf_files(prefix):
    """Executables and shared objects; relocatable objects such as config-*/python.o are skipped."""
    for root, _dirs, files in os.walk(prefix):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                header = handle.read(18)
            # e_type (little-endian, x86_64 and aarch64): 2 = executable, 3 = shared object.
            if header[:4] == b"\x7fELF" and header[16] in (2, 3):
                yield path


def glibc_minimum(prefix):
    """The newest GLIBC_x.y symbol version any ELF file in the tree needs from the system."""
    needed = set()
    for path in linked_elf_files(prefix):
        dump = subprocess.run([os.environ.get("OBJDUMP", "objdump"), "-T", path], check=True, capture_output=True, text=True).stdout
        for line in dump.splitlines():
            if "*UND*" in line:
                needed.update(re.findall(r"GLIBC_(\d+\.\d+)", line))
    if not needed:
        raise SystemExit("no GLIBC symbol versions found: is this a glibc build?")
    return max(needed, key=lambda version: tuple(int(part) for part in version.split(".")))


def tree_size(prefix):
    total = 0
    count = 0
    for root, dirs, files in os.walk(prefix):
        for name in files + dirs:
            total += os.lstat(os.path.join(root, name)).st_size
            count += 1
    return total, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--bundled", required=True)
    parser.add_argument("--phases", required=True)
    args = parser.parse_args()

    # From the prefix, not sys.prefix: a cross build's native interpreter lives elsewhere.
    dynload = os.path.join(args.prefix, "lib", "python" + sysconfig.get_config_var("VERSION"), "lib-dynload")
    modules = sorted({name.split(".")[0] for name in os.listdir(dynload) if name.endswith(".so")})
    bundled = []
    with open(args.bundled, encoding="utf-8") as handle:
        for line in handle:
            name, source, package, version, source_package, source_version, pinned, pinned_version = line.rstrip("\n").split("\t")
            library = {"name": name, "from": source}
            if pinned:
                library["pinned"] = {"name": pinned, "version": pinned_version}
            if package:
                library["package"] = {
                    "name": package,
                    "version": version,
                    "source": source_package,
                    "sourceVersion": source_version,
                }
            bundled.append(library)
    phases = {}
    with open(args.phases, encoding="utf-8") as handle:
        for line in handle:
            name, seconds = line.split()
            phases[name] = int(seconds)
    installed_bytes, file_count = tree_size(args.prefix)
    json.dump(
        {
            "version": platform.python_version(),
            "prefix": args.prefix,
            "configureArgs": sysconfig.get_config_var("CONFIG_ARGS") or "",
            "compiler": platform.python_compiler(),
            "glibcMinimum": glibc_minimum(args.prefix),
            "extensionModules": sorted(set(modules) | set(sys.builtin_module_names)),
            "bundledLibraries": bundled,
            "installedBytes": installed_bytes,
            "fileCount": file_count,
            "phaseSeconds": phases,
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
