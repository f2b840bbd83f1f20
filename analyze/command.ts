/**
 * A gospy command as the dispatch in analyze/main.ts sees it. A command module (analyze/commands/*.ts) holds
 * only what `--help` needs (options, examples, the guide) and argument checks; what the command does
 * is loaded by `prepare`'s run on demand, so `gospy --help` and `gospy analyze` never load capture/,
 * ptrace or koffi (test/analyze/lazy-loading.test.ts).
 */
import type { Argv } from 'yargs';
import type { SnapshotMode } from '../src/format/snapshot/schema.ts';
import type { Session } from './session.ts';

/** The options yargs hands back for one command line. */
export type ParsedOptions = Readonly<Record<string, unknown>>;

/** A checked command line, ready to run. */
export type Run = (session: Session) => Promise<void>;

export interface Command {
  /** The word the user types, e.g. 'analyze'. */
  readonly name: string;
  /** yargs' command syntax, e.g. 'analyze <file>'. */
  readonly syntax: string;
  /** One line for the list of commands. */
  readonly describe: string;
  /** Usage line, options, examples and the guide after them. */
  build(y: Argv): Argv;
  /** Check the parsed options (throwing UsageError) and bind them to the command's work. */
  prepare(parsed: ParsedOptions): Run;
}

/** How a command that stops a live process (capture, summary --pid, top --pid) may stop it. */
export interface CaptureControl {
  readonly mode: SnapshotMode;
  readonly nonblocking: boolean;
  /** Stop deadline for threads in uninterruptible sleep, ms. */
  readonly stopDeadlineMs: number;
}
