/**
 * The one entry the CLI calls: open what the user gave (memory/user-input.ts decides what it is and
 * refuses what gospy does not read) and read its Go process model.
 */
import { TruncatedError, UnmappedAddressError } from '../base/errors.ts';
import type { ProcessModel } from './model.ts';
import { coreTarget, snapshotTarget } from './target.ts';
import { readProcess } from './process.ts';
import type { Snapshot } from '../format/snapshot/reader.ts';
import type { OpenedCore } from '../memory/open-core.ts';
import { type OpenedSnapshot, snapshotProcess } from '../memory/snapshot-image.ts';
import { openUserInput } from '../memory/user-input.ts';
import type { Warning } from '../base/warnings.ts';

export interface OpenModelOptions {
  readonly exe?: string | undefined;
  readonly onProgress?: ((message: string) => void) | undefined;
  readonly ignoreDwarf?: boolean | undefined;
  /** See ReadOptions.frameArgs (process.ts). */
  readonly frameArgs?: boolean | undefined;
}

export async function openModel(path: string, opts: OpenModelOptions = {}): Promise<ProcessModel> {
  opts.onProgress?.('opening the input');
  const input = await openUserInput(path, { exePath: opts.exe });
  if (input.kind === 'snapshot') return openSnapshotModel(input.snapshot, path, input.warnings, opts);
  return coreModel(input.core, path, opts);
}

function coreModel(core: OpenedCore, path: string, opts: OpenModelOptions): ProcessModel {
  try {
    const target = coreTarget(core, path, core.exeFoundBy);
    try {
      return readProcess(target, { onProgress: opts.onProgress, ignoreDwarf: opts.ignoreDwarf, frameArgs: opts.frameArgs });
    } catch (e) {
      // Missing memory in a core that was cut short is the truncation's fault: say so.
      if (e instanceof UnmappedAddressError && core.truncated) {
        throw new TruncatedError(
          `the core is truncated (${core.truncated.missingBytes} bytes missing) and lacks ${e.purpose} at 0x${e.addr.toString(16)}`,
          {
            hint: core.warnings.some((w) => w.kind === 'input-cut-short')
              ? 'the compressed file ends early (an interrupted copy or download?): copy it again'
              : 'the dump was cut short: raise the core size limit (`ulimit -c unlimited`), check free disk space where cores are written, and /proc/PID/coredump_filter',
            cause: e,
          },
        );
      }
      throw e;
    }
  } finally {
    core.close();
  }
}

/** A snapshot carries its own executable: a matching --exe gets a warning that it was not needed. */
function openSnapshotModel(snap: OpenedSnapshot, path: string, warnings: readonly Warning[], opts: OpenModelOptions): ProcessModel {
  try {
    const model = snapshotModel(snap, path, opts);
    return warnings.length === 0 ? model : { ...model, warnings: [...warnings, ...model.warnings] };
  } finally {
    snap.close();
  }
}

/**
 * The model of a Snapshot object, whether read from a file or made in memory straight from a capture
 * (`snapshotFromCapture`, for the live `summary --pid` / `top --pid` reports): no file involved.
 * `name` is what the model records as its input path.
 */
export function snapshotModel(snap: Snapshot, name: string, opts: Omit<OpenModelOptions, 'exe'> = {}): ProcessModel {
  const target = snapshotTarget(snapshotProcess(snap), name);
  return readProcess(target, { onProgress: opts.onProgress, ignoreDwarf: opts.ignoreDwarf, frameArgs: opts.frameArgs });
}
