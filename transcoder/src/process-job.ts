// One job, as a pipeline: fetch source → transcode (which probes first) → upload outputs as they
// appear → complete. The lease is renewed on a timer the whole time. When the API reports that the job
// is no longer ours, the transcode is aborted and nothing more is sent.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiError, type ClaimedJob, type RunnerApi } from './api-client.js';
import { TranscodeError, transcodeToHls } from './engine/index.js';
import { errorMessage, log } from './log.js';

export interface JobOptions {
  api: RunnerApi;
  workDir?: string;
  timeoutMs: number;
  /** Aborted when the runner must give the job back (shutdown grace period over). */
  shutdown: AbortSignal;
}

export type JobOutcome = 'completed' | 'failed' | 'lost' | 'released';

export async function processJob(job: ClaimedJob, options: JobOptions): Promise<JobOutcome> {
  const { api } = options;
  const root = await mkdtemp(path.join(options.workDir ?? os.tmpdir(), `hlsmith-job-${job.id}-`));
  const sourcePath = path.join(root, 'source');
  const outputDir = path.join(root, 'output');
  await mkdir(outputDir);

  const abort = new AbortController();
  const onShutdown = () => abort.abort(new Error('runner is shutting down'));
  options.shutdown.addEventListener('abort', onShutdown, { once: true });
  const lease = keepLease(api, job, abort);

  try {
    log.info('Job claimed', { jobId: job.id, videoId: job.videoId, attempt: job.attempt, resolution: job.resolution, quality: job.quality });
    await api.downloadSource(job, sourcePath);

    // An output that cannot be uploaded ends the job at once: the error is kept and ffmpeg is stopped,
    // rather than left as a rejected promise that would end the whole runner process.
    let uploads = Promise.resolve();
    let uploadError: unknown;
    const result = await transcodeToHls({
      inputPath: sourcePath,
      outputDir,
      resolution: job.resolution,
      quality: job.quality,
      timeoutMs: options.timeoutMs,
      signal: abort.signal,
      onProgress: (percent) => lease.report(percent),
      // The playlist is reported last, so uploading in order never publishes a playlist before its segments.
      onFile: (name) => {
        uploads = uploads
          .then(() => (uploadError === undefined ? api.uploadFile(job, name, path.join(outputDir, name)) : undefined))
          .catch((error) => {
            uploadError ??= error;
            abort.abort(error);
          });
      },
    }).catch(async (error) => {
      await uploads;
      throw uploadError ?? error;
    });
    await uploads;
    if (uploadError !== undefined) throw uploadError;

    // Audio-only output has no frame size, and the API takes none rather than zeros.
    const frame = result.hasVideo ? { width: result.width, height: result.height } : {};
    await api.complete(job, { duration: result.durationSeconds, ...frame, segments: result.segments });
    log.info('Job completed', { jobId: job.id, videoId: job.videoId, duration: result.durationSeconds, height: result.height });
    return 'completed';
  } catch (error) {
    return await settleFailure(api, job, error, abort.signal, options.shutdown);
  } finally {
    lease.stop();
    options.shutdown.removeEventListener('abort', onShutdown);
    await rm(root, { recursive: true, force: true });
  }
}

async function settleFailure(api: RunnerApi, job: ClaimedJob, error: unknown, aborted: AbortSignal, shutdown: AbortSignal) {
  const lost = error instanceof ApiError ? error.jobGone : aborted.aborted && !shutdown.aborted;
  if (lost) {
    log.warn('Job dropped: it is no longer leased to this runner', { jobId: job.id, reason: errorMessage(aborted.reason ?? error) });
    return 'lost' as const;
  }
  if (shutdown.aborted) {
    await api.release(job).catch((releaseError) => log.warn('Cannot release job', { jobId: job.id, error: errorMessage(releaseError) }));
    log.info('Job released for another runner', { jobId: job.id });
    return 'released' as const;
  }

  const message = errorMessage(error);
  // A file ffmpeg cannot read will not become readable on a second try; anything else might.
  const retryable = !(error instanceof TranscodeError && error.code === 'invalid_input');
  log.error('Job failed', { jobId: job.id, videoId: job.videoId, error: message, retryable });
  await api.fail(job, message, retryable).catch((failError) => log.warn('Cannot report failure', { jobId: job.id, error: errorMessage(failError) }));
  return 'failed' as const;
}

/** Renews the lease every third of its length and carries the latest progress with it. */
function keepLease(api: RunnerApi, job: ClaimedJob, abort: AbortController) {
  let progress = 0;
  let sent = -1;
  const everyMs = Math.max(1000, Math.min(5000, (job.leaseSeconds * 1000) / 3));

  const beat = async () => {
    try {
      const current = progress;
      await api.heartbeat(job, current);
      sent = current;
    } catch (error) {
      if (error instanceof ApiError && error.jobGone) abort.abort(error);
      else log.warn('Cannot renew lease; will retry', { jobId: job.id, error: errorMessage(error) });
    }
  };
  const timer = setInterval(() => void beat(), everyMs);

  return {
    report(percent: number) {
      // ffmpeg reports 100 before the outputs are uploaded; the API records 100 on completion.
      progress = Math.min(99, Math.max(0, Math.round(percent)));
      if (progress !== sent) log.progress(job.id, progress);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
