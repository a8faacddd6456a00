"""A CPU benchmark suite in the spirit of pyperformance: each workload runs `repeat` times and
reports its fastest time in seconds; `startup` and `import` time fresh interpreter processes.
Prints JSON on stdout. Pure stdlib; runs on CPython 3.8+.
Usage: pybench.py [repeat] [process-repeat]

Times are CPU seconds (user + system) of the process doing the work, not wall time: on a machine
shared with other jobs, wall time also counts the time a process waits for a core, which has
nothing to do with the interpreter. Every workload is single-threaded, so without contention
the two agree."""

import json
import platform
import re
import resource
import shlex
import subprocess
import sys
import sysconfig
import time
from collections import deque


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def calls():
    """Function calls: recursion, positional and keyword arguments, closures."""

    def add(a, b=1, *, c=0):
        return a + b + c

    total = 0
    for i in range(600000):
        total = add(total, i, c=1) & 0xFFFF
    return fib(27) + total


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Plain:
    def __init__(self, value):
        self.value = value

    @property
    def double(self):
        return self.value * 2


class Shape:
    def area(self):
        raise NotImplementedError


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side


class Circle(Shape):
    def __init__(self, radius):
        self.radius = radius

    def area(self):
        return 3.14159 * self.radius * self.radius


def attributes():
    """Attribute reads and writes: slots, instance dicts, properties."""
    total = 0
    points = [Point(i, i + 1) for i in range(1000)]
    plains = [Plain(i) for i in range(1000)]
    for _ in range(600):
        for p in points:
            total += p.x * p.y
        for q in plains:
            q.value += 1
            total += q.double
    return total


def classes():
    """Instantiation and method dispatch across a small class hierarchy."""
    total = 0.0
    for _ in range(60):
        shapes = [Square(i % 7) if i % 2 else Circle(i % 5) for i in range(5000)]
        for shape in shapes:
            total += shape.area()
    return total


def float_arithmetic():
    """A damped oscillator integrated in floats."""
    x, y, vx, vy = 0.0, 0.0, 1.0, 0.5
    for _ in range(1000000):
        ax, ay = -x * 0.001, -y * 0.001
        vx += ax
        vy += ay
        x += vx * 0.01
        y += vy * 0.01
    return x + y


def integer_arithmetic():
    """Small-int arithmetic and big-int multiplication, division and modulo."""
    total = 0
    for i in range(1000000):
        total = (total + i * i) % 1000003
    big = 1
    for i in range(1, 5000):
        big *= i
    return total + big % 1000003 + big.bit_length()


def strings():
    """Formatting, joining, splitting, searching and case changes."""
    count = 0
    for i in range(10000):
        line = f"{i:05d},name-{i},{i * 1.5:.2f}," + "x" * (i % 40)
        fields = line.split(",")
        count += len(",".join(reversed(fields)).upper())
        count += line.find("name") + line.count("x")
        count += len(line.replace("x", "yz").strip("y"))
    words = ["w%d" % i for i in range(5000)]
    for _ in range(100):
        text = " ".join(words)
        count += len(text.title().split())
    return count


PATTERN = re.compile(r"(\w+)@(\w+)\.(com|org|net)")


def regex():
    """Compiled-pattern search and substitution."""
    text = " ".join("user%d@host%d.%s" % (i, i, ("com", "org", "net")[i % 3]) for i in range(2000))
    found = 0
    for _ in range(60):
        found += len(PATTERN.findall(text))
        found += len(PATTERN.sub(r"\2", text[:20000]))
    return found


def json_round_trip():
    """json.dumps and json.loads of nested records."""
    data = {"items": [{"id": i, "name": "item %d" % i, "tags": ["a", "b", "c"], "price": i * 1.5} for i in range(500)]}
    for _ in range(120):
        data = json.loads(json.dumps(data))
    return len(data["items"])


def dicts_and_sets():
    """Dictionary counting, membership tests, set algebra."""
    words = ["w%d" % (i % 3000) for i in range(20000)]
    counts = {}
    total = 0
    for _ in range(20):
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        seen = set(words)
        other = {w for w in words[::3]}
        total += len(seen & other) + len(seen | other) + len(seen - other)
        total += sum(1 for w in words if w in other)
    return total + len(counts)


def generators():
    """Generators, comprehensions and builtins that consume them."""

    def evens(n):
        for i in range(n):
            if i % 2 == 0:
                yield i

    total = 0
    for _ in range(20):
        total += sum(evens(50000))
        total += len([i * i for i in range(50000) if i % 3])
        total += len({i: i for i in range(20000)})
        total += max(x + 1 for x in range(50000))
    return total


class Particle:
    def __init__(self, ident, x, y):
        self.ident = ident
        self.x = x
        self.y = y
        self.energy = 10
        self.neighbours = []


def simulation():
    """An object-heavy simulation: particles on a grid exchange energy with their neighbours."""
    size = 40
    grid = {}
    particles = []
    for ident in range(size * size):
        particle = Particle(ident, ident % size, ident // size)
        grid[(particle.x, particle.y)] = particle
        particles.append(particle)
    for particle in particles:
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            neighbour = grid.get((particle.x + dx, particle.y + dy))
            if neighbour is not None:
                particle.neighbours.append(neighbour)
    queue = deque(particles)
    steps = 0
    while queue and steps < 120000:
        particle = queue.popleft()
        steps += 1
        poorest = min(particle.neighbours, key=lambda other: other.energy)
        if particle.energy > poorest.energy + 1:
            particle.energy -= 1
            poorest.energy += 1
            queue.append(poorest)
        queue.append(particle)
    return sum(particle.energy for particle in particles)


WORKLOADS = [
    calls,
    attributes,
    classes,
    float_arithmetic,
    integer_arithmetic,
    strings,
    regex,
    json_round_trip,
    dicts_and_sets,
    generators,
    simulation,
]

# What a typical tool imports at start; each run is a fresh process, so nothing is cached in memory.
IMPORTS = "import argparse, asyncio, dataclasses, decimal, email.message, http.client, json, logging, typing"


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_seconds(arguments, repeat):
    """Fewest CPU seconds a fresh interpreter process running `arguments` used."""
    best = float("inf")
    for _ in range(repeat):
        start = children_cpu_seconds()
        subprocess.run([sys.executable, *arguments], check=True)
        best = min(best, children_cpu_seconds() - start)
    return best


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
    process_repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    # Once each before timing: the first run may write .pyc files the image did not ship.
    process_seconds(["-c", IMPORTS], 1)
    results = {}
    for workload in WORKLOADS:
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            workload()
            best = min(best, time.process_time() - start)
        results[workload.__name__] = best
    process = {
        "startup": process_seconds(["-c", "pass"], process_repeat),
        "import": process_seconds(["-c", IMPORTS], process_repeat),
    }
    config_args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    build = {
        "compiler": platform.python_compiler(),
        "sharedLibpython": loads_shared_libpython(),
        "enableOptimizations": "--enable-optimizations" in config_args,
        "withLto": "--with-lto" in config_args,
        # Compiler and linker flags given to configure for CPython's own build only.
        "nodistFlags": [arg for arg in shlex.split(config_args) if arg.startswith(("CFLAGS_NODIST=", "LDFLAGS_NODIST="))],
    }
    json.dump({"python": sys.version.split()[0], "build": build, "results": results, "process": process}, sys.stdout)


if __name__ == "__main__":
    main()
