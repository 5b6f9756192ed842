// The caller's side of an engine worker: start it, relay its events, and end it on timeout,
// abort or crash. A failing worker only ever rejects the promise; it cannot end this process.
import { Worker } from 'node:worker_threads';
import { compileCore } from './core.js';
import { TranscodeError } from './errors.js';
import { OpenFileLedger } from './host-fs.js';
import type { WorkerData, WorkerMessage, WorkerTask } from './protocol.js';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface WorkerRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  onFile?: (name: string) => void;
}

export async function runInWorker<T>(task: WorkerTask, options: WorkerRunOptions): Promise<T> {
  options.signal?.throwIfAborted();
  const startedAt = Date.now();
  const wasmModule = await compileCore();
  const ledgerBuffer = OpenFileLedger.createBuffer();
  const data: WorkerData = { task, wasmModule, ledgerBuffer };
  const remainingMs = Math.max(0, options.timeoutMs - (Date.now() - startedAt));

  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY, { workerData: data });
    let settled = false;

    const finish = (error: Error | null, result?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        // Terminating a worker that has already exited is a no-op.
        void worker.terminate();
        reject(error);
      } else {
        resolve(result as T);
      }
    };

    const timer = setTimeout(() => {
      finish(new TranscodeError('timeout', `Transcoding timed out after ${formatSeconds(options.timeoutMs)} and was stopped`));
    }, remainingMs);

    const onAbort = () => {
      const reason = options.signal?.reason;
      const message = reason instanceof Error ? reason.message : 'the caller aborted it';
      finish(new TranscodeError('aborted', `Transcoding was stopped: ${message}`, { cause: reason }));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: WorkerMessage) => {
      if (settled) return;
      try {
        handleMessage(message);
      } catch (error) {
        // An exception in the caller's own callback stops the job rather than escaping as uncaught.
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });

    const handleMessage = (message: WorkerMessage) => {
      switch (message.type) {
        case 'progress':
          options.onProgress?.(message.percent);
          break;
        case 'file':
          options.onFile?.(message.name);
          break;
        case 'done':
          if (task.kind === 'transcode') options.onProgress?.(100);
          finish(null, message.result as T);
          break;
        case 'failed':
          finish(new TranscodeError(message.error.code, message.error.message));
          break;
      }
    };

    worker.on('error', (error) => {
      finish(new TranscodeError('crashed', `The transcoding worker crashed: ${error.message}`, { cause: error }));
    });

    worker.on('exit', (code) => {
      new OpenFileLedger(ledgerBuffer).closeLeftovers();
      finish(new TranscodeError('crashed', `The transcoding worker exited with code ${code} before it finished`));
    });
  });
}

function formatSeconds(ms: number) {
  return `${Math.round(ms / 100) / 10} s`;
}
