import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../env.js';
import { forbidden, notFound } from '../lib/errors.js';
import { ok } from '../lib/envelope.js';
import { parseId } from '../lib/params.js';
import { isAdmin, requireUser } from '../middleware/auth.js';
import { validate } from '../middleware/validate.js';
import { requeueExpiredLeases } from '../services/leases.js';
import {
  cleanupCompletedJobs,
  getMaxConcurrent,
  getOwnedJob,
  latestJobForVideo,
  queueCounts,
  retryJob,
  setMaxConcurrent,
  toQueueJob,
} from '../services/queue.js';
import { getOwnedVideo } from '../services/videos.js';

export const concurrencyBody = z.object({
  maxConcurrent: z
    .number({ error: 'maxConcurrent must be an integer between 1 and 10' })
    .int('maxConcurrent must be an integer between 1 and 10')
    .min(1, 'maxConcurrent must be between 1 and 10')
    .max(10, 'maxConcurrent must be between 1 and 10'),
});

export const cleanupBody = z
  .object({
    keepCount: z
      .number({ error: 'keepCount must be an integer between 1 and 1000' })
      .int('keepCount must be an integer between 1 and 1000')
      .min(1, 'keepCount must be between 1 and 1000')
      .max(1000, 'keepCount must be between 1 and 1000')
      .default(100),
  })
  .default({ keepCount: 100 });

export function queueRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use('*', requireUser(deps));

  const requireAdmin = async (email: string) => {
    if (!isAdmin(deps, email)) throw forbidden('Only administrators (ADMIN_EMAILS) can change queue settings');
  };

  router.get('/status', async (c) => {
    await requeueExpiredLeases(deps);
    const [counts, maxConcurrent] = await Promise.all([queueCounts(deps), getMaxConcurrent(deps)]);
    return ok(c, 'Queue status retrieved successfully', { ...counts, maxConcurrent });
  });

  router.get('/video/:id', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    const job = await latestJobForVideo(deps, video.id);
    if (!job) throw notFound('No queue task found for this video');
    return ok(c, 'Video queue status retrieved successfully', toQueueJob(job));
  });

  router.post('/retry/:jobId', async (c) => {
    const job = await getOwnedJob(deps, c.get('user').id, parseId(c.req.param('jobId'), 'task ID', 'jobId'));
    await retryJob(deps, job);
    return ok(c, 'Task retry started', { jobId: job.id, status: 'retrying' });
  });

  router.post('/config/concurrency', validate('json', concurrencyBody), async (c) => {
    await requireAdmin(c.get('user').email);
    const { maxConcurrent } = c.req.valid('json');
    await setMaxConcurrent(deps, maxConcurrent);
    return ok(c, 'Maximum concurrency updated successfully', { maxConcurrent });
  });

  router.post('/cleanup', validate('json', z.preprocess((value) => value ?? {}, cleanupBody)), async (c) => {
    await requireAdmin(c.get('user').email);
    const { keepCount } = c.req.valid('json');
    const removed = await cleanupCompletedJobs(deps, keepCount);
    return ok(c, 'Task cleanup completed', { keepCount, removed });
  });

  return router;
}
