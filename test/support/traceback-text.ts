/**
 * Splits a Go traceback dump (runtime.Stack(buf, true) output, or a GOTRACEBACK crash dump) into
 * goroutine blocks, for comparing gospy's output with the runtime's own, goroutine by goroutine.
 */
export interface DumpBlock {
  readonly id: number;
  /** The whole header line. */
  readonly header: string;
  /** Status text: the bracket's first comma-separated part (wait reason or status). */
  readonly status: string;
  /** Everything after the header line. */
  readonly body: string;
  /** Header + body, as printed. */
  readonly text: string;
}

const HEADER = /^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[([^\]]*)\]/;

export function parseDump(text: string): DumpBlock[] {
  const blocks: DumpBlock[] = [];
  const lines = text.split('\n');
  let cur: string[] | undefined;
  const flush = (): void => {
    if (!cur) return;
    while (cur.length > 0 && cur[cur.length - 1] === '') cur.pop();
    const header = cur[0]!;
    const m = HEADER.exec(header)!;
    blocks.push({
      id: Number(m[1]),
      header,
      status: m[2]!.split(',')[0]!.trim(),
      body: cur.slice(1).join('\n'),
      text: cur.join('\n'),
    });
    cur = undefined;
  };
  for (const line of lines) {
    if (HEADER.test(line)) {
      flush();
      cur = [line];
    } else if (cur) {
      cur.push(line);
    }
  }
  flush();
  return blocks;
}

export const RUNNING_ELSEWHERE = '\tgoroutine running on other thread; stack unavailable';
