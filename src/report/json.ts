/**
 * Versioned JSON for every report (schema `gospy.analyze/v1`, documented in docs/json.md). Streamed:
 * the document is yielded in pieces, one goroutine (or bucket) per piece, so memory stays flat for
 * 100k goroutines. The concatenation is one JSON document followed by '\n'.
 */
import { hex } from '../base/hex.ts';
import type { Goroutine, ProcessModel } from '../runtime/model.ts';
import { selectedGoroutines } from './common.ts';
import { topBuckets } from './top.ts';

export const jsonSchema = 'gospy.analyze/v1';

export type ReportKind = 'summary' | 'stacks' | 'top';

export interface JsonOptions {
  readonly report: ReportKind;
  /** Include system goroutines (as --all does for the text reports). */
  readonly all: boolean;
}

export function* formatJson(model: ProcessModel, opts: JsonOptions): Iterable<string> {
  const head = {
    schema: jsonSchema,
    report: opts.report,
    goVersion: model.goVersion,
    executable: model.executable,
    arch: model.arch,
    input: { path: model.input.path, kind: model.input.kind, pid: model.input.pid ?? null },
    buildInfo:
      model.buildInfo === undefined
        ? null
        : {
            path: model.buildInfo.path ?? null,
            mainModule: model.buildInfo.mainModule ?? null,
            mainVersion: model.buildInfo.mainVersion ?? null,
            settings: Object.fromEntries(model.buildInfo.settings),
          },
    provenance: model.provenance,
    clock:
      model.clock === undefined
        ? null
        : { nanotime: model.clock.nanotime, estimated: model.clock.estimated, source: model.clock.source },
    all: opts.all,
    threads: model.threads.map((t) => ({
      tid: t.tid,
      state: t.state ?? null,
      role: t.role,
      goroutine: t.goroutine ?? null,
      mId: t.mId ?? null,
      pc: hex(t.pc),
      function: t.function ?? null,
    })),
  };
  const headText = JSON.stringify(head);
  // Open the object and keep it open: '{…,"threads":[…]'.
  yield headText.slice(0, -1);
  if (opts.report === 'top') {
    const { total, buckets } = topBuckets(model, opts);
    yield `,"total":${total},"buckets":[`;
    let first = true;
    for (const b of buckets) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify({
        function: b.function,
        location: b.location ?? null,
        count: b.count,
        share: b.share,
        statuses: b.statuses,
      })}`;
      first = false;
    }
    yield first ? ']' : '\n]';
  } else {
    yield ',"goroutines":[';
    let first = true;
    for (const g of selectedGoroutines(model.goroutines, opts.all)) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(goroutineJson(g))}`;
      first = false;
    }
    yield first ? ']' : '\n]';
  }
  yield `,"warnings":${JSON.stringify(model.warnings.map((w) => ({ kind: w.kind, message: w.message })))}}\n`;
}

/** The JSON object of one goroutine (docs/json.md, "goroutine"). */
export function goroutineJson(g: Goroutine): object {
  return {
    id: g.id,
    address: hex(g.address),
    status: g.status,
    scan: g.scan,
    waitReason: g.waitReason,
    waitMinutes: g.waitMinutes ?? null,
    lockedToThread: g.lockedToThread,
    system: g.system,
    thread: g.thread ?? null,
    startFunction: g.startFunction ?? null,
    fromRegisters: g.fromRegisters,
    unwindError: g.unwindError ?? null,
    torn: g.torn,
    frames: g.frames.map((f) => ({
      function: f.function,
      args: f.args,
      file: f.file,
      line: f.line,
      pc: hex(f.pc),
      entry: hex(f.entry),
      inlined: f.inlined,
      visible: f.visible,
    })),
    createdBy:
      g.createdBy === undefined
        ? null
        : {
            function: g.createdBy.function,
            file: g.createdBy.file,
            line: g.createdBy.line,
            pc: hex(g.createdBy.pc),
            goroutine: g.createdBy.goroutine ?? null,
            visible: g.createdBy.visible,
          },
    labels: g.labels ?? null,
  };
}
