/**
 * Writing an output file that may hold secrets (snapshots, exported cores): created 0600 under a
 * temporary name beside the target, then moved into place atomically; never over an existing file
 * unless asked. Shared by the snapshot writer and `gospy export`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { OutputExistsError } from './errors.ts';

export interface TempOutput {
  readonly fd: number;
  readonly tmp: string;
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function refuse(p: string): never {
  throw new OutputExistsError(p, `${p} already exists; not overwriting it`, {
    hint: 'choose another output path, or pass --force to replace it',
  });
}

/** Refuse early (before any work, or stopping a process) when the output exists and force is off. */
export function checkOutputFree(outPath: string, force: boolean): void {
  if (!force && exists(outPath)) refuse(outPath);
}

/** A new 0600 temporary file in the output's directory. */
export function openTempOutput(outPath: string): TempOutput {
  const dir = path.dirname(path.resolve(outPath));
  const tmp = path.join(dir, `.${path.basename(outPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  fs.fchmodSync(fd, 0o600);
  return { fd, tmp };
}

/** fsync and close the temporary file, then move it into place (refusing an existing one without force). */
export function commitTempOutput(t: TempOutput, outPath: string, force: boolean): void {
  fs.fsyncSync(t.fd);
  fs.closeSync(t.fd);
  if (force) {
    fs.renameSync(t.tmp, outPath);
    return;
  }
  // link() fails with EEXIST instead of replacing: no window in which another file is clobbered.
  try {
    fs.linkSync(t.tmp, outPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' || exists(outPath)) refuse(outPath);
    // File systems without hard links: checked above, then rename.
    fs.renameSync(t.tmp, outPath);
  }
  fs.rmSync(t.tmp, { force: true });
}

/** After a failure: close (if still open) and remove the temporary file. */
export function discardTempOutput(t: TempOutput): void {
  try {
    fs.closeSync(t.fd);
  } catch {
    // already closed
  }
  fs.rmSync(t.tmp, { force: true });
}

/** Positional write of all of `b` at `pos`. */
export function writeAllAt(fd: number, b: Uint8Array, pos: number): void {
  let done = 0;
  while (done < b.length) done += fs.writeSync(fd, b, done, b.length - done, pos + done);
}

/** Positional writes into an output being made (the temporary file of writeOutputFile). */
export interface OutputSink {
  writeAt(bytes: Uint8Array, position: number): void;
}

/**
 * Make `outPath` through `produce`, which writes into a 0600 temporary file beside it; the file is
 * moved into place only when `produce` has finished, and on any failure nothing is left behind.
 * Refuses an existing `outPath` (OutputExistsError) unless `force`, before `produce` runs.
 */
export async function writeOutputFile<T>(outPath: string, force: boolean, produce: (sink: OutputSink) => T | Promise<T>): Promise<T> {
  checkOutputFree(outPath, force);
  const t = openTempOutput(outPath);
  try {
    const result = await produce({ writeAt: (bytes, position) => writeAllAt(t.fd, bytes, position) });
    commitTempOutput(t, outPath, force);
    return result;
  } catch (e) {
    discardTempOutput(t);
    throw e;
  }
}
