/**
 * The one catalogue of gospy's errors. Every error a user can see is a GospyError subclass with a
 * literal `code`, a message that says what is wrong and where, and an optional `hint` that says what
 * to do. The CLI prints `gospy: <message>` and `hint: <hint>`; it never prints a stack trace for these.
 */

export type ErrorCode =
  | 'format'
  | 'unmapped'
  | 'unsupported'
  | 'missing-input'
  | 'mismatch'
  | 'not-go'
  | 'truncated'
  | 'output-exists'
  | 'output-path'
  | 'usage'
  | 'not-permitted'
  | 'resource-limit';

export abstract class GospyError extends Error {
  abstract readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(message: string, options?: { hint?: string | undefined; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
    this.name = new.target.name;
  }
}

/** Bytes that do not decode: `what` names the record, `offset` the byte where it went wrong. */
export class FormatError extends GospyError {
  readonly code = 'format';
  readonly what: string;
  readonly offset: number | undefined;
  constructor(what: string, detail: string, offset?: number, options?: { hint?: string; cause?: unknown }) {
    super(`${what}: ${detail}${offset === undefined ? '' : ` at offset 0x${offset.toString(16)}`}`, options);
    this.what = what;
    this.offset = offset;
  }
}

/** A read of target memory at an address no mapping covers. */
export class UnmappedAddressError extends GospyError {
  readonly code = 'unmapped';
  readonly addr: number;
  readonly purpose: string;
  constructor(addr: number, length: number, purpose: string) {
    super(`address 0x${addr.toString(16)} (+${length}) of ${purpose} is not in any mapping`);
    this.addr = addr;
    this.purpose = purpose;
  }
}

/** Input that is well-formed but that gospy does not handle (architecture, Go version, codec). */
export class UnsupportedError extends GospyError {
  readonly code = 'unsupported';
  readonly feature: string;
  constructor(feature: string, detail: string, options?: { hint?: string; cause?: unknown }) {
    super(detail, options);
    this.feature = feature;
  }
}

/** A file the user named (or that gospy needs) cannot be found or opened. */
export class MissingInputError extends GospyError {
  readonly code = 'missing-input';
  readonly path: string;
  constructor(path: string, detail: string, options?: { hint?: string; cause?: unknown }) {
    super(detail, options);
    this.path = path;
  }
}

/** Two inputs that do not belong together, e.g. a core and an executable with different build ids. */
export class MismatchError extends GospyError {
  readonly code = 'mismatch';
}

/** The input is a valid file of the right kind, but not of a Go program. */
export class NotGoError extends GospyError {
  readonly code = 'not-go';
}

/** The input ends early or lacks data gospy needs (a cut-off core, memory left out of a dump). */
export class TruncatedError extends GospyError {
  readonly code = 'truncated';
}

/** An output file (e.g. a snapshot) already exists and overwriting it was not asked for. */
export class OutputExistsError extends GospyError {
  readonly code = 'output-exists';
  readonly path: string;
  constructor(path: string, detail: string, options?: { hint?: string; cause?: unknown }) {
    super(detail, options);
    this.path = path;
  }
}

/**
 * An output the user named cannot be written: its directory is missing, not a directory or not
 * writable, or a directory stands where the file would go.
 */
export class OutputPathError extends GospyError {
  readonly code = 'output-path';
  readonly path: string;
  constructor(path: string, detail: string, options?: { hint?: string; cause?: unknown }) {
    super(detail, options);
    this.path = path;
  }
}

/** Bad command line. Thrown only by analyze/. */
export class UsageError extends GospyError {
  readonly code = 'usage';
}

/** The operating system refused access to a process (ptrace, /proc): the message names the cause. */
export class NotPermittedError extends GospyError {
  readonly code = 'not-permitted';
}

/** The input needs more of a resource (memory) than this process has: the hint says what to give it. */
export class ResourceLimitError extends GospyError {
  readonly code = 'resource-limit';
}

export function isGospyError(e: unknown): e is GospyError {
  return e instanceof GospyError;
}
