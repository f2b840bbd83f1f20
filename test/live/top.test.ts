/**
 * `gospy top --pid N` against a real, running Go program (the committed `states` sample): one frame
 * when stdout is not a terminal, and the live view in a real terminal (a detached tmux session): the
 * table, a header that refreshes, `q` and Ctrl-C quit and give the shell back (alternate screen left).
 * Needs ptrace (CI runs as root) and tmux (.ci/run installs it); never skips.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSample, GOSPY, NODE, runGospy, sleep, useGoSample, waitRunning } from '../support/live-target.ts';

const build = findSample('states', 'go1.27', 'static');

describe('gospy top --pid', () => {
  const target = useGoSample(build);

  it('prints one frame and exits 0 when stdout is not a terminal', async () => {
    const r = await runGospy(['top', '--pid', String(target.pid)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^gospy top  pid ${target.pid}  \\d+ goroutines \\(\\+\\d+ system\\)  \\d+ groups  pause [0-9.]+ ms  \\d\\d:\\d\\d:\\d\\d$`));
    expect(lines[2]).toMatch(/^COUNT\s+SHARE\s+FUNCTION\s+STATES$/);
    expect(r.stdout).toMatch(/^\s+1\s+[0-9.]+%\s+main\.blockChanRecv\s+chan receive×1$/m);
    // No escape sequences and exactly one header: one frame, plain text.
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout.match(/gospy top {2}pid/g)).toHaveLength(1);
    const { states, tracer } = await waitRunning(target.pid);
    expect(tracer).toBe(0);
    expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
  });

  it('rejects a --rate that is not a sensible number of seconds', async () => {
    const r = await runGospy(['top', '--pid', String(target.pid), '--rate', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rate must be');
  });

  describe('in a real terminal (tmux)', () => {
    // A private tmux server on a socket in a temp dir: nothing here touches the user's sessions.
    let socketDir = '';
    let socket = '';
    const session = 'top';
    const env = { ...process.env, TERM: 'xterm-256color' };
    const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    const pane = (): string => tmux('capture-pane', '-p', '-t', session);
    const header = (text: string): string | undefined => text.split('\n').find((l) => l.startsWith('gospy top  pid'));
    const waitFor = async (what: string, ok: (text: string) => boolean, ms = 15_000): Promise<string> => {
      const end = Date.now() + ms;
      for (;;) {
        const text = pane();
        if (ok(text)) return text;
        if (Date.now() > end) throw new Error(`tmux pane never showed ${what}; it shows:\n${text}`);
        await sleep(100);
      }
    };

    afterAll(() => {
      if (socketDir !== '') fs.rmSync(socketDir, { recursive: true, force: true });
    });

    beforeAll(() => {
      try {
        execFileSync('tmux', ['-V'], { stdio: 'ignore' });
      } catch {
        throw new Error('the terminal test needs tmux (Debian: apt-get install -y tmux; .ci/run installs it)');
      }
      socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gospy-tmux-'));
      socket = path.join(socketDir, 'sock');
    });

    const cases: [string, string][] = [
      ['q', 'q'],
      ['Ctrl-C', 'C-c'],
    ];
    for (const [name, key] of cases) {
      it(`refreshes the view and quits on ${name}, giving the shell back`, async () => {
        try {
          tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', 'bash --norc --noprofile');
          tmux('send-keys', '-t', session, "PS1='SHELL> '", 'Enter', 'clear', 'Enter');
          await waitFor('the shell prompt', (t) => /SHELL>\s*$/.test(t.trimEnd()));
          tmux('send-keys', '-t', session, `'${NODE}' '${GOSPY}' top --pid ${target.pid}; echo "gospy-exit=$?"`, 'Enter');
          const first = await waitFor('the table', (t) => /COUNT\s+SHARE\s+FUNCTION\s+STATES/.test(t) && t.includes('main.blockChanRecv'));
          const h1 = header(first);
          expect(h1).toMatch(new RegExp(`^gospy top  pid ${target.pid}  \\d+ goroutines .* pause [0-9.]+ ms  \\d\\d:\\d\\d:\\d\\d  \\(q quits\\)`));
          // The brief's rhythm: look again ~2.5 s after start; by then the header was redrawn.
          await sleep(2500);
          const later = pane();
          expect(later).toMatch(/^\s+1\s+[0-9.]+%\s+main\.blockChanRecv\s+chan receive×1$/m);
          const h2 = header(later);
          expect(h2).toBeDefined();
          expect(h2).not.toBe(h1);
          expect(later.match(/gospy top {2}pid/g)).toHaveLength(1);
          tmux('send-keys', '-t', session, key);
          const after = await waitFor('the shell again', (t) => t.includes('gospy-exit=') && /SHELL>\s*$/.test(t.trimEnd()));
          expect(after).toContain('gospy-exit=0');
          // The alternate screen was left: the view is gone, the command line is back.
          expect(after).not.toContain('COUNT  SHARE');
          expect(after).toContain(`top --pid ${target.pid}`);
          const { states, tracer } = await waitRunning(target.pid);
          expect(tracer).toBe(0);
          expect(states.filter((s) => s === 'T' || s === 't')).toEqual([]);
          expect(target.child.exitCode).toBeNull();
        } finally {
          try {
            tmux('kill-session', '-t', session);
          } catch {
            // already gone
          }
          try {
            tmux('kill-server');
          } catch {
            // no server left
          }
        }
      });
    }
  });
});
