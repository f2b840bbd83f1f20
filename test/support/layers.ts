/**
 * The layer rule of docs/design.md as a checker over a list of modules and their imports, so that
 * test/architecture.test.ts can run it on the repository and, to show it can fail, on planted
 * module lists. Paths are repository-relative with '/' separators.
 *
 * Rules:
 * - every module belongs to a folder group (src/base … src/report, capture, analyze, bench,
 *   test/support, test) and imports only from the groups that group may see;
 * - src/report sees the runtime only through src/runtime/model.ts; a src/format decoder never
 *   imports another decoder; no test file imports another test file;
 * - src/format/ never reaches the filesystem (node:fs, fs/promises), directly or through a module
 *   it imports: decoders take bytes, writers write to a sink the caller gives them;
 * - no import cycle between modules, and none between folders (a module of folder A importing
 *   folder B while a module of B imports A).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface Module {
  /** Repository-relative path, '/'-separated, e.g. "src/runtime/process.ts". */
  readonly path: string;
  /** Import specifiers: repository-relative paths for relative imports, bare names otherwise ("node:fs"). */
  readonly imports: readonly string[];
}

/** Folder groups in layer order. */
const GROUPS = ['src/base', 'src/format', 'src/memory', 'src/runtime', 'src/report', 'capture', 'analyze', 'build', 'test/support', 'bench', 'test'] as const;
type Group = (typeof GROUPS)[number];

const SRC: readonly Group[] = ['src/base', 'src/format', 'src/memory', 'src/runtime', 'src/report'];

/** What each group may import (besides itself). docs/design.md, "Layers". */
const MAY_IMPORT: Record<Group, readonly Group[]> = {
  'src/base': [],
  'src/format': ['src/base'],
  'src/memory': ['src/base', 'src/format'],
  'src/runtime': ['src/base', 'src/format', 'src/memory'],
  'src/report': ['src/base', 'src/format', 'src/memory', 'src/runtime'],
  capture: ['src/base', 'src/format', 'src/memory', 'src/runtime'],
  analyze: [...SRC, 'capture'],
  // packaging scripts (build to JavaScript): they read the sources, and may ask src/ for facts
  build: [...SRC, 'analyze'],
  // the packaging tests build and pack the real package (build/), as a user's install would get it
  'test/support': [...SRC, 'capture', 'analyze', 'build'],
  bench: [...SRC, 'capture', 'analyze', 'build', 'test/support'],
  test: [...SRC, 'capture', 'analyze', 'build', 'test/support'],
};

/** The folders the layer test covers (every folder of source code in the repository). */
export const CHECKED_FOLDERS = [...new Set(GROUPS.map((g) => g.split('/')[0]!))];

const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);

/** The group of a repository-relative path; test/support before test. */
export function groupOf(p: string): Group | undefined {
  return GROUPS.find((g) => p === g || p.startsWith(`${g}/`));
}

const isTestFile = (p: string): boolean => p.endsWith('.test.ts');
const folderOf = (p: string): string => path.posix.dirname(p);

/** Every import specifier of one source text (static, dynamic, re-exports, type-only), resolved against `file`. */
export function importsOf(file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => (f.fileName.startsWith('.') ? path.posix.normalize(path.posix.join(folderOf(file), f.fileName)) : f.fileName));
}

/** The modules (.ts, .mts, .mjs, .js) under `folders` of the tree at `root`, with their imports. */
export function readModules(root: string, folders: readonly string[] = CHECKED_FOLDERS): Module[] {
  const out: Module[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (/\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        out.push({ path: p, imports: importsOf(p, fs.readFileSync(path.join(root, p), 'utf8')) });
      }
    }
  };
  for (const f of folders) walk(f);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Strongly connected components with more than one member (or a self-loop), each in a stable order. */
function cycles(nodes: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  // Iterative Tarjan: the module graph is small, but recursion depth should not depend on it.
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; it: Iterator<string> }[] = [];
    const enter = (n: string): void => {
      index.set(n, next);
      low.set(n, next);
      next++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, it: (edges.get(n) ?? new Set<string>()).values() });
    };
    enter(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.node);
        if (scc.length > 1 || edges.get(top.node)?.has(top.node)) out.push(scc.sort());
      }
    }
  }
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The shortest path from `start` back to itself inside `within` (breadth first), as a list of nodes. */
function shortestLoop(start: string, within: ReadonlySet<string>, edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const w of [...(edges.get(n) ?? [])].sort()) {
      if (!within.has(w)) continue;
      if (w === start) return [start, ...pathFrom(prev, start, n), start];
      if (!prev.has(w) && w !== start) {
        prev.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The nodes after `start` up to `end` along the breadth-first `prev` links. */
function pathFrom(prev: ReadonlyMap<string, string>, start: string, end: string): string[] {
  const out: string[] = [];
  for (let x: string | undefined = end; x !== undefined && x !== start; x = prev.get(x)) out.unshift(x);
  return out;
}

/** Every violation of the layer rules in `modules`, one line each; empty when the tree is clean. */
export function checkLayers(modules: readonly Module[]): string[] {
  const known = new Set(modules.map((m) => m.path));
  const byPath = new Map(modules.map((m) => [m.path, m]));
  const violations: string[] = [];

  for (const m of modules) {
    const g = groupOf(m.path);
    if (g === undefined) {
      violations.push(`${m.path} is in no layer of docs/design.md`);
      continue;
    }
    for (const target of m.imports) {
      if (FS_MODULES.has(target) && g === 'src/format') violations.push(`${m.path} imports ${target}: src/format/ never touches the filesystem`);
      if (!known.has(target)) continue;
      const tg = groupOf(target);
      if (tg === undefined) continue;
      if (tg !== g && !MAY_IMPORT[g].includes(tg)) violations.push(`${m.path} imports ${target} (${tg} is not below ${g})`);
      if (g === 'src/report' && tg === 'src/runtime' && target !== 'src/runtime/model.ts') {
        violations.push(`${m.path} reaches into ${target}; reports see only src/runtime/model.ts`);
      }
      if (g === 'src/format' && tg === 'src/format' && target.split('/')[2] !== m.path.split('/')[2]) {
        violations.push(`${m.path} imports another decoder ${target}`);
      }
      const tested = m.path.split('/')[1];
      if (g === 'test' && (tg === 'analyze' || tg === 'capture') && SRC.includes(`src/${tested}` as Group)) {
        violations.push(`${m.path} imports ${target}: a test of src/${tested}/ imports only src/ and test helpers`);
      }
      if (isTestFile(target)) violations.push(`${m.path} imports the test file ${target}`);
    }
  }

  // The filesystem reached through another module (e.g. a src/base helper that opens files): the
  // chain of imports that leads there, depth first (the graph is small; no memo, so cycles cannot
  // hide a path).
  const fsPath = (p: string, seen: Set<string>): string | undefined => {
    if (seen.has(p)) return undefined;
    seen.add(p);
    for (const t of byPath.get(p)?.imports ?? []) {
      if (FS_MODULES.has(t)) return t;
      if (!known.has(t)) continue;
      const inner = fsPath(t, seen);
      if (inner !== undefined) return `${t} → ${inner}`;
    }
    return undefined;
  };
  for (const m of modules) {
    if (groupOf(m.path) !== 'src/format') continue;
    for (const t of m.imports) {
      if (!known.has(t)) continue;
      const via = fsPath(t, new Set());
      if (via !== undefined) violations.push(`${m.path} reaches the filesystem through ${t} → ${via}: src/format/ never touches the filesystem`);
    }
  }

  // Module-level cycles.
  const edges = new Map<string, Set<string>>();
  for (const m of modules) edges.set(m.path, new Set(m.imports.filter((t) => known.has(t))));
  for (const c of cycles([...known].sort(), edges)) violations.push(`import cycle: ${c.join(' ↔ ')}`);

  // Folder-level cycles: inside each folder, every subfolder counts as one unit beside the
  // folder's own modules; a unit that both imports and is imported by the same chain is a loop
  // (e.g. src/runtime/target.ts → src/runtime/symbols/ → src/runtime/target.ts).
  const folders = new Set<string>();
  for (const m of modules) for (let f = folderOf(m.path); f !== '.'; f = folderOf(f)) folders.add(f);
  folders.add('.');
  const unitIn = (folder: string, p: string): string | undefined => {
    const prefix = folder === '.' ? '' : `${folder}/`;
    if (!p.startsWith(prefix)) return undefined;
    const rest = p.slice(prefix.length).split('/');
    return rest.length === 1 ? p : `${prefix}${rest[0]}/`;
  };
  for (const folder of [...folders].sort()) {
    const unitEdges = new Map<string, Set<string>>();
    const witness = new Map<string, string>();
    for (const m of modules) {
      const from = unitIn(folder, m.path);
      if (from === undefined) continue;
      for (const t of m.imports) {
        const to = known.has(t) ? unitIn(folder, t) : undefined;
        if (to === undefined || to === from) continue;
        if (!unitEdges.has(from)) unitEdges.set(from, new Set());
        unitEdges.get(from)!.add(to);
        const key = `${from} → ${to}`;
        if (!witness.has(key)) witness.set(key, `${m.path} imports ${t}`);
      }
    }
    const units = [...new Set([...unitEdges.keys(), ...[...unitEdges.values()].flatMap((s) => [...s])])].sort();
    for (const c of cycles(units, unitEdges)) {
      // One loop per subfolder caught in it (a cycle of modules only is reported above).
      for (const sub of c.filter((u) => u.endsWith('/'))) {
        const loop = shortestLoop(sub, new Set(c), unitEdges);
        const why = loop.slice(0, -1).map((u, i) => witness.get(`${u} → ${loop[i + 1]!}`)!);
        violations.push(`folder cycle: ${loop.join(' → ')} (${why.join('; ')})`);
      }
    }
  }
  return violations;
}
