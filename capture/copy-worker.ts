/**
 * A copy worker (capture/copy.ts): a thread that claims and copies pieces of each job the main
 * thread posts. It never touches ptrace (the tracer is Node's main thread); process_vm_readv and
 * /proc/PID/pagemap work from any thread.
 *
 * Protocol, all through shared memory so the main thread never has to turn its event loop while
 * the target is stopped: the worker bumps ctl[ready] once it can work (or stores −1 when it cannot),
 * then waits on ctl[generation]. For each bump it takes the newest job message from its port
 * synchronously (receiveMessageOnPort), claims pieces until none is left, and waits again. ctl[quit]
 * ends it.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { CTL, PieceCopier, jobFromMessage, type CopyJobMessage } from './copy-piece.ts';
import { PagemapScanner } from './pagemap.ts';
import { loadSys } from './ptrace.ts';

interface WorkerInput {
  readonly pid: number;
  readonly pageSize: number;
  readonly ctl: SharedArrayBuffer;
  readonly port: MessagePort;
}

const input = workerData as WorkerInput;
const ctl = new Int32Array(input.ctl);
let copier: PieceCopier | undefined;
let scanner: PagemapScanner | undefined;
try {
  scanner = new PagemapScanner(input.pid, input.pageSize);
  copier = new PieceCopier(loadSys(), scanner);
  Atomics.add(ctl, CTL.ready, 1);
} catch {
  Atomics.store(ctl, CTL.ready, -1);
}
Atomics.notify(ctl, CTL.ready);

let seen = 0;
while (copier !== undefined) {
  Atomics.wait(ctl, CTL.generation, seen);
  seen = Atomics.load(ctl, CTL.generation);
  if (Atomics.load(ctl, CTL.quit) !== 0) break;
  // Only the newest job can still have pieces to claim.
  let latest: CopyJobMessage | undefined;
  for (let m = receiveMessageOnPort(input.port); m !== undefined; m = receiveMessageOnPort(input.port)) latest = m.message as CopyJobMessage;
  if (latest !== undefined) copier.run(jobFromMessage(latest));
}
scanner?.close();
input.port.close();
