/**
 * What a user-supplied file is, decided from its first bytes only (never from its name): the one
 * place gospy tells its inputs apart. `detectInputKind` classifies; `user-input.ts` opens each
 * kind gospy reads and refuses the rest with one line that names what was found and what gospy
 * reads (`refusal`).
 *
 * New input kinds plug in here: Go traceback text (panic / SIGQUIT / runtime.Stack dumps, the
 * debug=2 goroutine profile page) and the goroutine profile (debug=1 text; debug=0 protobuf, which
 * arrives gzip'd and is recognised after decompression) are already recognised so that the user
 * is told what the file is; their readers come with issue 12 (add the kind to `READABLE_KINDS`
 * and a branch in `openUserInput`).
 */
import { FormatError, MismatchError, UnsupportedError } from '../base/errors.ts';
import { ELFCLASS64, ELFDATA2LSB, ET_CORE, ET_DYN, ET_EXEC, EM_AARCH64, EM_X86_64 } from '../format/elf/constants.ts';
import { SNAPSHOT_MAGIC } from '../format/snapshot/schema.ts';

export type Compression = 'xz' | 'gzip' | 'zstd';

export type InputKind =
  | { readonly kind: 'empty' }
  | { readonly kind: 'compressed'; readonly codec: Compression }
  | { readonly kind: 'elf-core'; readonly machine: number }
  | { readonly kind: 'elf-executable'; readonly machine: number }
  /** Relocatable objects, 32-bit or big-endian ELF files: nothing gospy reads. */
  | { readonly kind: 'elf-other'; readonly detail: string }
  | { readonly kind: 'snapshot' }
  /** A Go traceback as the runtime prints it (panic, fatal error, SIGQUIT, runtime.Stack, pprof debug=2). */
  | { readonly kind: 'go-traceback-text' }
  /** `/debug/pprof/goroutine?debug=1`: "goroutine profile: total N" then counted stacks. */
  | { readonly kind: 'pprof-text' }
  | { readonly kind: 'text' }
  | { readonly kind: 'unknown'; readonly head: Uint8Array };

/** Bytes read from the start of a file to classify it (text kinds look for markers this far). */
export const HEAD_BYTES = 64 * 1024;

/** What gospy reads, for messages. */
export const READABLE_KINDS = 'ELF core files (kernel, gcore) and gospy snapshots (.gsz), plain or compressed with xz, gzip or zstd';

const COMPRESSION_MAGIC: readonly (readonly [Compression, readonly number[]])[] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/**
 * Display names of ELF machines for messages (elf(5) / binutils spelling), so a mismatch reads
 * "x86-64" and "AArch64" rather than 62 and 183.
 */
const MACHINE_NAMES: ReadonlyMap<number, string> = new Map([
  [3, 'x86 (32-bit)'],
  [8, 'MIPS'],
  [20, 'PowerPC'],
  [21, 'PowerPC64'],
  [22, 's390x'],
  [40, 'ARM (32-bit)'],
  [EM_X86_64, 'x86-64'],
  [EM_AARCH64, 'AArch64'],
  [243, 'RISC-V'],
  [258, 'LoongArch'],
]);

/** The architecture name of ELF machine `m` (e_machine), or "machine N" when not known. */
export function machineName(m: number): string {
  return MACHINE_NAMES.get(m) ?? `machine ${m}`;
}

/** Compression of `head` (the first bytes of a file), by magic. */
export function detectCompression(head: Uint8Array): Compression | undefined {
  for (const [codec, magic] of COMPRESSION_MAGIC) if (startsWith(head, magic)) return codec;
  return undefined;
}

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const SNAPSHOT_MAGIC_BYTES = [...SNAPSHOT_MAGIC].map((c) => c.charCodeAt(0));

/**
 * The kind of a file whose first bytes are `head` (HEAD_BYTES of them, fewer when the file is
 * shorter). `size` is the whole file's size.
 */
export function detectInputKind(head: Uint8Array, size: number): InputKind {
  if (size === 0) return { kind: 'empty' };
  const codec = detectCompression(head);
  if (codec) return { kind: 'compressed', codec };
  if (startsWith(head, SNAPSHOT_MAGIC_BYTES)) return { kind: 'snapshot' };
  // A snapshot cut to fewer bytes than its magic still goes to the snapshot reader, which says it
  // is truncated.
  const n = head.length;
  if (size < SNAPSHOT_MAGIC_BYTES.length && n >= 4 && SNAPSHOT_MAGIC_BYTES.slice(0, n).every((b, i) => head[i] === b)) {
    return { kind: 'snapshot' };
  }
  if (startsWith(head, ELF_MAGIC)) return elfKind(head);
  if (looksLikeText(head)) return textKind(head);
  return { kind: 'unknown', head: head.subarray(0, 8) };
}

/** ELF header fields (ELF-64 spec): e_ident[EI_CLASS] at 4, [EI_DATA] at 5, e_type at 16, e_machine at 18. */
function elfKind(head: Uint8Array): InputKind {
  if (head.length < 20) return { kind: 'elf-other', detail: 'an ELF file cut short inside its header' };
  if (head[4] !== ELFCLASS64) return { kind: 'elf-other', detail: 'a 32-bit ELF file' };
  if (head[5] !== ELFDATA2LSB) return { kind: 'elf-other', detail: 'a big-endian ELF file' };
  const type = head[16]! | (head[17]! << 8);
  const machine = head[18]! | (head[19]! << 8);
  if (type === ET_CORE) return { kind: 'elf-core', machine };
  if (type === ET_EXEC || type === ET_DYN) return { kind: 'elf-executable', machine };
  return { kind: 'elf-other', detail: `an ELF file of type ${type} (not a core or an executable)` };
}

/** No NUL and almost no control bytes other than tab, CR, LF, ESC (ANSI colour in logs). */
function looksLikeText(head: Uint8Array): boolean {
  let odd = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b) odd++;
  }
  return odd * 100 <= head.length;
}

/**
 * Which text: runtime/traceback.go prints each goroutine's header as "goroutine N [status]:" (also
 * after a log prefix); runtime/pprof/pprof.go's debug=1 goroutine profile starts with
 * "goroutine profile: total N".
 */
function textKind(head: Uint8Array): InputKind {
  const text = new TextDecoder('latin1').decode(head);
  if (/^goroutine profile: total \d+/m.test(text)) return { kind: 'pprof-text' };
  if (/goroutine \d+ (gp=0x[0-9a-f]+ m=\S+ mp=\S+ )?\[[^\]\n]*\]:/.test(text)) return { kind: 'go-traceback-text' };
  return { kind: 'text' };
}

/** A short description of `k` for messages ("an x86-64 executable", "text"). */
export function describeKind(k: InputKind): string {
  switch (k.kind) {
    case 'empty':
      return 'an empty file (0 bytes)';
    case 'compressed':
      return `${k.codec}-compressed`;
    case 'elf-core':
      return `an ELF core file for ${machineName(k.machine)}`;
    case 'elf-executable':
      return `an ${machineName(k.machine)} executable`;
    case 'elf-other':
      return k.detail;
    case 'snapshot':
      return 'a gospy snapshot';
    case 'go-traceback-text':
      return 'a Go traceback (text)';
    case 'pprof-text':
      return 'a goroutine profile (pprof debug=1 text)';
    case 'text':
      return 'a text file';
    case 'unknown':
      return `not a file gospy knows (it starts with bytes ${[...k.head].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
  }
}

/** How to make something gospy reads, for hints. */
const MAKE_INPUT = 'make a core with `gcore PID` (or GOTRACEBACK=crash and `ulimit -c unlimited`), or a snapshot with `gospy capture --pid PID`';

/** The architectures gospy reads, by ELF machine. */
export function isSupportedMachine(m: number): boolean {
  return m === EM_X86_64 || m === EM_AARCH64;
}

/**
 * The error for input `name` of kind `k`, given where a core or snapshot is expected: one line
 * that says what the file is and what gospy reads. Kinds gospy recognises but cannot read yet
 * (Go traceback text, goroutine profiles) are UnsupportedError (exit 3); the rest FormatError.
 */
export function notAnInput(name: string, k: InputKind): FormatError | UnsupportedError {
  switch (k.kind) {
    case 'empty':
      return new FormatError(name, 'empty file (0 bytes)', undefined, {
        hint: 'the file was cut to nothing (full disk, interrupted copy or dump?); ' + MAKE_INPUT,
      });
    case 'elf-executable':
      return new FormatError(name, `not a core file: it is ${describeKind(k)}`, undefined, {
        hint: 'this is an executable, not a core; give the core file (and the executable with --exe)',
      });
    case 'elf-core':
      return new UnsupportedError('arch', `${name}: a core for ${machineName(k.machine)}; gospy reads x86-64 (amd64) and AArch64 (arm64) cores`);
    case 'go-traceback-text':
    case 'pprof-text':
      return new UnsupportedError('input-kind', `${name} is ${describeKind(k)}; gospy cannot read those yet: it reads ${READABLE_KINDS}`, {
        hint: MAKE_INPUT,
      });
    case 'compressed':
      return new FormatError(name, `decompresses to ${k.codec}-compressed data; decompress it once more and give the result`);
    case 'snapshot':
    case 'elf-other':
    case 'text':
    case 'unknown':
      return new FormatError(name, `${describeKind(k)}, not an ELF core file or gospy snapshot; gospy reads ${READABLE_KINDS}`, undefined, {
        hint: MAKE_INPUT,
      });
  }
}

/**
 * The error for `exe` of kind `k` given as the executable of a core for `coreMachine`, or
 * undefined when it is an executable for that machine.
 */
export function notTheExecutable(exe: string, k: InputKind, coreMachine: number): FormatError | MismatchError | undefined {
  if (k.kind === 'elf-executable') {
    if (k.machine === coreMachine) return undefined;
    return new MismatchError(`the executable ${exe} is for ${machineName(k.machine)}, the core for ${machineName(coreMachine)}`, {
      hint: 'pass the exact binary that produced the core with --exe',
    });
  }
  return new FormatError(exe, `${describeKind(k)}, not an executable`, undefined, { hint: 'pass the program binary with --exe' });
}
