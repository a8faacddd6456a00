import { join } from 'node:path';
import {
  defaultVagrantProvider,
  VAGRANT_MACHINE,
  VagrantMachine,
  type VagrantProvider,
  vagrantProviders,
} from '@cpython-prebuilt/builder';
import { buildBases, createLogger, DEFAULT_BUILD_BASE, findBase, layout } from '@cpython-prebuilt/core';
import { type Command, Option } from 'commander';

interface VagrantFlags {
  provider: VagrantProvider;
  base: string;
  baseImage?: string;
  box?: string;
}

function machineFromFlags(flags: VagrantFlags): VagrantMachine {
  return new VagrantMachine({
    provider: flags.provider,
    base: findBase(flags.base),
    baseImage: flags.baseImage,
    box: flags.box,
    cacheDir: layout.cacheDir,
    vagrantDir: layout.vagrantDir,
  });
}

function machineOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--provider <name>', 'Vagrant provider (default: VAGRANT_DEFAULT_PROVIDER, else virtualbox)')
        .choices(vagrantProviders)
        .default(defaultVagrantProvider()),
    )
    .addOption(
      new Option('--base <id>', 'build base the VM runs').choices(buildBases.map((base) => base.id)).default(DEFAULT_BUILD_BASE),
    )
    .option('--base-image <ref>', "docker provider: image to start from instead of the base's own")
    .option('--box <name>', "virtualbox/libvirt: box instead of the base's own");
}

/** The procedure's make vagrant-cpython-up|halt|destroy, with clear errors instead of Vagrant's. */
export function vagrantCommand(program: Command): void {
  const vagrant = program
    .command('vagrant')
    .description(`the builder VM ${VAGRANT_MACHINE} (infrastructure/cpython/Vagrantfile)`);
  machineOptions(vagrant.command('up').description('create or start the builder VM and provision its build packages')).action(
    async (flags: VagrantFlags) => {
      const logger = createLogger('vagrant');
      const machine = machineFromFlags(flags);
      await machine.up(logger, join(layout.logsDir, 'vagrant-up.log'));
      await machine.requireGuestDisk();
      logger.info(`${VAGRANT_MACHINE} is running (${flags.provider}, ${flags.base}); vagrant ssh from ${layout.vagrantDir}`);
    },
  );
  machineOptions(vagrant.command('halt').description('stop the builder VM (its disk stays)')).action(
    async (flags: VagrantFlags) => {
      await machineFromFlags(flags).halt();
    },
  );
  machineOptions(vagrant.command('destroy').description('delete the builder VM and its disk')).action(
    async (flags: VagrantFlags) => {
      await machineFromFlags(flags).destroy();
    },
  );
  machineOptions(vagrant.command('status').description("print the builder VM's state")).action(async (flags: VagrantFlags) => {
    process.stdout.write(`${await machineFromFlags(flags).state()}\n`);
  });
}
