/** `0x` + lowercase hex, no padding: the way the Go runtime prints numbers in tracebacks. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
