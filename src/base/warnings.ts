/** Warnings are data, never printed by src/: the CLI decides how to show them. */
export interface Warning {
  /** Short stable key, e.g. 'go-version-newer', 'wait-minutes-estimated'. */
  readonly kind: string;
  readonly message: string;
}

export class WarningSink {
  readonly list: Warning[] = [];
  private readonly seen = new Set<string>();
  add(kind: string, message: string): void {
    const key = `${kind}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ kind, message });
  }
}
