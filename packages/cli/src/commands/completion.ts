import { Argument, type Command } from 'commander';
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from '../completion.ts';

export function completionCommand(program: Command): void {
  program
    .command('completion')
    .description(
      'print a shell completion script made from these commands: eval "$(cpython-prebuilt completion bash)" in ~/.bashrc (zsh: the same with zsh, in ~/.zshrc); fish: cpython-prebuilt completion fish > ~/.config/fish/completions/cpython-prebuilt.fish',
    )
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      process.stdout.write(completionScript(program, shell));
    });
}
