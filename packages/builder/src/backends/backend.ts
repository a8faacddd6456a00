import type { Arch, BuildBase, Logger } from '@cpython-prebuilt/core';
import type { BuildRoute } from '../cross.ts';

/** What every build environment receives: the same in-guest script and env contract. */
export interface GuestBuildRequest {
  base: BuildBase;
  /** Architecture of the binaries to build (the environment runs it natively or under emulation). */
  arch: Arch;
  /** native; cross: a cross compiler in the host's architecture (CROSS_HOST in env); emulated: qemu-user-static. */
  route: BuildRoute;
  /** Image (Docker) or box (Vagrant) reference the environment starts from. */
  baseImage: string;
  /** GCC 14's image from prepareGcc14Image: the build compiles with it inside the build base (docker only). */
  gcc14Image?: string;
  /** Verified source tarball on the host. */
  sourcePath: string;
  /** Verified source tarballs of the pinned libraries on the host (LIBRARIES, filled by the backend). */
  libraries: GuestLibrary[];
  /** Host folder that keeps finished library builds between builds (LIBRARIES_CACHE_DIR). */
  librariesCacheDir?: string;
  /** build_cpython.sh's env contract; SOURCE_TARBALL, LIBRARIES and OUTPUT_DIR are filled by the backend. */
  env: Record<string, string>;
  /** Host directory that receives python-<version>/, build-facts.json and phases.txt. */
  outputDir: string;
  logPath: string;
  logger: Logger;
}

export interface GuestLibrary {
  name: string;
  version: string;
  path: string;
}

/** build_libraries.sh's LIBRARIES: name=version=<the tarball where the guest sees it>. */
export function librariesEnv(libraries: GuestLibrary[], guestPathOf: (library: GuestLibrary) => string): string {
  return libraries.map((library) => `${library.name}=${library.version}=${guestPathOf(library)}`).join(' ');
}

export interface BuildBackend {
  readonly name: 'docker' | 'vagrant';
  /** Fails early, with what to install, when the backend cannot run here. */
  ensureAvailable(): Promise<void>;
  build(request: GuestBuildRequest): Promise<void>;
}

/** Seconds between two heartbeats of a long phase (CPYTHON_PREBUILT_HEARTBEAT_S overrides 30). */
export function heartbeatSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.CPYTHON_PREBUILT_HEARTBEAT_S);
  return Number.isFinite(given) && given > 0 ? given : 30;
}

export interface PhaseReporter {
  onLine: (line: string) => void;
  /** Stops the heartbeat (call when the script ends, however it ends). */
  stop: () => void;
}

/**
 * Build scripts print "==> phase: <name>"; the host shows those and keeps the rest in the log.
 * While a phase runs, a heartbeat every heartbeatSeconds() says which phase, for how long, and the
 * log's last line: a compile or a training run prints nothing to the terminal for half an hour
 * otherwise, and looks hung (in CI logs too).
 */
export function phaseReporter(logger: Logger, intervalSeconds = heartbeatSeconds()): PhaseReporter {
  let phase = 'starting';
  let phaseStarted = Date.now();
  let lastLine = '';
  const timer = setInterval(() => {
    const elapsed = Math.round((Date.now() - phaseStarted) / 1000);
    const line = lastLine.length > 160 ? `${lastLine.slice(0, 157)}...` : lastLine;
    logger.info(`... ${phase}: ${Math.floor(elapsed / 60)} min ${elapsed % 60} s${line ? `; last log line: ${line}` : ''}`);
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    onLine: (line) => {
      const trimmed = line.trim();
      const match = /^==> phase: (.+)$/.exec(trimmed);
      if (match?.[1]) {
        phase = match[1];
        phaseStarted = Date.now();
        logger.phase(`build phase: ${match[1]}`);
      } else if (trimmed) {
        lastLine = trimmed;
      }
    },
    stop: () => clearInterval(timer),
  };
}

/** Single-quotes a value for the guest's sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * The shell command that runs build_cpython.sh (or another of the scripts) from a copy of `scriptsDir` taken as the build
 * starts. bash reads a script while it runs it, so editing the repository (or checking out another
 * commit) during an 18-minute build would otherwise change the build in progress, or break it with
 * a syntax error half-way: the build runs the scripts it started with.
 */
export function buildScriptCommand(scriptsDir: string, script = 'build_cpython.sh'): string {
  return [
    'scripts="$(mktemp -d)"',
    `cp -R ${shellQuote(scriptsDir)}/. "$scripts"/`,
    `{ bash "$scripts/"${shellQuote(script)}; status=$?; rm -rf "$scripts"; exit "$status"; }`,
  ].join(' && ');
}
