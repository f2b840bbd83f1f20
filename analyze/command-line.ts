/**
 * The command line, parsed by yargs from the commands' own definitions (analyze/commands/*.ts): either
 * text to print (help, version, a completion script) or a checked command ready to run. Every
 * mistake becomes one UsageError with a hint that fits it.
 */
import yargs from 'yargs';
import { UsageError } from '../src/base/errors.ts';
import type { Run } from './command.ts';
import { commands } from './commands/index.ts';
import { analyzePositionals } from './commands/analyze.ts';
import { examplesText, exitCodesText } from './commands/options.ts';

export type ParsedCommandLine = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'run'; readonly run: Run };

const about = 'What is every goroutine doing, and why is it stuck? Reads Go cores and gospy snapshots offline.';

const guide = `${examplesText([
  ['gospy analyze core.1234', 'summary of every goroutine in core.1234'],
  ['gospy analyze core.1234 --report stacks', 'the goroutine dump the Go runtime would print'],
  ['gospy capture --pid 1234 -o server.gsz', 'snapshot a running Go process'],
  ['gospy summary --pid 1234', 'summary of a running process, no file written'],
  ['gospy top --pid 1234', 'live view of a running process (q quits)'],
  ['gospy export server.gsz --core server.core --exe server', 'a snapshot as an ELF core for dlv and gdb'],
  ['gospy completion >> ~/.bashrc', 'tab completion (in zsh: gospy completion >> ~/.zshrc)'],
])}

Each command has its own options, examples and guide: gospy COMMAND --help.

${exitCodesText}`;

const helpWidth = 100;

/**
 * cliui (yargs' layout) glues an option's right-aligned hints to its description when the two fill
 * the line exactly ("json for programs[choices: …"): move such hints to a line of their own,
 * right-aligned, as yargs does when they do not fit.
 */
export function unglueOptionHints(help: string): string {
  return help.replace(/^(.*\S)(\[(?:choices|default|boolean|string|number|required)\b.*)$/gm, (_all, head: string, hints: string) => {
    return `${head}\n${hints.padStart(helpWidth)}`;
  });
}

export async function parseCommandLine(argv: string[]): Promise<ParsedCommandLine> {
  // Computed only when asked for: it reads the analyzer's Go version limits.
  const version = argv.includes('--version') ? (await import('./version.ts')).versionText() : '';
  let output = '';
  const parser = yargs()
    .scriptName('gospy')
    .usage(`$0 <command> [options]\n\n${about}`);
  for (const c of commands) parser.command(c.syntax, c.describe, (y) => c.build(y));
  parser
    // yargs' own: `gospy completion` prints a bash script (a zsh one when $SHELL is zsh), and the
    // script asks `gospy --get-yargs-completions …` for the words.
    .completion('completion', 'print a shell completion script (bash; zsh when run from zsh)')
    .epilogue(guide)
    .demandCommand(1, 'name a command, e.g. gospy analyze FILE')
    .strict()
    .version('version', 'show the versions of gospy, of Go it reads, and of Node', version)
    .help()
    .alias('h', 'help')
    .wrap(helpWidth)
    .exitProcess(false)
    .fail((msg, err) => {
      if (err !== undefined && err !== null) throw err;
      throw usageError(msg, argv);
    });
  const result = await parser.parseAsync(argv, {}, (_err, _argv, out) => {
    output = out;
  });
  if (output !== '' || result['help'] === true || result['version'] === true) return { kind: 'text', text: unglueOptionHints(output) };
  const command = commands.find((c) => c.name === result._[0]);
  if (command === undefined) throw usageError(`unknown command: ${String(result._[0])}`, argv);
  return { kind: 'run', run: command.prepare(result) };
}

function usageError(msg: string, argv: string[]): UsageError {
  const text = msg.replace(/\s*\n\s*/g, ' ').trim();
  const message = text.charAt(0).toLowerCase() + text.slice(1);
  const first = argv[0];
  const names = commands.map((c) => c.name);
  if (first === 'analyze') {
    // The gdb/dlv habit: `gospy analyze CORE EXE`.
    const [file, ...extra] = analyzePositionals(argv.slice(1));
    if (file !== undefined && extra.length > 0 && /^Unknown arguments?: /i.test(text)) {
      return new UsageError(`analyze takes one FILE; ${extra.join(', ')} is one too many`, {
        hint: `name the executable with --exe (gdb and dlv take it as an argument, gospy does not): gospy analyze ${file} --exe ${extra[0]}`,
      });
    }
  }
  const hint =
    first !== undefined && !first.startsWith('-') && !names.includes(first) && first !== 'completion'
      ? `the command comes first: gospy analyze ${first}`
      : `run gospy ${first !== undefined && names.includes(first) ? `${first} ` : ''}--help for commands, options, examples and exit codes`;
  return new UsageError(message, { hint });
}
