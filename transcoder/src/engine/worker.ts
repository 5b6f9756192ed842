// Entry of the engine worker thread: runs one task and reports through postMessage.
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from './errors.js';
import { FfmpegRunner } from './ffmpeg-run.js';
import { OpenFileLedger } from './host-fs.js';
import { probeMedia, transcodeMedia } from './pipeline.js';
import type { WorkerData, WorkerMessage } from './protocol.js';

const { task, wasmModule, ledgerBuffer } = workerData as WorkerData;
const runner = new FfmpegRunner(wasmModule, new OpenFileLedger(ledgerBuffer));

// postMessage does not wait for this thread's event loop, so the caller receives progress and
// files while ffmpeg still blocks this thread.
function post(message: WorkerMessage) {
  parentPort!.postMessage(message);
}

try {
  const result =
    task.kind === 'probe'
      ? await probeMedia(runner, task.inputPath)
      : await transcodeMedia(runner, task, {
          progress: (percent) => post({ type: 'progress', percent }),
          file: (name) => post({ type: 'file', name }),
        });
  post({ type: 'done', result });
} catch (error) {
  post({ type: 'failed', error: serializeError(error) });
}
