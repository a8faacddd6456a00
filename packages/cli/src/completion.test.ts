import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createProgram } from './cli.ts';
import { completionScript } from './completion.ts';

/** What bash's completion offers after `words` (the last one is being typed), with the generated script loaded. */
function bashOffers(words: string[]): string[] {
  const script = completionScript(createProgram(), 'bash');
  const probe = `${script}\nCOMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}\n_cpython_prebuilt\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', probe], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('shell completion, generated from the commands', () => {
  it('bash completes commands, subcommands, options and their fixed values where the cursor is', () => {
    expect(bashOffers(['cpython-prebuilt', 'bu'])).toEqual(['build', 'build-budget']);
    expect(bashOffers(['cpython-prebuilt', 'build', '--base', 'debian1'])).toEqual(['debian11', 'debian12', 'debian13']);
    // An option's value is not taken for a command.
    expect(bashOffers(['cpython-prebuilt', 'build', '--version', '3.13', '--pgo'])).toEqual(['--pgo-training']);
    expect(bashOffers(['cpython-prebuilt', '-v', 'keys', 'cr'])).toEqual(['create']);
    expect(bashOffers(['cpython-prebuilt', 'versions', 'check', '--so'])).toEqual(['--source']);
    expect(bashOffers(['cpython-prebuilt', 'completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
  });

  it('follows the commands as they are: a new option shows up without editing a script', () => {
    const program = createProgram();
    program.commands.find((command) => command.name() === 'validate')?.option('--brand-new <x>', 'just added');
    expect(completionScript(program, 'bash')).toContain('--brand-new');
    expect(completionScript(program, 'fish')).toContain("-l brand-new -r -F -d 'just added'");
  });

  it('zsh loads the same completion through bashcompinit; fish gets one complete line per command and option', () => {
    const zsh = completionScript(createProgram(), 'zsh');
    expect(zsh.startsWith('#compdef cpython-prebuilt\n')).toBe(true);
    expect(zsh).toContain('autoload -U +X bashcompinit && bashcompinit');
    expect(zsh).toContain('complete -o default -F _cpython_prebuilt cpython-prebuilt');
    const fish = completionScript(createProgram(), 'fish').split('\n');
    expect(
      fish.some((line) => line.startsWith("complete -c cpython-prebuilt -n '__fish_use_subcommand' -a build -d 'build a")),
    ).toBe(true);
    expect(fish.some((line) => line.includes("__fish_seen_subcommand_from build' -l base -x -a 'ubuntu20.04"))).toBe(true);
    expect(fish.filter(Boolean).every((line) => line.startsWith('#') || line.startsWith('complete -c cpython-prebuilt '))).toBe(
      true,
    );
  });
});
