/**
 * The one entry the CLI calls: open a core or a gospy snapshot (told apart by magic) and read its Go
 * process model.
 */
import { TruncatedError, UnmappedAddressError } from '../base/errors.ts';
import { openCore } from '../memory/open-core.ts';
import type { ProcessModel } from './model.ts';
import { coreTarget } from './core-target.ts';
import { readProcess } from './process.ts';
import type { Snapshot } from '../format/snapshot/reader.ts';
import { isSnapshotFile, openSnapshot, snapshotProcess } from '../memory/snapshot-image.ts';
import { snapshotTarget } from './snapshot-target.ts';

export interface AnalyzeOptions {
  readonly exe?: string | undefined;
  readonly onProgress?: ((message: string) => void) | undefined;
  readonly ignoreDwarf?: boolean | undefined;
  /** See ReadOptions.frameArgs (process.ts). */
  readonly frameArgs?: boolean | undefined;
}

export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<ProcessModel> {
  if (isSnapshotFile(path)) return analyzeSnapshotFile(path, opts);
  opts.onProgress?.('opening the core');
  const core = await openCore(path, opts.exe === undefined ? {} : { exePath: opts.exe });
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
            hint: 'the dump was cut short: raise the core size limit (`ulimit -c unlimited`), check free disk space where cores are written, and /proc/PID/coredump_filter',
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

/** A snapshot carries its own executable: `opts.exe` is not used (a warning says so). */
function analyzeSnapshotFile(path: string, opts: AnalyzeOptions): ProcessModel {
  opts.onProgress?.('opening the snapshot');
  const snap = openSnapshot(path);
  try {
    const model = analyzeSnapshot(snap, path, opts);
    if (opts.exe === undefined) return model;
    return {
      ...model,
      warnings: [...model.warnings, { kind: 'exe-ignored', message: `--exe ${opts.exe} is ignored: the snapshot contains its executable` }],
    };
  } finally {
    snap.close();
  }
}

/**
 * The model of a Snapshot object, whether read from a file or made in memory straight from a capture
 * (`snapshotFromCapture`, for the live `summary --pid` / `top --pid` reports): no file involved.
 * `name` is what the model records as its input path.
 */
export function analyzeSnapshot(snap: Snapshot, name: string, opts: Omit<AnalyzeOptions, 'exe'> = {}): ProcessModel {
  const target = snapshotTarget(snapshotProcess(snap), name);
  return readProcess(target, { onProgress: opts.onProgress, ignoreDwarf: opts.ignoreDwarf, frameArgs: opts.frameArgs });
}
