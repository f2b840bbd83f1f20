/**
 * The architectures gospy reads, described once: the unwinder's facts, where g lives, the page size
 * and how registers decode. Chosen from the input (a core's e_machine, a snapshot's recorded arch,
 * the host for a live capture), never guessed again downstream.
 * Sources: `src/runtime/traceback.go` (usesLR, MinFrameSize), `src/internal/goarch/zgoarch_*.go`,
 * `src/runtime/internal/sys/arch_*.go` (PCQuantum, StackAlign), `src/runtime/asm_*.s` and
 * `cmd/link/internal/ld/sym.go` (runtime.tlsg / runtime.tls_g), `src/internal/abi/abi_*.go` (the g
 * register of the register ABI).
 */
export type ArchName = 'amd64' | 'arm64';

export interface ArchSpec {
  readonly name: ArchName;
  readonly ptrSize: 8;
  /** Return address lives in a link register (arm64) instead of being pushed by CALL (amd64). */
  readonly usesLR: boolean;
  /** Bytes between a frame's fp and its arguments (arm64 saves LR there). */
  readonly minFrameSize: number;
  readonly stackAlign: number;
  /** Instruction granularity: a return address minus this is inside the call. */
  readonly pcQuantum: number;
  /** Page size when the input does not record one (AT_PAGESZ): Linux's base page on both. */
  readonly pageSize: number;
  /** The linker symbol whose value locates g in TLS (external linking, `runtime/asm_*.s`). */
  readonly tlsgSymbol: 'runtime.tlsg' | 'runtime.tls_g';
  /** The register holding g in Go code under the register ABI (the decoded regset's `gReg`). */
  readonly gRegister: 'r14' | 'x28';
}

export const AMD64: ArchSpec = {
  name: 'amd64', ptrSize: 8, usesLR: false, minFrameSize: 0, stackAlign: 8, pcQuantum: 1,
  pageSize: 4096, tlsgSymbol: 'runtime.tlsg', gRegister: 'r14',
};
export const ARM64: ArchSpec = {
  name: 'arm64', ptrSize: 8, usesLR: true, minFrameSize: 8, stackAlign: 16, pcQuantum: 4,
  pageSize: 4096, tlsgSymbol: 'runtime.tls_g', gRegister: 'x28',
};

/** The description of a named architecture: the one place the name is turned into facts. */
export function archSpec(name: ArchName): ArchSpec {
  return name === 'arm64' ? ARM64 : AMD64;
}

/** The architecture of Node's `process.arch` value (the host, for live captures), or undefined. */
export function archOfNode(nodeArch: string): ArchSpec | undefined {
  return nodeArch === 'x64' ? AMD64 : nodeArch === 'arm64' ? ARM64 : undefined;
}
