import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../env.js';
import { ok } from '../lib/envelope.js';
import { parseId } from '../lib/params.js';
import { publicBaseUrl } from '../lib/urls.js';
import { requireUser } from '../middleware/auth.js';
import { validate } from '../middleware/validate.js';
import { enqueueConversion, latestJobForVideo, retryFailedVideo, toQueueJob } from '../services/queue.js';
import { getOwnedVideo, toVideoResponse } from '../services/videos.js';

export const conversionSettings = z
  .object({
    quality: z.enum(['low', 'medium', 'high'], { error: 'quality must be low, medium or high' }).default('medium'),
    resolution: z.enum(['480p', '720p', '1080p'], { error: 'resolution must be 480p, 720p or 1080p' }).default('720p'),
  })
  .default({ quality: 'medium', resolution: '720p' });

export function hlsRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use('*', requireUser(deps));

  // Without a JSON Content-Type the body is read as {}, so a bare POST converts with the defaults.
  const settingsValidator = validate('json', conversionSettings);
  router.post('/:id/convert', settingsValidator, async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));

    const job = await enqueueConversion(deps, video, c.req.valid('json'));

    return ok(c, 'Video conversion added to queue', { videoId: video.id, jobId: job.id, status: 'queued' });
  });

  router.get('/:id/status', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    const job = await latestJobForVideo(deps, video.id);
    const response = toVideoResponse(video, publicBaseUrl(c, deps));

    return ok(c, 'Conversion status retrieved successfully', {
      videoId: video.id,
      status: video.status,
      progress: video.conversionProgress,
      hlsUrl: response.hls_url ?? null,
      thumbnailUrl: response.thumbnail_url ?? null,
      errorMessage: video.errorMessage ?? null,
      queueJob: job ? toQueueJob(job) : null,
    });
  });

  router.post('/:id/retry', settingsValidator, async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));

    const job = await retryFailedVideo(deps, video, c.req.valid('json'));

    return ok(c, 'Video conversion retry started', { videoId: video.id, jobId: job.id, status: 'queued' });
  });

  return router;
}
