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
  /** Verified source tarball on the host. */
  sourcePath: string;
  /** build_cpython.sh's env contract; SOURCE_TARBALL and OUTPUT_DIR are filled by the backend. */
  env: Record<string, string>;
  /** Host directory that receives python-<version>/, build-facts.json and phases.txt. */
  outputDir: string;
  logPath: string;
  logger: Logger;
}

export interface BuildBackend {
  readonly name: 'docker' | 'vagrant';
  /** Fails early, with what to install, when the backend cannot run here. */
  ensureAvailable(): Promise<void>;
  build(request: GuestBuildRequest): Promise<void>;
}

/** Build scripts print "==> phase: <name>"; the host shows those and keeps the rest in the log. */
export function phaseReporter(logger: Logger): (line: string) => void {
  return (line) => {
    const match = /^==> phase: (.+)$/.exec(line.trim());
    if (match?.[1]) logger.phase(`build phase: ${match[1]}`);
  };
}
