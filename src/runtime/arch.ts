/**
 * Architecture facts the unwinder needs, chosen from the core's e_machine (never the host).
 * Sources: `src/runtime/traceback.go` (usesLR, MinFrameSize), `src/internal/goarch/zgoarch_*.go`,
 * `src/runtime/internal/sys/arch_*.go` (PCQuantum, StackAlign).
 */
export interface ArchSpec {
  readonly name: 'amd64' | 'arm64';
  readonly ptrSize: 8;
  /** Return address lives in a link register (arm64) instead of being pushed by CALL (amd64). */
  readonly usesLR: boolean;
  /** Bytes between a frame's fp and its arguments (arm64 saves LR there). */
  readonly minFrameSize: number;
  readonly stackAlign: number;
  readonly pcQuantum: number;
}

export const AMD64: ArchSpec = { name: 'amd64', ptrSize: 8, usesLR: false, minFrameSize: 0, stackAlign: 8, pcQuantum: 1 };
export const ARM64: ArchSpec = { name: 'arm64', ptrSize: 8, usesLR: true, minFrameSize: 8, stackAlign: 16, pcQuantum: 4 };
