/**
 * The gospy CLI: the one dispatch. It parses the command line (analyze/command-line.ts), runs the command
 * named (analyze/commands/*.ts; each loads what it uses when it runs), and is the one error boundary:
 * whatever a command throws becomes one `gospy:` line (plus a hint) and an exit code. Reports,
 * warnings and notes go through the Session (analyze/session.ts). Only analyze/ prints, reads argv or decides
 * exit codes; src/ stays pure.
 *
 * Exit codes: 0 ok (also when the reader of stdout goes away, e.g. `| head`), 1 bad or missing input
 * or an output that cannot be written (format, mismatch, not-go, truncated, missing-input, unmapped,
 * output-exists, output-path, not-permitted), 2 usage, 3 unsupported, 70 internal error (a gospy bug).
 */
import { GospyError } from '../src/base/errors.ts';
import { parseCommandLine } from './command-line.ts';
import { isClosedPipe, type OutStream } from './output.ts';
import { Session, type CliIo } from './session.ts';

export type { CliIo, OpenModel } from './session.ts';

export const exitOk = 0;
export const exitInput = 1;
export const exitUsage = 2;
export const exitUnsupported = 3;
export const exitInternal = 70;

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  const session = new Session(io);
  try {
    const parsed = await parseCommandLine(argv);
    if (parsed.kind === 'text') await session.report([parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`]);
    else await parsed.run(session);
    return exitOk;
  } catch (err) {
    session.progress.clear();
    if (isClosedPipe(err)) return exitOk;
    return reportError(err, debug, io.stderr);
  }
}

/** Exit code for an error that reached the boundary. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof GospyError)) return exitInternal;
  switch (err.code) {
    case 'usage':
      return exitUsage;
    case 'unsupported':
      return exitUnsupported;
    default:
      return exitInput;
  }
}

function reportError(err: unknown, debug: boolean, stderr: OutStream): number {
  const lines: string[] = [];
  if (err instanceof GospyError) {
    lines.push(`gospy: ${err.message}`);
    if (err.hint !== undefined) lines.push(`hint: ${err.hint}`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    lines.push(`gospy: internal error: ${message.split('\n')[0]}${debug ? '' : ' (re-run with --debug for a stack trace)'}`);
  }
  if (debug && err instanceof Error && err.stack !== undefined) lines.push(err.stack);
  try {
    stderr.write(`${lines.join('\n')}\n`);
  } catch {
    // stderr gone too: nothing left to tell.
  }
  return exitCodeFor(err);
}

function processIo(): CliIo {
  // A reader that goes away after our last write makes stdout emit EPIPE later, when no writer is
  // listening; without a listener that would crash the process with a stack trace.
  process.stdout.on('error', (err) => {
    if (!isClosedPipe(err)) throw err;
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
