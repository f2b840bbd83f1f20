/**
 * Writing an output file that may hold secrets (snapshots, exported cores): created 0600 under a
 * temporary name beside the target, then moved into place atomically; never over an existing file
 * unless asked. Shared by the snapshot writer and `gospy export`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { OutputExistsError, OutputPathError } from './errors.ts';

export interface TempOutput {
  readonly fd: number;
  readonly tmp: string;
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch (e) {
    // ENOTDIR: a file stands where a directory of the path should be; the directory check says so.
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return false;
    throw cannotWrite(p, e);
  }
}

/** An fs error on the way to an output, as the user's mistake it is (a missing or read-only directory…). */
function cannotWrite(outPath: string, e: unknown): OutputPathError {
  const dir = path.dirname(path.resolve(outPath));
  const code = errnoOf(e);
  const why =
    code === 'ENOENT'
      ? `directory ${dir} does not exist`
      : code === 'ENOTDIR'
        ? `${dir} is not a directory`
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied in ${dir}`
          : code === 'EROFS'
            ? `${dir} is on a read-only file system`
            : code === 'EISDIR'
              ? `${outPath} is a directory`
              : `${code ?? String(e)}`;
  return new OutputPathError(outPath, `cannot write ${outPath}: ${why}`, {
    hint: code === 'EISDIR' ? `name a file, e.g. ${path.join(outPath, path.basename(outPath) || 'out')}.gsz` : 'choose an output path in an existing directory you may write to',
    cause: e,
  });
}

function refuse(p: string): never {
  throw new OutputExistsError(p, `${p} already exists; not overwriting it`, {
    hint: 'choose another output path, or pass --force to replace it',
  });
}

/**
 * Refuse early (before any work, and before stopping a process) an output that cannot be written:
 * one that exists when force is off, a directory in its place, or a directory that is missing, not a
 * directory or not writable (the temporary file goes there).
 */
export function checkOutputFree(outPath: string, force: boolean): void {
  if (exists(outPath)) {
    if (!force) refuse(outPath);
    if (fs.statSync(outPath, { throwIfNoEntry: false })?.isDirectory() === true) throw cannotWrite(outPath, { code: 'EISDIR' });
  }
  const dir = path.dirname(path.resolve(outPath));
  try {
    if (!fs.statSync(dir).isDirectory()) throw cannotWrite(outPath, { code: 'ENOTDIR' });
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw e instanceof OutputPathError ? e : cannotWrite(outPath, e);
  }
}

/** A new 0600 temporary file in the output's directory. */
export function openTempOutput(outPath: string): TempOutput {
  const dir = path.dirname(path.resolve(outPath));
  const tmp = path.join(dir, `.${path.basename(outPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
  } catch (e) {
    // The directory changed since checkOutputFree, or it is writable only in name (a read-only mount).
    throw cannotWrite(outPath, e);
  }
  fs.fchmodSync(fd, 0o600);
  return { fd, tmp };
}

/** fsync and close the temporary file, then move it into place (refusing an existing one without force). */
export function commitTempOutput(t: TempOutput, outPath: string, force: boolean): void {
  fs.fsyncSync(t.fd);
  fs.closeSync(t.fd);
  if (force) {
    try {
      fs.renameSync(t.tmp, outPath);
    } catch (e) {
      fs.rmSync(t.tmp, { force: true });
      throw cannotWrite(outPath, e);
    }
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
