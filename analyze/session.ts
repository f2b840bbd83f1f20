/**
 * What a running command may do to the outside world, in one place: write its report to stdout,
 * warnings and notes to stderr (always as `gospy: warning: …` / `gospy: …` lines), show a progress
 * line on a terminal, and decide colour. Errors are not here: a command throws, and analyze/main.ts turns
 * what it throws into one `gospy:` line and an exit code.
 */
import type { Warning } from '../src/base/warnings.ts';
import type { ProcessModel } from '../src/runtime/model.ts';
import type { OpenModelOptions } from '../src/runtime/open-model.ts';
import { writeChunks, type OutStream } from './output.ts';

/** `openModel` of src/runtime/open-model.ts. */
export type OpenModel = (path: string, opts: OpenModelOptions) => Promise<ProcessModel>;

/** Everything the CLI touches outside itself, so tests can run `main` in-process. */
export interface CliIo {
  readonly stdout: OutStream & { readonly columns?: number | undefined; readonly rows?: number | undefined };
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Defaults to src/runtime/open-model.ts's openModel, loaded on first use. */
  readonly openModel?: OpenModel | undefined;
}

export const colorChoices = ['auto', 'always', 'never'] as const;
export type ColorChoice = (typeof colorChoices)[number];
/** Report formats: text for people, json for programs (docs/json.md). */
export const formatChoices = ['text', 'json'] as const;
export type FormatChoice = (typeof formatChoices)[number];

export class Session {
  readonly io: CliIo;
  readonly progress: Progress;
  constructor(io: CliIo) {
    this.io = io;
    this.progress = new Progress(io.stderr);
  }

  /** The report itself, on stdout, with backpressure; a reader that goes away ends it quietly. */
  async report(chunks: Iterable<string>): Promise<void> {
    this.progress.clear();
    await writeChunks(this.io.stdout, chunks);
  }

  /**
   * Warnings go to stderr after the report, where a terminal user sees them last (JSON documents
   * carry them too).
   */
  async warn(warnings: readonly Warning[]): Promise<void> {
    await this.note(warnings.map((w) => `gospy: warning: ${w.message}\n`));
  }

  /**
   * Lines about what was done (the pause of a capture, a file written), on stderr; each ends in '\n'.
   * One plain write: a few lines, and Node writes stderr synchronously to files, pipes and terminals.
   */
  async note(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.progress.clear();
    this.io.stderr.write(lines.join(''));
  }

  /** Colour for a report on stdout: --color, then NO_COLOR, then whether stdout is a terminal. */
  wantColor(flag: ColorChoice): boolean {
    if (flag === 'always') return true;
    if (flag === 'never') return false;
    const noColor = this.io.env['NO_COLOR'];
    if (noColor !== undefined && noColor !== '') return false;
    return this.io.stdout.isTTY === true;
  }
}

/** One self-overwriting status line on stderr, only when stderr is a terminal. */
export class Progress {
  private shown = false;
  private readonly stream: OutStream;
  constructor(stream: OutStream) {
    this.stream = stream;
  }
  show(msg: string): void {
    if (this.stream.isTTY !== true) return;
    this.stream.write(`\r\u001b[Kgospy: ${msg}`);
    this.shown = true;
  }
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\u001b[K');
    this.shown = false;
  }
}
