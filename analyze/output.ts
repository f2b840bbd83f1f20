/**
 * Writing the report: chunks are batched and written with backpressure (wait for 'drain'), and a
 * closed pipe (EPIPE, e.g. `gospy analyze core | head`) ends the output quietly instead of crashing.
 */
/** The part of a Writable the CLI uses; process.stdout and test doubles both fit. */
export interface OutStream {
  write(chunk: string): boolean;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
  readonly isTTY?: boolean | undefined;
}

/** Thrown by `writeChunks` when the reader went away; the CLI turns it into a quiet exit 0. */
export class ClosedPipeError extends Error {
  constructor(cause: unknown) {
    super('output closed', { cause });
    this.name = 'ClosedPipeError';
  }
}

export function isClosedPipe(err: unknown): boolean {
  return (
    err instanceof ClosedPipeError ||
    (typeof err === 'object' && err !== null && 'code' in err && (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED'))
  );
}

const batchBytes = 64 * 1024;

/** Write every chunk, at most ~64 KiB at a time, waiting for 'drain' whenever the stream asks. */
export async function writeChunks(stream: OutStream, chunks: Iterable<string>): Promise<void> {
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure ??= err;
  };
  stream.on('error', onError);
  try {
    let batch = '';
    const flush = async (): Promise<void> => {
      if (failure !== undefined) throw wrap(failure);
      const ok = stream.write(batch);
      batch = '';
      if (!ok && failure === undefined) {
        // Wait for 'drain', or for an error (recorded by onError) that no 'drain' will follow.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stream.off('drain', done);
            stream.off('error', done);
            resolve();
          };
          stream.on('drain', done);
          stream.on('error', done);
        });
      }
      if (failure !== undefined) throw wrap(failure);
    };
    for (const chunk of chunks) {
      batch += chunk;
      if (batch.length >= batchBytes) await flush();
    }
    if (batch !== '') await flush();
    // An EPIPE from the last write arrives on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    if (failure !== undefined) throw wrap(failure);
  } finally {
    stream.off('error', onError);
  }
}

function wrap(err: Error): Error {
  return isClosedPipe(err) ? new ClosedPipeError(err) : err;
}
