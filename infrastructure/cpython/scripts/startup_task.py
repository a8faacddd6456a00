"""BOLT training for start-up and imports, run by bolt_python.sh in fresh processes after the PGO
task: the regression tests import each module once and then spend their time in the code under
test, so the code every process runs first (unmarshalling, the import system, module bodies,
class creation) weighs little in their profile. This imports every standard-library module and
its direct submodules that import cleanly here, the way a tool's start-up does. It prints
nothing and exits 0 unless nothing at all could be imported.
Usage: <python> startup_task.py"""

import importlib
import pkgutil
import sys

# Imported for their side effects (a printed poem, a browser, a GUI, a REPL) or only for tests.
SKIPPED = {"__hello__", "__phello__", "antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "test"}


def wanted(name: str) -> bool:
    return name not in SKIPPED and not name.startswith("_test") and not name.endswith("__main__")


def import_quietly(name: str):
    try:
        return importlib.import_module(name)
    except Exception:  # a module this platform or build has not: it trains nothing
        return None


if __name__ == "__main__":
    imported = 0
    for name in sorted(filter(wanted, sys.stdlib_module_names)):
        module = import_quietly(name)
        if module is None:
            continue
        imported += 1
        for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
            if wanted(sub.name) and sub.name not in {"tests", "idle_test"}:
                imported += import_quietly(f"{name}.{sub.name}") is not None
    if imported == 0:
        print("startup training imported nothing", file=sys.stderr)
        sys.exit(1)
