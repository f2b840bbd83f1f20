/** `gospy capture --pid N -o FILE`: the help and arguments; the work is in analyze/capture-file.ts. */
import type { Command } from '../command.ts';
import { captureControlOf, examplesText, pidOf, withCaptureControl, withDebug, withPid } from './options.ts';

const describe = 'Snapshot a running Go process into a .gsz file, stopping it only for the copy of its memory';

const guide = `Modes (--mode):
  full        (default) every resident page of every readable mapping: complete memory, so every
              report, and any later analysis, works on the snapshot. The pause grows with resident
              memory (about 0.15 s per GiB on 2 CPUs; a few ms for a small service); compression
              happens only after the target runs again. It is the default because it cannot miss
              anything.
  goroutines  only what goroutine reports need: the executable's writable segments (runtime
              globals), the Ms, allgs and every g struct, the goroutine stacks (from the lowest
              saved sp up), g0/gsignal stacks, each thread's stack around sp, and pprof labels.
              The pause and the file grow with the goroutines, not the heap (about 20 ms for 10k
              goroutines on 2 CPUs, whatever the heap): minimal for a big heap. Goroutine reports
              (stacks, summary, …) only; anything else reading the heap will find it missing.

--nonblocking never stops the target (py-spy's flag): memory is copied while it runs, so the
snapshot has no registers and a goroutine may run while it is copied. gospy then reads every g and
used stack a second time right after the copy; goroutines that differ are marked torn in every
report (their stacks may mix two moments), the others are as consistent as a stopped capture. For
when even a millisecond stop is unacceptable.

Safety: gospy uses PTRACE_SEIZE/INTERRUPT, never PTRACE_ATTACH: if gospy is killed mid-capture,
the kernel detaches and the target runs on. A target stopped with SIGSTOP before stays stopped.
Threads in uninterruptible sleep are waited for at most --stop-deadline ms; the snapshot then
lists them and is marked partial. Snapshots hold the process's secrets: they are written 0600,
atomically, and never over an existing file without --force. The output path is checked before
the target is touched.

Permissions: gospy must be allowed to ptrace the target: root or CAP_SYS_PTRACE (Docker:
--cap-add SYS_PTRACE; Kubernetes: kubectl debug -it POD --image=IMAGE --target=CONTAINER
--profile=general), or the same user with kernel.yama.ptrace_scope 0.

The measured pause is printed on stderr. Exit codes as for analyze; 1 also when the process does
not exist, exits during the capture, is not a Go program, or may not be traced.`;

const examples = examplesText([
  ['gospy capture --pid 1234 -o server.gsz', 'then: gospy analyze server.gsz --report stacks'],
  ['gospy capture --pid $(pidof server) -o server.gsz --mode goroutines', 'the shortest pause for a big heap'],
  ['gospy capture --pid 1234 -o server.gsz --nonblocking', 'never stop it (goroutines may be torn)'],
]);

export const captureCommand: Command = {
  name: 'capture',
  syntax: 'capture',
  describe,
  build: (y) =>
    withDebug(
      withCaptureControl(
        withPid(y.usage(`$0 capture --pid N -o FILE [options]\n\n${describe}.`), 'the process to capture (as the host sees it)')
          .option('output', { alias: 'o', type: 'string', demandOption: true, requiresArg: true, describe: 'the snapshot to write (.gsz)' })
          .option('force', { type: 'boolean', default: false, describe: 'replace FILE if it exists' }),
        'full',
      ),
    ).epilogue(`${examples}\n\n${guide}`),
  prepare(parsed) {
    const args = {
      pid: pidOf(parsed),
      output: String(parsed['output']),
      force: parsed['force'] === true,
      ...captureControlOf(parsed),
    };
    return async (session) => {
      const { runCapture } = await import('../capture-file.ts');
      await runCapture(args, session.io);
    };
  },
};
