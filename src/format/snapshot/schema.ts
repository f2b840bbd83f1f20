/**
 * The content of a gospy snapshot (.gsz): raw facts about a process, captured by `gospy capture` and
 * read by `gospy analyze`. Nothing Go-specific and nothing derived is stored, so a snapshot taken
 * today stays readable by later analyzers. The byte format is specified in docs/snapshot-format.md.
 */

export const SNAPSHOT_MAGIC = 'GOSPYSNP';
export const SNAPSHOT_VERSION = 1;

export type SnapshotMode = 'full' | 'goroutines';
export type CodecName = 'none' | 'xz' | 'brotli' | 'gzip';

export interface SnapshotThread {
  readonly tid: number;
  /** Kernel state letter before the freeze (task/TID/stat field 3). */
  readonly state: string;
  /** Raw NT_PRSTATUS regset bytes from PTRACE_GETREGSET (user_regs_struct / user_pt_regs). */
  readonly regs: Uint8Array;
  /** arm64 TPIDR_EL0 (NT_ARM_TLS), when read. */
  readonly tls?: number | undefined;
  /** False when the thread could not be stopped before the deadline (its registers are missing). */
  readonly stopped: boolean;
}

export interface SnapshotMapping {
  readonly start: number;
  readonly end: number;
  /** e.g. "r-xp" */
  readonly perms: string;
  readonly offset: number;
  readonly path: string;
}

export interface SnapshotMeta {
  readonly pid: number;
  /** pid inside the target's namespace (NSpid last field), when different. */
  readonly nsPid?: number | undefined;
  readonly host: string;
  readonly kernel: string;
  readonly arch: 'amd64' | 'arm64';
  readonly pageSize: number;
  readonly mode: SnapshotMode;
  /** Wall-clock time of the freeze, ISO 8601. */
  readonly time: string;
  /** CLOCK_MONOTONIC in ns at the freeze (the clock of g.waitsince), time-namespace adjusted. */
  readonly monotonicNs: number;
  /** How long the target was stopped, in ms. */
  readonly pauseMs: number;
  readonly partial: boolean;
  /** Threads that did not stop, when partial. */
  readonly unstoppedThreads: readonly number[];
  readonly cmdline: readonly string[];
  readonly exePath: string;
  /** GNU or Go build id of the executable, hex or Go's text form. */
  readonly exeBuildId?: string | undefined;
  readonly captureTool: string;
  /** --nonblocking: the target was never stopped; memory may be torn. */
  readonly nonblocking: boolean;
  /**
   * --nonblocking: addresses of the g structs whose g or used stack differed between the copy and a
   * second reading right after it (the goroutine ran meanwhile); absent when no such check was made.
   */
  readonly tornGoroutines?: readonly number[] | undefined;
}

/** Everything a capture produces, before it is written. */
export interface CaptureData {
  readonly meta: SnapshotMeta;
  readonly threads: readonly SnapshotThread[];
  readonly maps: readonly SnapshotMapping[];
  /** Raw /proc/PID/auxv. */
  readonly auxv: Uint8Array;
  /** Captured memory: runs of present pages. */
  readonly memory: readonly { readonly addr: number; readonly bytes: Uint8Array }[];
  /** The executable's bytes (read through /proc/PID/exe). */
  readonly exe: Uint8Array;
}
