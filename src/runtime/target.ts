/**
 * What the runtime layer reads a Go process through, whatever the input was (ELF core or gospy
 * snapshot): an address space, the threads' registers, and the executable's static facts. Nothing
 * here knows about Go; the memory/ layer builds it.
 */
import type { ArchSpec } from './arch.ts';
import type { Warning } from '../base/warnings.ts';
import type { ExeImage } from './symbols/exe-image.ts';

export interface TargetMemory {
  /** Bytes at addr; throws UnmappedAddressError when any part is unreadable. */
  read(addr: number, len: number, purpose?: string): Uint8Array;
  tryRead(addr: number, len: number): Uint8Array | undefined;
}

export interface TargetThread {
  readonly tid: number;
  readonly pc: number;
  readonly sp: number;
  /** Frame pointer register (rbp / x29). */
  readonly bp: number;
  /** Link register (arm64 x30); 0 on amd64. */
  readonly lr: number;
  /** Register that holds g in Go code (amd64 r14 since 1.17, arm64 x28). */
  readonly gReg: number;
  /** amd64 FS base (TLS); undefined on arm64. */
  readonly tlsBase: number | undefined;
  /** Kernel thread state letter when the input recorded it. */
  readonly state: string | undefined;
}

export interface ExeSymbol {
  /** Link-time address; add the target's loadBias for the runtime address. */
  readonly value: number;
  readonly size: number;
}

export interface TargetExecutable {
  readonly path: string;
  /** Symbol from .symtab, undefined when absent or stripped. */
  symbol(name: string): ExeSymbol | undefined;
  readonly hasSymbols: boolean;
  /** Decompressed bytes of a section, undefined when absent. */
  sectionBytes(name: string): Uint8Array | undefined;
  /** The PT_TLS segment, for finding g through TLS in externally linked binaries. */
  readonly tls: { readonly vaddr: number; readonly memsz: number; readonly align: number } | undefined;
  /** The file's segments at link-time addresses, for recovering globals of stripped binaries. */
  image?(): ExeImage;
}

export interface Target {
  readonly kind: 'core' | 'snapshot';
  readonly path: string;
  readonly pid: number | undefined;
  readonly arch: ArchSpec;
  readonly memory: TargetMemory;
  readonly threads: readonly TargetThread[];
  readonly exe: TargetExecutable;
  /** How the executable was chosen: named by the user, or found from the core's notes. */
  readonly exeFoundBy: 'argument' | 'nt_file' | 'prpsinfo' | 'beside-core' | 'snapshot';
  /** Runtime address − link-time address of the executable (PIE). */
  readonly loadBias: number;
  /**
   * g addresses of goroutines a --nonblocking capture saw change while it copied them (their
   * stacks may mix two moments); undefined when the input makes no such statement.
   */
  readonly tornGoroutines?: ReadonlySet<number> | undefined;
  /** CLOCK_MONOTONIC at capture time (snapshots); cores have none. */
  readonly monotonicNow: number | undefined;
  /** Go version and build info as read from the executable file. */
  readonly goVersion: string | undefined;
  readonly buildInfo: { path?: string | undefined; main?: { path: string; version: string } | undefined; settings: readonly (readonly [string, string])[] } | undefined;
  readonly warnings: readonly Warning[];
}
