/**
 * The one entry the CLI calls: open a core (or, later, a snapshot) and read its Go process model.
 */
import { openCore } from '../memory/open-core.ts';
import type { ProcessModel } from './model.ts';
import { coreTarget } from './core-target.ts';
import { readProcess } from './process.ts';

export interface AnalyzeOptions {
  readonly exe?: string | undefined;
  readonly onProgress?: ((message: string) => void) | undefined;
}

export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<ProcessModel> {
  opts.onProgress?.('opening the core');
  const core = await openCore(path, opts.exe === undefined ? {} : { exePath: opts.exe });
  try {
    const target = coreTarget(core, path);
    return readProcess(target, { onProgress: opts.onProgress });
  } finally {
    core.close();
  }
}
