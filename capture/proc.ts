/**
 * /proc/PID parsing for the capture (docs/capture.md; proc(5)). Plain synchronous reads: most of these are
 * called inside the freeze, where an await would only add to the target's pause.
 */
import * as fs from 'node:fs';
import type { SnapshotMapping } from '../src/format/snapshot/schema.ts';

export function procDir(pid: number): string {
  return `/proc/${pid}`;
}

export function processExists(pid: number): boolean {
  try {
    fs.statSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** The process exists and is not a zombie (a zombie keeps its /proc entry but has no memory left). */
export function processAlive(pid: number): boolean {
  const st = processState(pid);
  return st !== undefined && st !== 'Z' && st !== 'X' && st !== 'x';
}

/** /proc/PID/maps → mappings; the path is everything after the inode (it may contain spaces). */
export function parseMaps(text: string): SnapshotMapping[] {
  const out: SnapshotMapping[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      start: hexNumber(m[1]!),
      end: hexNumber(m[2]!),
      perms: m[3]!,
      offset: hexNumber(m[4]!),
      path: m[5]!,
    });
  }
  return out;
}

/** Parses hex; addresses above 2^53 (the vsyscall page) come out NaN rather than wrong. */
function hexNumber(s: string): number {
  const v = BigInt(`0x${s}`);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : NaN;
}

export function readMaps(pid: number): SnapshotMapping[] {
  return parseMaps(fs.readFileSync(`/proc/${pid}/maps`, 'utf8'));
}

/** /proc/PID/status as key → value (values trimmed). */
export function parseStatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

export function readStatus(pid: number): Map<string, string> {
  return parseStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** A "VmRSS: 1234 kB" value in bytes, 0 when absent. */
export function statusBytes(status: Map<string, string>, key: string): number {
  const m = /^(\d+)\s*kB$/.exec(status.get(key) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

/** Thread ids in /proc/PID/task (empty when the process is gone). */
export function listTasks(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** Fields of a stat line after the comm: [state, ppid, …] (field 3 onwards). */
export function statFields(text: string): string[] {
  const close = text.lastIndexOf(')');
  return text.slice(close + 2).trim().split(' ');
}

/** Kernel state letter of a thread (task/TID/stat field 3), undefined when it is gone. */
export function threadState(pid: number, tid: number): string | undefined {
  try {
    return statFields(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'))[0];
  } catch {
    return undefined;
  }
}

/** State letter of the process (/proc/PID/stat field 3). */
export function processState(pid: number): string | undefined {
  try {
    return statFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))[0];
  } catch {
    return undefined;
  }
}

export function readCmdline(pid: number): string[] {
  const text = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function readAuxv(pid: number): Uint8Array {
  return new Uint8Array(fs.readFileSync(`/proc/${pid}/auxv`));
}

/** readlink /proc/PID/exe: the path as the target's mount namespace sees it. */
export function exeLink(pid: number): string {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/** The executable's bytes, read through /proc/PID/exe (works for containers and deleted files). */
export function readExe(pid: number): Uint8Array {
  return new Uint8Array(fs.readFileSync(`/proc/${pid}/exe`));
}

/** Monotonic offset in ns of a process's time namespace (/proc/PID/timens_offsets), 0 when none. */
export function timensMonotonicOffsetNs(pid: number | 'self'): number {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/timens_offsets`, 'utf8');
  } catch {
    return 0;
  }
  return parseTimensOffsets(text).monotonic;
}

export function parseTimensOffsets(text: string): { monotonic: number; boottime: number } {
  const out = { monotonic: 0, boottime: 0 };
  for (const line of text.split('\n')) {
    const m = /^\s*(monotonic|boottime|\d+)\s+(-?\d+)\s+(\d+)/.exec(line);
    if (!m) continue;
    // seconds may be negative; nanoseconds are always 0..999999999 and add.
    const ns = Number(m[2]) * 1e9 + Number(m[3]);
    // The clock is shown by name, or by number on older kernels (1 = monotonic, 7 = boottime).
    if (m[1] === 'monotonic' || m[1] === '1') out.monotonic = ns;
    else if (m[1] === 'boottime' || m[1] === '7') out.boottime = ns;
  }
  return out;
}

/** NSpid: the pid inside the innermost namespace, when it differs from the host pid. */
export function nsPid(status: Map<string, string>, pid: number): number | undefined {
  const fields = (status.get('NSpid') ?? '').split(/\s+/).filter((s) => s !== '');
  const last = Number(fields[fields.length - 1]);
  return Number.isInteger(last) && last !== pid ? last : undefined;
}

/** The comm of a process, for messages ("" when gone). */
export function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Yama's ptrace_scope (0–3), undefined when Yama is not there. */
export function yamaPtraceScope(): number | undefined {
  try {
    const v = Number(fs.readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
    return Number.isInteger(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Whether this process has CAP_SYS_PTRACE (bit 19) in its effective set. */
export function hasCapSysPtrace(): boolean {
  try {
    const eff = parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).get('CapEff') ?? '0';
    return (BigInt(`0x${eff}`) & (1n << 19n)) !== 0n;
  } catch {
    return false;
  }
}
