import type { Command, Option } from 'commander';

/** The shells `cpython-prebuilt completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const NAME = 'cpython-prebuilt';

/** One command as completion sees it: its path (`keys create`), options, and subcommands. */
interface CommandShape {
  path: string[];
  description: string;
  options: { flags: string[]; description: string; takesValue: boolean; choices: string[] }[];
  children: CommandShape[];
  /** The values its arguments can take, where they are a fixed list. */
  argumentChoices: string[];
}

function optionShape(option: Option) {
  return {
    flags: [option.long, option.short].filter((flag): flag is string => Boolean(flag)),
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
  };
}

function shapeOf(command: Command, path: string[]): CommandShape {
  return {
    path,
    description: command.description(),
    // What --help lists: the command's own options, --help, and the program's --version.
    options: command.createHelp().visibleOptions(command).map(optionShape),
    children: command.commands.map((child) => shapeOf(child, [...path, child.name()])),
    argumentChoices: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
  };
}

function flatten(shape: CommandShape): CommandShape[] {
  return [shape, ...shape.children.flatMap(flatten)];
}

/** A word list for bash's compgen -W, shell-quoted. */
const words = (list: string[]) => `'${list.join(' ').replaceAll("'", '')}'`;

function bashScript(root: CommandShape): string {
  const cases = flatten(root)
    .filter((shape) => shape.path.length > 0)
    .map((shape) => {
      const valued = shape.options.filter((option) => option.takesValue);
      const choiceCases = valued
        .filter((option) => option.choices.length > 0)
        .map(
          (option) =>
            `        ${option.flags.join('|')}) COMPREPLY=($(compgen -W ${words(option.choices)} -- "$cur")); return ;;`,
        );
      // An option that takes a free value (a path, a version) completes files.
      const freeValue = valued.filter((option) => option.choices.length === 0).flatMap((option) => option.flags);
      const lines = [`    '${shape.path.join(' ')}')`, '      case "$prev" in', ...choiceCases];
      if (freeValue.length > 0) lines.push(`        ${freeValue.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
      lines.push('      esac');
      const subcommands = shape.children.map((child) => child.path.at(-1) as string);
      lines.push(
        `      COMPREPLY=($(compgen -W ${words([...subcommands, ...shape.argumentChoices, ...shape.options.flatMap((option) => option.flags)])} -- "$cur"))`,
        '      ;;',
      );
      return lines.join('\n');
    });
  const nested = flatten(root)
    .filter((shape) => shape.children.length > 0 && shape.path.length > 0)
    .map((shape) => `'${shape.path.join(' ')}'`);
  return `# bash completion for ${NAME}, generated from its commands (${NAME} completion bash).
_cpython_prebuilt() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i=1
  # The command path: the words before the cursor that are not options or option values.
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      -*) ;;
      *) if [ -z "$path" ]; then path="$word"
        else case "$path" in ${nested.length > 0 ? nested.join('|') : "''"}) path="$path $word" ;; esac
        fi ;;
    esac
    i=$((i + 1))
  done
  case "$path" in
    '')
      COMPREPLY=($(compgen -W ${words([...root.children.map((child) => child.path[0] as string), ...root.options.flatMap((option) => option.flags)])} -- "$cur"))
      ;;
${cases.join('\n')}
  esac
}
complete -o default -F _cpython_prebuilt ${NAME}
`;
}

function zshScript(root: CommandShape): string {
  // zsh runs bash completions through bashcompinit: one script, the same behaviour.
  return `#compdef ${NAME}
# zsh completion for ${NAME}, generated from its commands (${NAME} completion zsh).
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`;
}

/** fish quotes: single quotes, with \\ and ' escaped. */
const fishQuote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function fishScript(root: CommandShape): string {
  const lines = [
    `# fish completion for ${NAME}, generated from its commands (${NAME} completion fish).`,
    `complete -c ${NAME} -f`,
  ];
  for (const shape of flatten(root)) {
    const condition =
      shape.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${shape.path.at(-1)}${shape.path.length > 1 ? `; and __fish_seen_subcommand_from ${shape.path.at(-2)}` : ''}`;
    for (const child of shape.children) {
      const childCondition =
        shape.path.length === 0
          ? '__fish_use_subcommand'
          : `__fish_seen_subcommand_from ${shape.path.at(-1)}; and not __fish_seen_subcommand_from ${shape.children.map((c) => c.path.at(-1)).join(' ')}`;
      lines.push(
        `complete -c ${NAME} -n ${fishQuote(childCondition)} -a ${child.path.at(-1)} -d ${fishQuote(child.description)}`,
      );
    }
    if (shape.argumentChoices.length > 0) {
      lines.push(`complete -c ${NAME} -n ${fishQuote(condition)} -a ${fishQuote(shape.argumentChoices.join(' '))}`);
    }
    for (const option of shape.options) {
      const long = option.flags.find((flag) => flag.startsWith('--'))?.slice(2);
      const short = option.flags.find((flag) => /^-[^-]$/.test(flag))?.slice(1);
      const parts = [`complete -c ${NAME} -n ${fishQuote(condition)}`];
      if (long) parts.push(`-l ${long}`);
      if (short) parts.push(`-s ${short}`);
      if (option.takesValue) parts.push(option.choices.length > 0 ? `-x -a ${fishQuote(option.choices.join(' '))}` : '-r -F');
      parts.push(`-d ${fishQuote(option.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, from the program's commands, options and choices as they are now. */
export function completionScript(program: Command, shell: CompletionShell): string {
  const root = shapeOf(program, []);
  switch (shell) {
    case 'bash':
      return bashScript(root);
    case 'zsh':
      return zshScript(root);
    case 'fish':
      return fishScript(root);
  }
}
