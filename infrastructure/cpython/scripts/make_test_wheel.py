"""Writes a minimal pure-Python wheel (cpython_prebuilt_probe 1.0) into the given directory, so
validation can install a local wheel into a venv with no network and no build backend."""

import base64
import hashlib
import os
import sys
import zipfile

NAME = "cpython_prebuilt_probe"
VERSION = "1.0"
FILES = {
    f"{NAME}/__init__.py": "def answer():\n    return 42\n",
    f"{NAME}-{VERSION}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n",
    f"{NAME}-{VERSION}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: cpython-prebuilt\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}


def record_line(path, text):
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(text.encode())}"


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    record_path = f"{NAME}-{VERSION}.dist-info/RECORD"
    record = "\n".join([record_line(path, text) for path, text in FILES.items()] + [f"{record_path},,"]) + "\n"
    wheel = os.path.join(out_dir, f"{NAME}-{VERSION}-py3-none-any.whl")
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in {**FILES, record_path: record}.items():
            archive.writestr(path, text)
    print(wheel)


if __name__ == "__main__":
    main()
