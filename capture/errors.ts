/**
 * The capture's user-facing errors: one line that names the cause, and a hint with the fix.
 */
import { MissingInputError, NotGoError, NotPermittedError } from '../src/base/errors.ts';
import { comm, hasCapSysPtrace, readStatus, yamaPtraceScope } from './proc.ts';

const CAP_FIXES =
  'run gospy as root (sudo), or give it CAP_SYS_PTRACE: `docker run --cap-add SYS_PTRACE …`, or in Kubernetes ' +
  '`kubectl debug -it POD --image=IMAGE --target=CONTAINER --profile=general -- gospy capture --pid N -o snap.gsz`';

export function noSuchProcess(pid: number): MissingInputError {
  return new MissingInputError(`/proc/${pid}`, `no process with pid ${pid}`, {
    hint: 'check the pid (`pgrep -a NAME`); for a process in a container, use the pid the host sees (`docker top CONTAINER`)',
  });
}

export function processGone(pid: number, when: string): MissingInputError {
  return new MissingInputError(`/proc/${pid}`, `process ${pid} exited ${when}; no snapshot was written`, {
    hint: 'the target must stay alive during the capture; capture it again while it runs',
  });
}

/**
 * Why the kernel said no (EPERM/EACCES from ptrace or /proc), in the order that is most likely:
 * another tracer, missing privilege, Yama, and otherwise seccomp/LSM/user namespaces.
 */
export function notPermitted(pid: number, errno: string): NotPermittedError {
  let tracer = 0;
  try {
    tracer = Number(readStatus(pid).get('TracerPid') ?? '0');
  } catch {
    // gone or unreadable: fall through to the privilege checks
  }
  if (tracer > 0 && tracer !== process.pid) {
    const name = comm(tracer);
    return new NotPermittedError(
      `not permitted to stop process ${pid} (${errno}): it is already traced by pid ${tracer}${name ? ` (${name})` : ''}`,
      { hint: 'a process can have only one tracer: detach that debugger (delve, gdb, strace, another gospy) first, then capture again' },
    );
  }
  const root = process.getuid?.() === 0;
  const cap = hasCapSysPtrace();
  const scope = yamaPtraceScope();
  if (scope === 3) {
    return new NotPermittedError(`not permitted to stop process ${pid} (${errno}): kernel.yama.ptrace_scope is 3, which forbids all tracing`, {
      hint: 'ptrace_scope 3 cannot be lowered without a reboot; on such hosts gospy cannot capture (use a kernel core instead: GOTRACEBACK=crash)',
    });
  }
  if (!cap) {
    const why = root ? 'gospy runs as root but without CAP_SYS_PTRACE (dropped by the container)' : 'gospy is not root and lacks CAP_SYS_PTRACE';
    const yama = scope !== undefined && scope > 0 ? `, and kernel.yama.ptrace_scope is ${scope}` : '';
    return new NotPermittedError(`not permitted to stop process ${pid} (${errno}): ${why}${yama}`, {
      hint:
        scope === 2
          ? `ptrace_scope 2 allows only CAP_SYS_PTRACE: ${CAP_FIXES}`
          : `${CAP_FIXES}${scope === 1 ? '; or lower Yama with `sysctl kernel.yama.ptrace_scope=0`' : ''}`,
    });
  }
  return new NotPermittedError(
    `not permitted to stop process ${pid} (${errno}) although gospy has CAP_SYS_PTRACE: a seccomp profile or an LSM (AppArmor, SELinux) blocks ptrace, or the target is in a user namespace gospy is not privileged in`,
    {
      hint: 'run gospy from the host as root, or allow ptrace in the container (`docker run --cap-add SYS_PTRACE --security-opt seccomp=unconfined …`, or `kubectl debug … --profile=general`)',
    },
  );
}

export function notGo(pid: number, exePath: string): NotGoError {
  return new NotGoError(`process ${pid} (${exePath || comm(pid)}) is not a Go program: its executable has no Go function table (pclntab)`, {
    hint: 'gospy captures Go programs only; for other programs use gcore or a kernel core dump',
  });
}

/** The name of errno `e` (e.g. 'EBUSY') from koffi's table, or its number when the table lacks it. */
export function errnoName(table: Readonly<Record<string, number>>, e: number): string {
  return Object.keys(table).find((k) => table[k] === e) ?? `errno ${e}`;
}

/**
 * ptrace refused a thread for a reason other than permission or the thread being gone (which have
 * their own errors): the kernel's answer, named, and what to check.
 */
export function ptraceRefused(pid: number, tid: number, request: string, errno: string): NotPermittedError {
  return new NotPermittedError(`cannot stop thread ${tid} of process ${pid}: ptrace(${request}) failed with ${errno}`, {
    hint: 'the kernel refused to trace it; if it persists, report it with `uname -r` and the command line (capture again with --debug)',
  });
}
