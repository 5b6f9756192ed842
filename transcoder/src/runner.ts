import { RunnerApi, type ClaimedJob } from './api-client.js';
import { errorMessage, log } from './log.js';
import { processJob } from './process-job.js';

export interface RunnerOptions {
  apiUrl: string;
  registrationToken?: string;
  runnerToken?: string;
  name: string;
  /** Jobs this runner works on at once; each runs ffmpeg.wasm in its own worker thread. */
  concurrency: number;
  pollIntervalMs: number;
  jobTimeoutMs: number;
  /** How long SIGTERM waits for running jobs before releasing them to other runners. */
  shutdownGraceMs: number;
  workDir?: string;
}

/** Polls the API for jobs and runs up to `concurrency` of them at a time until `stop()` is called. */
export async function startRunner(options: RunnerOptions) {
  const api = new RunnerApi(options.apiUrl, options.runnerToken);
  if (!options.runnerToken) {
    if (!options.registrationToken) throw new Error('Set HLSMITH_REGISTRATION_TOKEN (or HLSMITH_RUNNER_TOKEN) so the runner can authenticate');
    const { runnerId } = await registerWithRetry(api, options.registrationToken, options.name);
    log.info('Runner registered', { runnerId, name: options.name, api: options.apiUrl });
  }

  const active = new Set<Promise<unknown>>();
  const shutdown = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopping) {
      if (active.size >= options.concurrency) {
        await Promise.race(active);
        continue;
      }
      let job: ClaimedJob | null = null;
      try {
        job = await api.claim();
      } catch (error) {
        log.warn('Cannot claim a job; will retry', { error: errorMessage(error) });
      }
      if (!job) {
        await sleep(options.pollIntervalMs);
        continue;
      }
      const running = processJob(job, { api, timeoutMs: options.jobTimeoutMs, shutdown: shutdown.signal, workDir: options.workDir }).finally(() =>
        active.delete(running),
      );
      active.add(running);
    }
  })();

  return {
    /** Stops claiming, waits up to the grace period for running jobs, then releases what is left. */
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      if (active.size === 0) return;
      log.info('Waiting for running jobs before exit', { jobs: active.size, graceMs: options.shutdownGraceMs });
      const grace = new Promise((resolve) => setTimeout(resolve, options.shutdownGraceMs).unref());
      await Promise.race([Promise.all(active), grace]);
      shutdown.abort();
      await Promise.all(active);
    },
  };
}

async function registerWithRetry(api: RunnerApi, token: string, name: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.register(token, name);
    } catch (error) {
      // The API may still be starting (npm start launches both at once); a refused token is final.
      if (attempt >= 30 || (error as { status?: number }).status === 401) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
