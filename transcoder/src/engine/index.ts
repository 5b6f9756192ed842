// The transcoding engine: ffmpeg.wasm (@ffmpeg/core 0.12) in worker threads, turning one source
// file into an HLS VOD stream (playlist.m3u8, segment_NNN.ts, thumbnail.jpg) in a directory.
import { stat } from 'node:fs/promises';
import { TranscodeError, UNREADABLE_INPUT_MESSAGE } from './errors.js';
import { runInWorker } from './run-worker.js';
import type { MediaInfo, TranscodeOptions, TranscodeResult } from './types.js';

export { TranscodeError, type TranscodeErrorCode } from './errors.js';
export { QUALITY_SETTINGS, TARGET_HEIGHT, outputFrameSize } from './settings.js';
export type { MediaInfo, Quality, Resolution, TranscodeOptions, TranscodeResult } from './types.js';

const DEFAULT_PROBE_TIMEOUT_MS = 60_000;

export interface ProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Read duration, streams, frame size and rotation of a media file with ffprobe. */
export async function probe(inputPath: string, options: ProbeOptions = {}): Promise<MediaInfo> {
  await checkSourceFile(inputPath);
  return runInWorker<MediaInfo>(
    { kind: 'probe', inputPath },
    { timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, signal: options.signal },
  );
}

/**
 * Convert a media file into HLS in `outputDir`. Rejects with a TranscodeError whose message
 * can be shown to the uploader. Files written before a failure stay in `outputDir`, so the
 * caller decides whether to delete them.
 */
export async function transcodeToHls(options: TranscodeOptions): Promise<TranscodeResult> {
  await checkSourceFile(options.inputPath);
  await checkOutputDir(options.outputDir);
  return runInWorker<TranscodeResult>(
    {
      kind: 'transcode',
      inputPath: options.inputPath,
      outputDir: options.outputDir,
      resolution: options.resolution,
      quality: options.quality,
    },
    { timeoutMs: options.timeoutMs, signal: options.signal, onProgress: options.onProgress, onFile: options.onFile },
  );
}

async function checkSourceFile(inputPath: string) {
  const stats = await stat(inputPath).catch(() => null);
  if (!stats?.isFile()) throw new TranscodeError('invalid_input', `Source file not found: ${inputPath}`);
  if (stats.size === 0) throw new TranscodeError('invalid_input', `${UNREADABLE_INPUT_MESSAGE}: the file is empty`);
}

async function checkOutputDir(outputDir: string) {
  const stats = await stat(outputDir).catch(() => null);
  if (!stats?.isDirectory()) throw new Error(`Output directory not found: ${outputDir}; create it before calling transcodeToHls`);
}
