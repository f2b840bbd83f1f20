/**
 * How each Go release prints a traceback: the version-dependent rules of `src/runtime/traceback.go`
 * (gentraceback ≤1.20, unwinder + traceback2 1.21+), `printArgs`, `funcNamePiecesForPrint`,
 * `showfuncinfo`/`isExportedRuntime` and `goroutineheader`, as data. Each row holds from `since` until
 * the next row; the last row is open-ended so a newer Go degrades to the newest known rules.
 */
import { rowFor } from '../../base/since.ts';

export interface TracebackRules {
  readonly since: number;
  /** Callees after which the caller's pc is used as is (no pc−1) when symbolizing. */
  readonly injectedCalls: ReadonlySet<string>;
  /** ≤1.15: an inlined frame's visibility is decided with the outer (physical) function's name. */
  readonly inlineVisibilityByOuter: boolean;
  /** 1.23+: exported methods count as exported runtime functions only on exported receiver types. */
  readonly exportedRuntimeReceiverAware: boolean;
  /** Specials always shown at level 1 (1.25+: runFinalizers, runCleanups). */
  readonly alwaysShown: ReadonlySet<string>;
  readonly elision: 'budget100' | 'head50tail50';
  readonly createdByGoroutine: boolean;
  readonly genericNames: 'raw' | 'abbreviate' | 'abbreviate-groups';
  /** 'words': ≤1.16 stack words from f.args; 'arginfo': 1.17 FUNCDATA_ArgInfo; 'arginfo-live': 1.18+ adds `?`. */
  readonly args: 'words' | 'arginfo' | 'arginfo-live';
  /** ≤1.20: argument liveness is read at the pc where the inline walk ended, not at the frame's pc. */
  readonly argLiveAtInlineParent: boolean;
  /** Where pprof labels appear in the header by default. */
  readonly labels: 'none' | 'inside' | 'after';
  /** Start functions that are user goroutines despite living in package runtime. */
  readonly userStartSpecials: ReadonlySet<string>;
}

const SIGPANIC_ONLY = new Set(['sigpanic']);
const INJECTED_121 = new Set(['sigpanic', 'asyncPreempt', 'debugCallV2']);
const NONE = new Set<string>();

const ROWS: readonly TracebackRules[] = [
  {
    since: 12, injectedCalls: SIGPANIC_ONLY, inlineVisibilityByOuter: true, exportedRuntimeReceiverAware: false,
    alwaysShown: NONE, elision: 'budget100', createdByGoroutine: false, genericNames: 'raw', args: 'words',
    argLiveAtInlineParent: true, labels: 'none', userStartSpecials: new Set(['runtime_main']),
  },
  {
    since: 16, injectedCalls: SIGPANIC_ONLY, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: false,
    alwaysShown: NONE, elision: 'budget100', createdByGoroutine: false, genericNames: 'raw', args: 'words',
    argLiveAtInlineParent: true, labels: 'none', userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent']),
  },
  {
    since: 17, injectedCalls: SIGPANIC_ONLY, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: false,
    alwaysShown: NONE, elision: 'budget100', createdByGoroutine: false, genericNames: 'raw', args: 'arginfo',
    argLiveAtInlineParent: true, labels: 'none', userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent']),
  },
  {
    since: 18, injectedCalls: SIGPANIC_ONLY, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: false,
    alwaysShown: NONE, elision: 'budget100', createdByGoroutine: false, genericNames: 'raw', args: 'arginfo-live',
    argLiveAtInlineParent: true, labels: 'none', userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent']),
  },
  {
    since: 21, injectedCalls: INJECTED_121, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: false,
    alwaysShown: NONE, elision: 'head50tail50', createdByGoroutine: true, genericNames: 'abbreviate',
    args: 'arginfo-live', argLiveAtInlineParent: false, labels: 'none', userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent']),
  },
  {
    since: 22, injectedCalls: INJECTED_121, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: false,
    alwaysShown: NONE, elision: 'head50tail50', createdByGoroutine: true, genericNames: 'abbreviate',
    args: 'arginfo-live', argLiveAtInlineParent: false, labels: 'none', userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent', 'corostart']),
  },
  {
    since: 23, injectedCalls: INJECTED_121, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: true,
    alwaysShown: NONE, elision: 'head50tail50', createdByGoroutine: true, genericNames: 'abbreviate',
    args: 'arginfo-live', argLiveAtInlineParent: false, labels: 'none', userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent', 'corostart']),
  },
  {
    since: 25, injectedCalls: INJECTED_121, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: true,
    alwaysShown: new Set(['runFinalizers', 'runCleanups']), elision: 'head50tail50', createdByGoroutine: true,
    genericNames: 'abbreviate', args: 'arginfo-live', argLiveAtInlineParent: false, labels: 'none',
    userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent', 'corostart']),
  },
  {
    since: 26, injectedCalls: INJECTED_121, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: true,
    alwaysShown: new Set(['runFinalizers', 'runCleanups']), elision: 'head50tail50', createdByGoroutine: true,
    genericNames: 'abbreviate', args: 'arginfo-live', argLiveAtInlineParent: false, labels: 'inside',
    userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent', 'corostart']),
  },
  {
    since: 27, injectedCalls: INJECTED_121, inlineVisibilityByOuter: false, exportedRuntimeReceiverAware: true,
    alwaysShown: new Set(['runFinalizers', 'runCleanups']), elision: 'head50tail50', createdByGoroutine: true,
    genericNames: 'abbreviate-groups', args: 'arginfo-live', argLiveAtInlineParent: false, labels: 'after',
    userStartSpecials: new Set(['runtime_main', 'handleAsyncEvent', 'corostart']),
  },
];

export function tracebackRules(minor: number): TracebackRules {
  return rowFor(ROWS, minor);
}
