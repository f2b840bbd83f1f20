/**
 * The one place where the kind of the file a user gives decides how it is read. input-kind.ts
 * says what the bytes are (after decompression); here each kind gospy reads is opened, and every
 * other kind is refused with one line that says what the file is and what gospy reads.
 *
 * A new input kind (issue 12: Go traceback text, goroutine profiles) adds its branch to
 * `openUserInput` and its variant to `UserInput`; its detector is already in input-kind.ts.
 */
import type { Warning } from '../base/warnings.ts';
import { notAnInput, notTheExecutable } from './input-kind.ts';
import { type OpenedCore, openCoreFrom } from './open-core.ts';
import { type OpenedInput, openInput } from './open-input.ts';
import { type OpenedSnapshot, checkExeForSnapshot, openSnapshotFrom, snapshotMachine } from './snapshot-image.ts';

export type UserInput =
  | { readonly kind: 'core'; readonly core: OpenedCore }
  | {
      readonly kind: 'snapshot';
      readonly snapshot: OpenedSnapshot;
      /** About the input file itself (cut short) and about --exe (not needed). */
      readonly warnings: readonly Warning[];
    };

export interface UserInputOptions {
  /** --exe: for a core, its executable (found from the core when absent); a snapshot carries its own. */
  readonly exePath?: string | undefined;
}

/** Open the file the user named, whatever it is; refuse what gospy does not read. */
export async function openUserInput(path: string, opts: UserInputOptions = {}): Promise<UserInput> {
  const input = await openInput(path);
  switch (input.kind.kind) {
    case 'elf-core':
      return { kind: 'core', core: await openCoreFrom(input, opts.exePath === undefined ? {} : { exePath: opts.exePath }) };
    case 'snapshot':
      return openSnapshotInput(input, opts.exePath);
    default:
      input.source.close();
      throw notAnInput(path, input.kind);
  }
}

async function openSnapshotInput(input: OpenedInput, exePath: string | undefined): Promise<UserInput> {
  const snapshot = openSnapshotFrom(input.source);
  const warnings = [...input.warnings];
  if (exePath === undefined) return { kind: 'snapshot', snapshot, warnings };
  let exe: OpenedInput | undefined;
  try {
    exe = await openInput(exePath);
    const wrong = notTheExecutable(exePath, exe.kind, snapshotMachine(snapshot));
    if (wrong) throw wrong;
    warnings.push(checkExeForSnapshot(snapshot, exe.source, exePath));
    return { kind: 'snapshot', snapshot, warnings };
  } catch (e) {
    snapshot.close();
    throw e;
  } finally {
    exe?.source.close();
  }
}
