import type { Deps } from '../env.js';
import { cleanupExpiredUploads } from './chunked-uploads.js';
import { requeueExpiredLeases } from './leases.js';

/** Periodic work shared by the Workers cron trigger and the Node timer. */
export async function runScheduledCleanup(deps: Deps) {
  const requeued = await requeueExpiredLeases(deps);
  const uploads = await cleanupExpiredUploads(deps);
  deps.logger.log('info', 'Scheduled cleanup finished', { requeuedJobs: requeued, ...uploads });
  return { requeued, uploads };
}
