import type { WriteStream } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import {
  type BuildBase,
  CpythonPrebuiltError,
  formatGib,
  hostArch,
  type Logger,
  lastLines,
  layout,
  openLogFile,
  run,
} from '@cpython-prebuilt/core';
import { extract } from 'tar';
import { dockerEnv, ensureDocker } from '../docker-images.ts';
import {
  type BuildBackend,
  buildScriptCommand,
  type GuestBuildRequest,
  librariesEnv,
  phaseReporter,
  shellQuote,
} from './backend.ts';

/** The machine name of the procedure's Vagrantfile. */
export const VAGRANT_MACHINE = 'iact-cpython-builder';
export const vagrantProviders = ['virtualbox', 'libvirt', 'docker'] as const;
export type VagrantProvider = (typeof vagrantProviders)[number];

/** Vagrant's own variable picks the provider when no flag does; VirtualBox otherwise, as the procedure. */
export function defaultVagrantProvider(): VagrantProvider {
  const fromEnvironment = process.env.VAGRANT_DEFAULT_PROVIDER;
  return vagrantProviders.find((provider) => provider === fromEnvironment) ?? 'virtualbox';
}

export interface VagrantMachineOptions {
  provider: VagrantProvider;
  base: BuildBase;
  /** Image the docker provider starts from; the base's own when omitted. */
  baseImage?: string;
  /** Box for virtualbox/libvirt; the base's vagrantBox when omitted. */
  box?: string;
  /** Host folder shared with the guest as /cache (sources and work directories live there). */
  cacheDir: string;
  /** Folder holding the Vagrantfile (shared as /vagrant). */
  vagrantDir: string;
}

const GUEST_CACHE = '/cache';
const GUEST_VAGRANT = '/vagrant';
/** The guest's outputs, handed to the host as one file in the shared cache folder. */
const GUEST_OUTPUT_TAR = 'guest-output.tar';
const MIN_GUEST_FREE_BYTES = 10 * 1024 ** 3;

/** Whether a program is installed and answers; never throws. */
async function commandWorks(file: string, args: string[]): Promise<boolean> {
  const result = await run(file, args, { allowExitCodes: [1, 127] }).catch(() => undefined);
  return result?.exitCode === 0;
}

/** The last lines vagrant wrote to stderr before failing (its reason), from a failed run's error. */
export function vagrantStderr(error: unknown, lines = 8): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const stderr = typeof cause === 'object' && cause !== null && 'stderr' in cause ? String(cause.stderr) : '';
  return lastLines(stderr, lines);
}

const troubleshoot = (vagrantDir: string) =>
  `cd ${vagrantDir} && vagrant up --debug (its output names the failing step); vagrant destroy -f starts over`;

/** Vagrant and the provider are installed; fails with what to install otherwise. Needs no machine. */
export async function ensureVagrant(provider: VagrantProvider): Promise<void> {
  if (!(await commandWorks('vagrant', ['--version']))) {
    throw new CpythonPrebuiltError('VAGRANT_UNAVAILABLE', 'Vagrant is not installed (`vagrant --version` failed)', {
      fix: 'install it (Debian/Ubuntu: sudo apt-get install vagrant openssh-client; others: https://developer.hashicorp.com/vagrant/install), or use --backend docker',
    });
  }
  if (provider === 'docker') {
    await ensureDocker();
    return;
  }
  if (provider === 'virtualbox') {
    if (!(await commandWorks('VBoxManage', ['--version']))) {
      throw new CpythonPrebuiltError(
        'VAGRANT_UNAVAILABLE',
        'the virtualbox provider needs VirtualBox (`VBoxManage --version` failed)',
        {
          fix: 'install VirtualBox (https://www.virtualbox.org/wiki/Downloads), or pick another provider: --vagrant-provider docker|libvirt (VAGRANT_PROVIDER= for make)',
        },
      );
    }
    return;
  }
  const plugins = await run('vagrant', ['plugin', 'list'], { env: { VAGRANT_CHECKPOINT_DISABLE: '1' } });
  if (!plugins.stdout.includes('vagrant-libvirt')) {
    throw new CpythonPrebuiltError('VAGRANT_UNAVAILABLE', 'the libvirt provider needs the vagrant-libvirt plugin', {
      fix: 'install it (Debian: sudo apt-get install vagrant-libvirt libvirt-daemon-system; others: vagrant plugin install vagrant-libvirt)',
    });
  }
}

/** The procedure's builder VM, driven through the vagrant command with the repository's Vagrantfile. */
export class VagrantMachine {
  constructor(readonly options: VagrantMachineOptions) {}

  /** The Vagrantfile's inputs; also saved for plain `vagrant ...` commands run in its folder. */
  private get settings(): Record<string, string> {
    const { options } = this;
    return {
      CPYTHON_BUILDER_BASE: options.base.id,
      CPYTHON_BUILDER_CACHE: options.cacheDir,
      ...(options.baseImage ? { CPYTHON_BUILDER_BASE_IMAGE: options.baseImage } : {}),
      ...(options.box ? { CPYTHON_BUILDER_BOX: options.box } : {}),
    };
  }

  private get env(): Record<string, string> {
    // No version check against HashiCorp's servers: builds must not wait on the internet.
    return { ...dockerEnv, VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_CWD: this.options.vagrantDir, ...this.settings };
  }

  private vagrant(args: string[], log?: WriteStream, logPath?: string, onLine?: (line: string) => void) {
    return run('vagrant', args, { cwd: this.options.vagrantDir, env: this.env, log, logPath, onLine });
  }

  async ensureAvailable(): Promise<void> {
    await ensureVagrant(this.options.provider);
  }

  /** Vagrant's machine state: not_created, running, poweroff, stopped, ... */
  async state(): Promise<string> {
    const status = await this.vagrant(['status', VAGRANT_MACHINE, '--machine-readable']);
    const line = status.stdout.split('\n').find((entry) => entry.split(',')[2] === 'state');
    return line?.split(',')[3]?.trim() ?? 'unknown';
  }

  async up(logger: Logger, logPath: string): Promise<void> {
    await this.ensureAvailable();
    // Saved when the machine is made: an existing one keeps what it was made with.
    if ((await this.state()) === 'not_created') {
      const settingsDir = join(this.options.vagrantDir, '.vagrant');
      await mkdir(settingsDir, { recursive: true });
      await writeFile(join(settingsDir, 'cpython-builder.json'), `${JSON.stringify(this.settings, null, 2)}\n`);
    }
    logger.phase(`vagrant up ${VAGRANT_MACHINE} --provider=${this.options.provider} (${this.options.base.id}); log: ${logPath}`);
    const log = openLogFile(logPath);
    try {
      await this.vagrant(['up', VAGRANT_MACHINE, `--provider=${this.options.provider}`], log, logPath, (line) => {
        if (/^==> /.test(line)) logger.progress(line.trim());
      });
    } catch (error) {
      const said = vagrantStderr(error);
      throw new CpythonPrebuiltError(
        'VAGRANT_FAILED',
        `the builder VM ${VAGRANT_MACHINE} did not come up${said ? `; vagrant said:\n${said}` : ''}`,
        {
          fix: troubleshoot(this.options.vagrantDir),
          logPath,
          cause: error,
        },
      );
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
    await this.requireBase();
  }

  async halt(): Promise<void> {
    await this.vagrant(['halt', VAGRANT_MACHINE]);
  }

  async destroy(): Promise<void> {
    await this.vagrant(['destroy', '-f', VAGRANT_MACHINE]);
  }

  /** Runs a command in the guest as the vagrant user; output to the log. */
  async ssh(command: string, options: { log?: WriteStream; logPath?: string; onLine?: (line: string) => void } = {}) {
    return this.vagrant(['ssh', VAGRANT_MACHINE, '--no-tty', '-c', command], options.log, options.logPath, options.onLine);
  }

  /** A machine made for another base would build a different artifact under the asked name. */
  private async requireBase(): Promise<void> {
    const release = await this.ssh('. /etc/os-release && printf "%s %s" "$ID" "$VERSION_CODENAME"');
    const [distribution, codename] = release.stdout.trim().split(' ');
    const { base } = this.options;
    if (distribution !== base.distribution || codename !== base.codename) {
      throw new CpythonPrebuiltError(
        'VAGRANT_FAILED',
        `the builder VM runs ${distribution} ${codename}, but base ${base.id} (${base.distribution} ${base.codename}) was asked`,
        { fix: `recreate it for this base: make vagrant-cpython-destroy, then build again (or pass the base it was made for)` },
      );
    }
  }

  /** The guest's free space where the build runs (the procedure asks for 10 GB). */
  async requireGuestDisk(minFreeBytes = MIN_GUEST_FREE_BYTES): Promise<void> {
    const df = await this.ssh("df -Pk /tmp | awk 'NR==2 {print $4}'");
    const free = Number(df.stdout.trim()) * 1024;
    if (!(free >= minFreeBytes)) {
      throw new CpythonPrebuiltError(
        'NOT_ENOUGH_DISK',
        `the builder VM has ${formatGib(free)} free under /tmp, the build needs ${formatGib(minFreeBytes)}`,
        {
          fix: 'free space in the guest (vagrant ssh), or give it a bigger disk; make vagrant-cpython-destroy then up starts clean',
        },
      );
    }
  }

  /** Where a host path under the shared cache folder is seen in the guest. */
  guestPath(hostPath: string): string | undefined {
    const inside = relative(this.options.cacheDir, hostPath);
    if (inside.startsWith('..') || isAbsolute(inside)) return undefined;
    return `${GUEST_CACHE}/${inside.split('\\').join('/')}`;
  }
}

/** Builds in the procedure's Vagrant VM, with the same in-guest script and env contract as Docker. */
export class VagrantBackend implements BuildBackend {
  readonly name = 'vagrant' as const;

  constructor(
    private readonly provider: VagrantProvider,
    private readonly cacheDir: string = layout.cacheDir,
  ) {}

  machine(base: BuildBase, baseImage?: string): VagrantMachine {
    // The base's default image means "no override": the docker provider then uses it too.
    return new VagrantMachine({
      provider: this.provider,
      base,
      baseImage: baseImage && baseImage !== base.image ? baseImage : undefined,
      cacheDir: this.cacheDir,
      vagrantDir: layout.vagrantDir,
    });
  }

  async ensureAvailable(): Promise<void> {
    await ensureVagrant(this.provider);
  }

  async build(request: GuestBuildRequest): Promise<void> {
    if (request.arch !== hostArch()) {
      // The procedure's boxes are x86_64 VMs; emulating another architecture is the Docker backend's job.
      throw new CpythonPrebuiltError(
        'INVALID_INPUT',
        `the vagrant backend builds for the host's ${hostArch()} only, not ${request.arch}`,
        {
          fix: `use --backend docker (BACKEND=docker), which cross-compiles (or emulates, with --emulate), or build on an ${request.arch} host`,
        },
      );
    }
    const machine = this.machine(request.base, request.baseImage);
    // `vagrant up` of a running machine is quick and still checks it matches the base.
    await machine.up(request.logger, request.logPath);
    await machine.requireGuestDisk();

    // A tarball outside the shared folder (a --source elsewhere) is copied in, beside the build's outputs.
    const guestFile = async (path: string): Promise<string | undefined> => {
      const shared = machine.guestPath(path);
      if (shared) return shared;
      const staged = join(request.outputDir, '.source', basename(path));
      await mkdir(join(request.outputDir, '.source'), { recursive: true });
      await copyFile(path, staged);
      return machine.guestPath(staged);
    };
    const guestSource = await guestFile(request.sourcePath);
    const guestLibraries = new Map<string, string>();
    for (const library of request.libraries) guestLibraries.set(library.path, (await guestFile(library.path)) ?? library.path);
    const guestLibrariesCache = request.librariesCacheDir ? machine.guestPath(request.librariesCacheDir) : undefined;
    const guestHandoff = machine.guestPath(join(request.outputDir, GUEST_OUTPUT_TAR));
    if (!guestSource || !guestHandoff) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `${request.outputDir} is not under ${this.cacheDir}, shared as /cache`, {
        fix: 'keep CPYTHON_PREBUILT_CACHE the folder the Vagrantfile shares (CPYTHON_BUILDER_CACHE)',
      });
    }
    // The tree is built on the guest's own disk and crosses the shared folder as one tar file:
    // VirtualBox shared folders refuse symlinks, and files a guest root writes into a bind
    // mount would belong to root on the host.
    const guestOutput = `/tmp/cpython-output-${basename(request.outputDir)}`;
    const env = {
      ...request.env,
      SOURCE_TARBALL: guestSource,
      LIBRARIES: librariesEnv(request.libraries, (library) => guestLibraries.get(library.path) ?? library.path),
      ...(guestLibrariesCache ? { LIBRARIES_CACHE_DIR: guestLibrariesCache } : {}),
      OUTPUT_DIR: guestOutput,
    };
    const assignments = Object.entries(env).map(([key, value]) => `${key}=${shellQuote(value)}`);
    const command = [
      'set -e',
      `sudo rm -rf ${shellQuote(guestOutput)}`,
      // Root in the guest: the prefix is /opt/python-<version>, as in the container.
      `sudo env ${assignments.join(' ')} bash -c ${shellQuote(buildScriptCommand(`${GUEST_VAGRANT}/scripts`))}`,
      `sudo tar -C ${shellQuote(guestOutput)} -cf ${shellQuote(guestHandoff)} .`,
      `sudo rm -rf ${shellQuote(guestOutput)}`,
    ].join('\n');
    const log = openLogFile(request.logPath);
    try {
      log.write(`# vagrant ssh ${VAGRANT_MACHINE} -c: ${command}\n`);
      const reporter = phaseReporter(request.logger);
      try {
        await machine.ssh(command, { log, logPath: request.logPath, onLine: reporter.onLine });
      } finally {
        reporter.stop();
      }
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
    const handoff = join(request.outputDir, GUEST_OUTPUT_TAR);
    await extract({ file: handoff, cwd: request.outputDir, preserveOwner: false });
    await rm(handoff, { force: true });
  }
}
