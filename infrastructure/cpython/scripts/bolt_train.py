"""Runs one BOLT training command with the instrumented interpreter and keeps its profile bounded.

Every instrumented process that exits normally dumps its whole counter table into
`<prefix>.<pid>.fdata` (llvm-bolt -instrumentation-file-append-pid); a forked child that exits
normally dumps one too, with its parent's counts in it. A test suite starts thousands of such
processes, and a process whose runtime goes wrong can write without end (issue: one file grew to
41 GB under test_concurrent_futures). So while the command runs, every few seconds:

- a finished process's file (its pid gone) is merged into the one merged profile (merge-fdata)
  and deleted, so the folder holds the merged profile plus the files of live processes;
- a file over --file-limit-mb is discarded and the processes writing it are killed;
- the folder over --total-limit-mb, or free disk under --min-free-mb, stops the training: the
  command's process group is killed and this exits 4 with the numbers.

Runs under the staged, uninstrumented interpreter with -I -B (nothing written into its tree).
Usage: bolt_train.py --profile-dir D --prefix P --merged F --report R --merge-fdata M [--repeat N]
           [--file-limit-mb N] [--total-limit-mb N] [--min-free-mb N] [--poll-seconds S] -- command...
Exit status: the command's (of its last repeat), or 4 when a limit stopped the training.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

MIB = 1024 * 1024


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bolt_train.py")
    parser.add_argument("--profile-dir", required=True)
    parser.add_argument("--prefix", required=True, help="the -instrumentation-file given to llvm-bolt")
    parser.add_argument("--merged", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--merge-fdata", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--file-limit-mb", type=int, default=128)
    parser.add_argument("--total-limit-mb", type=int, default=768)
    parser.add_argument("--min-free-mb", type=int, default=2048)
    parser.add_argument("--poll-seconds", type=float, default=2.0)
    # A training command that runs longer (an instrumented process that hangs, e.g. a forked child
    # whose BOLT runtime ran out of memory, with its parent waiting on it) is stopped; the profile
    # merged so far is kept and the report records it (timedOutSeconds).
    parser.add_argument("--time-limit-s", type=int, default=2400)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    # /proc/<pid>/fd links are absolute: compare like with like.
    args.profile_dir = os.path.abspath(args.profile_dir)
    return args


class LimitExceeded(Exception):
    pass


class Profiles:
    """The profile folder: merges finished files, discards runaway ones, measures the folder."""

    def __init__(self, args):
        self.args = args
        self.stem = os.path.basename(args.prefix) + "."
        self.report = {"merged": 0, "discarded": [], "peakFolderBytes": 0, "mergedBytes": 0}
        if os.path.exists(args.report):
            with open(args.report, encoding="utf-8") as stream:
                self.report.update(json.load(stream))

    def files(self):
        """(path, pid, size) of each per-process profile now in the folder."""
        found = []
        for name in os.listdir(self.args.profile_dir):
            if not (name.startswith(self.stem) and name.endswith(".fdata")):
                continue
            pid = name[len(self.stem) : -len(".fdata")]
            if not pid.isdigit():
                continue
            path = os.path.join(self.args.profile_dir, name)
            try:
                found.append((path, int(pid), os.stat(path).st_size))
            except FileNotFoundError:
                pass
        return found

    def folder_bytes(self):
        total = 0
        for name in os.listdir(self.args.profile_dir):
            try:
                total += os.lstat(os.path.join(self.args.profile_dir, name)).st_size
            except FileNotFoundError:
                pass
        self.report["peakFolderBytes"] = max(self.report["peakFolderBytes"], total)
        return total

    def discard(self, path, pid, size, reason):
        for writer in writers_of(path) | {pid}:
            try:
                os.kill(writer, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.report["discarded"].append({"file": os.path.basename(path), "bytes": size, "reason": reason})
        print(f"bolt_train: discarded {os.path.basename(path)} ({size // MIB} MiB): {reason}", file=sys.stderr)

    def merge(self, paths):
        """Folds finished profiles into the merged one; a file merge-fdata cannot read is discarded alone."""
        if not paths:
            return
        inputs = ([self.args.merged] if os.path.exists(self.args.merged) else []) + paths
        if self._merge_into(inputs):
            self.report["merged"] += len(paths)
        elif len(paths) > 1:
            for path in paths:
                self.merge([path])
            return
        else:
            self.report["discarded"].append(
                {"file": os.path.basename(paths[0]), "bytes": os.path.getsize(paths[0]), "reason": "merge-fdata cannot read it"}
            )
        for path in paths:
            os.unlink(path)
        self.report["mergedBytes"] = os.path.getsize(self.args.merged) if os.path.exists(self.args.merged) else 0

    def _merge_into(self, inputs):
        partial = self.args.merged + ".part"
        with open(partial, "wb") as output:
            completed = subprocess.run([self.args.merge_fdata, *inputs], stdout=output, stderr=subprocess.DEVNULL, check=False)
        if completed.returncode != 0 or os.path.getsize(partial) == 0:
            os.unlink(partial)
            return False
        os.replace(partial, self.args.merged)
        return True

    def sweep(self, final=False):
        """One pass; final: every process is gone, so every file left is finished."""
        finished = []
        for path, pid, size in self.files():
            if size > self.args.file_limit_mb * MIB:
                self.discard(path, pid, size, f"over the {self.args.file_limit_mb} MiB limit for one process's profile")
            elif final or not alive(pid):
                finished.append(path)
        self.merge(finished)
        total = self.folder_bytes()
        if total > self.args.total_limit_mb * MIB:
            raise LimitExceeded(
                f"the profile folder {self.args.profile_dir} holds {total // MIB} MiB, over the {self.args.total_limit_mb} MiB limit"
            )
        free = shutil.disk_usage(self.args.profile_dir).free
        if free < self.args.min_free_mb * MIB:
            raise LimitExceeded(
                f"{free // MIB} MiB free under {self.args.profile_dir}, under the {self.args.min_free_mb} MiB the rest of the build needs"
            )

    def save(self):
        with open(self.args.report + ".part", "w", encoding="utf-8") as stream:
            json.dump(self.report, stream, indent=2)
        os.replace(self.args.report + ".part", self.args.report)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def writers_of(path):
    """Pids of the processes that hold `path` open (a forked child shares its parent's descriptors)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fd_dir = f"/proc/{entry}/fd"
        try:
            for fd in os.listdir(fd_dir):
                if os.readlink(f"{fd_dir}/{fd}") == path:
                    pids.add(int(entry))
                    break
        except OSError:
            pass
    return pids


def kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_once(command, profiles):
    # Its own process group: what the command leaves running (a hung test's children) is killed
    # with it, so no process keeps writing after the training.
    process = subprocess.Popen(command, start_new_session=True)
    started = time.monotonic()
    try:
        while True:
            try:
                process.wait(timeout=profiles.args.poll_seconds)
                break
            except subprocess.TimeoutExpired:
                profiles.sweep()
                if time.monotonic() - started > profiles.args.time_limit_s:
                    kill_group(process)
                    process.wait()
                    profiles.report["timedOutSeconds"] = profiles.args.time_limit_s
                    print(
                        f"warning: BOLT training ran over its {profiles.args.time_limit_s} s limit: stopped, "
                        f"the profile merged so far is kept ({' '.join(command)})",
                        file=sys.stderr,
                    )
                    return 0
    except LimitExceeded:
        kill_group(process)
        process.wait()
        raise
    kill_group(process)
    return process.returncode


def main(argv):
    args = parse_args(argv)
    profiles = Profiles(args)
    status = 0
    try:
        for _ in range(args.repeat):
            status = run_once(args.command, profiles)
        profiles.sweep(final=True)
    except LimitExceeded as error:
        profiles.save()
        print(f"error: BOLT training stopped: {error}", file=sys.stderr)
        print(f"  what ran: {' '.join(args.command)}; report: {args.report}", file=sys.stderr)
        return 4
    profiles.save()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
