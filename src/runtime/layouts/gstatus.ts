/**
 * Goroutine status values and the text the runtime prints for them (`gStatusStrings` in
 * `src/runtime/traceback.go`). Stable since Go 1.12 except the additions noted.
 */
export const G_SCAN = 0x1000;
export const G_IDLE = 0;
export const G_RUNNABLE = 1;
export const G_RUNNING = 2;
export const G_SYSCALL = 3;
export const G_WAITING = 4;
export const G_DEAD = 6;
export const G_COPYSTACK = 8;
export const G_PREEMPTED = 9; // 1.14+
export const G_LEAKED = 10; // 1.26+
export const G_DEADEXTRA = 11; // 1.26+

export const STATUS_NAMES: readonly string[] = [
  'idle', 'runnable', 'running', 'syscall', 'waiting', '', 'dead', '', 'copystack', 'preempted', 'leaked',
  'waiting for cgo callback',
];

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? '???';
}

/** Dead goroutines (and 1.26+'s idle extra-M goroutines) are never printed. */
export function isDeadStatus(code: number): boolean {
  return code === G_DEAD || code === G_DEADEXTRA;
}
