// Messages between the caller's thread (run-worker.ts) and the engine worker (worker.ts).
import type { SerializedError } from './errors.js';
import type { MediaInfo, Quality, Resolution, TranscodeResult } from './types.js';

export type WorkerTask =
  | { kind: 'probe'; inputPath: string }
  | { kind: 'transcode'; inputPath: string; outputDir: string; resolution: Resolution; quality: Quality };

export interface WorkerData {
  task: WorkerTask;
  wasmModule: WebAssembly.Module;
  /** Shared memory of the OpenFileLedger, so the caller can close files a killed worker left open. */
  ledgerBuffer: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; percent: number }
  | { type: 'file'; name: string }
  | { type: 'done'; result: MediaInfo | TranscodeResult }
  | { type: 'failed'; error: SerializedError };
