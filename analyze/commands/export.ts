/** `gospy export FILE.gsz --core OUT [--exe OUT]`: the help and arguments; the work is in analyze/export.ts. */
import { UsageError } from '../../src/base/errors.ts';
import type { Command } from '../command.ts';
import { examplesText, withDebug } from './options.ts';

const describe = 'Write a gospy snapshot as an ELF core (for dlv core, gdb) and/or its executable';

const guide = `The core has one NT_PRSTATUS per stopped thread (the first is the thread the capture listed
first), NT_PRPSINFO, NT_AUXV, NT_FILE naming only the executable's mappings (delve maps every
NT_FILE entry onto the executable), and one PT_LOAD per captured run of memory; mappings with
nothing captured get a PT_LOAD with no file bytes. Open it with the executable written by --exe.
Outputs are written 0600, atomically, and never over an existing file without --force; both
output paths are checked before anything is written.

Exit codes as for analyze.`;

const examples = examplesText([
  ['gospy export server.gsz --core server.core --exe server', 'then: dlv core server server.core   (or: gdb server server.core)'],
  ['gospy export server.gsz --exe server', 'only the executable the snapshot carries'],
]);

export const exportCommand: Command = {
  name: 'export',
  syntax: 'export <file>',
  describe,
  build: (y) =>
    withDebug(
      y
        .usage(`$0 export FILE.gsz --core OUT [--exe OUT] [options]\n\n${describe}.`)
        .positional('file', { type: 'string', describe: 'a gospy snapshot (.gsz)' })
        .option('core', { type: 'string', requiresArg: true, describe: 'write an ELF core of the snapshot here' })
        .option('exe', { type: 'string', requiresArg: true, describe: 'write the executable embedded in the snapshot here' })
        .option('force', { type: 'boolean', default: false, describe: 'replace outputs that exist' }),
    ).epilogue(`${examples}\n\n${guide}`),
  prepare(parsed) {
    const core = typeof parsed['core'] === 'string' ? parsed['core'] : undefined;
    const exe = typeof parsed['exe'] === 'string' ? parsed['exe'] : undefined;
    if (core === undefined && exe === undefined) {
      throw new UsageError('name what to write: --core OUT and/or --exe OUT', { hint: 'e.g. gospy export snap.gsz --core snap.core --exe snap.exe' });
    }
    if (core !== undefined && core === exe) throw new UsageError('--core and --exe name the same file');
    const args = { file: String(parsed['file']), core, exe, force: parsed['force'] === true };
    return async (session) => {
      const { runExport } = await import('../export.ts');
      await runExport(args, session);
    };
  },
};
