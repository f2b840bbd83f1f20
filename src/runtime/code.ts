/**
 * What the runtime layer needs from the function table (pclntab). format/gosym's PclnTable satisfies
 * it; keeping the surface this small lets unwinding be tested over hand-made tables.
 */
export interface CodeFunc {
  readonly entry: number;
  readonly end: number;
  readonly name: string;
  /** Argument + result bytes (≤1.16 argument printing); −0x80000000 when unknown. */
  readonly args: number;
  /** Normalised special funcID name for this Go version ('goexit', 'wrapper', 'sigpanic', …). */
  readonly special: string | undefined;
  /** FuncFlag bits: TopFrame 1, SPWrite 2, Asm 4. */
  readonly flag: number;
}

export interface CodeInlineFrame {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly special: string | undefined;
  readonly inlined: boolean;
  /** The pc whose file:line this frame shows. */
  readonly pc: number;
}

export interface CodeTable {
  readonly quantum: number;
  findFunc(pc: number): CodeFunc | undefined;
  funcByName(name: string): CodeFunc | undefined;
  pcsp(f: CodeFunc, pc: number): number;
  fileLine(f: CodeFunc, pc: number): { file: string; line: number };
  pcdata(f: CodeFunc, index: number, pc: number): number;
  inlineFrames(f: CodeFunc, pc: number): readonly CodeInlineFrame[];
  argInfo(f: CodeFunc): Uint8Array | undefined;
  argLiveInfo(f: CodeFunc): Uint8Array | undefined;
}

export const FUNC_FLAG_TOPFRAME = 1;
export const FUNC_FLAG_SPWRITE = 2;
