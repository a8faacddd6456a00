"""A small CPU benchmark suite in the spirit of pyperformance: each workload runs `repeat` times and
reports its fastest time in seconds, as JSON on stdout. Pure stdlib; runs on CPython 3.8+."""

import json
import platform
import re
import sys
import sysconfig
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def calls():
    return fib(29)


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Plain:
    def __init__(self, value):
        self.value = value


def attributes():
    total = 0
    points = [Point(i, i + 1) for i in range(1000)]
    plains = [Plain(i) for i in range(1000)]
    for _ in range(1500):
        for p in points:
            total += p.x * p.y
        for q in plains:
            q.value += 1
    return total


def dicts_and_strings():
    words = ["w%d" % i for i in range(5000)]
    counts = {}
    for _ in range(200):
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        text = " ".join(words)
        counts["_"] = len(text.upper().split())
    return len(counts)


PATTERN = re.compile(r"(\w+)@(\w+)\.(com|org|net)")


def regex():
    text = " ".join("user%d@host%d.%s" % (i, i, ("com", "org", "net")[i % 3]) for i in range(2000))
    found = 0
    for _ in range(150):
        found += len(PATTERN.findall(text))
    return found


def json_round_trip():
    data = {"items": [{"id": i, "name": "item %d" % i, "tags": ["a", "b", "c"], "price": i * 1.5} for i in range(500)]}
    for _ in range(200):
        data = json.loads(json.dumps(data))
    return len(data["items"])


def numeric():
    x, y, vx, vy = 0.0, 0.0, 1.0, 0.5
    for _ in range(2000000):
        ax, ay = -x * 0.001, -y * 0.001
        vx += ax
        vy += ay
        x += vx * 0.01
        y += vy * 0.01
    return x + y


WORKLOADS = [calls, attributes, dicts_and_strings, regex, json_round_trip, numeric]


def loads_shared_libpython():
    """What the running process really maps: Debian reports Py_ENABLE_SHARED from its shared
    build's sysconfig while its /usr/bin/python3 has libpython linked in statically."""
    try:
        with open("/proc/self/maps") as maps:
            return "/libpython" in maps.read()
    except OSError:
        return bool(sysconfig.get_config_var("Py_ENABLE_SHARED"))


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = {}
    for workload in WORKLOADS:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            workload()
            best = min(best, time.perf_counter() - start)
        results[workload.__name__] = best
    config_args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    build = {
        "compiler": platform.python_compiler(),
        "sharedLibpython": loads_shared_libpython(),
        "enableOptimizations": "--enable-optimizations" in config_args,
        "withLto": "--with-lto" in config_args,
    }
    json.dump({"python": sys.version.split()[0], "build": build, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
