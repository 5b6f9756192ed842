import type { Deps } from '../env.js';
import { describeError } from '../lib/logger.js';
import { runScheduledCleanup } from '../services/maintenance.js';

export interface BackgroundOptions {
  deps: Deps;
  apiUrl: string;
  projectRoot: string;
  dataDir: string;
  onNextCleanup(at: Date): void;
}

/** Starts the periodic cleanup timer and, unless TRANSCODER=off, a transcoder process beside the API. */
export function startBackgroundTasks(options: BackgroundOptions) {
  const { deps } = options;
  const intervalMs = deps.config.CLEANUP_INTERVAL_SECONDS * 1000;
  options.onNextCleanup(new Date(Date.now() + intervalMs));

  const timer = setInterval(() => {
    options.onNextCleanup(new Date(Date.now() + intervalMs));
    runScheduledCleanup(deps).catch((error) => deps.logger.log('error', 'Scheduled cleanup failed', describeError(error)));
  }, intervalMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
    },
  };
}
