// The transcoder protocol. Runners never see the database or bucket credentials: they register with
// the deployment's registration token, then claim jobs, fetch sources, upload outputs and report back here.
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { videos } from '../db/schema.js';
import { eq } from 'drizzle-orm';
import type { AppEnv, Deps } from '../env.js';
import { AppError, invalidParams, unauthenticated } from '../lib/errors.js';
import { ok } from '../lib/envelope.js';
import { parseId } from '../lib/params.js';
import { serveObject } from '../lib/serve-object.js';
import { limitStream } from '../lib/streams.js';
import { bearerToken } from '../middleware/auth.js';
import { validate } from '../middleware/validate.js';
import { claimJob, completeJob, failAttempt, releaseJob, renewLease, requireLease } from '../services/leases.js';
import { findRunnerByToken, registerRunner } from '../services/runners.js';

export const LEASE_HEADER = 'X-Lease-Id';
const OUTPUT_FILE = /^(playlist\.m3u8|segment_\d{3,6}\.ts|thumbnail\.jpg)$/;
const MAX_OUTPUT_FILE_BYTES = 512 * 1024 * 1024;

const contentTypes: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  jpg: 'image/jpeg',
};

function requireRunner(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function authenticateRunner(c, next) {
    const token = bearerToken(c.req.header('Authorization'));
    if (!token) throw unauthenticated('Runner token required: send Authorization: Bearer <runner token>');
    const runner = await findRunnerByToken(deps, token);
    if (!runner) throw unauthenticated('Unknown runner token; register the runner again');
    c.set('runnerId', runner.id);
    await next();
  };
}

function thumbnailKeyFor(now: Date) {
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `thumbnails/${now.getUTCFullYear()}/${month}/${crypto.randomUUID()}.jpg`;
}

export const registerBody = z.object({
  registrationToken: z.string({ error: 'registrationToken is required' }).min(1),
  name: z.string().trim().min(1).max(100).default('transcoder'),
});
export const claimBody = z.object({
  // Restricts the claim to one video's jobs, for reprocessing a given video and for tests.
  videoId: z.number().int().positive().optional(),
  leaseSeconds: z.number().int().min(2).max(3600).optional(),
});
export const heartbeatBody = z.object({ progress: z.number().int().min(0).max(100).optional() });
export const completeBody = z.object({
  duration: z.number().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  segments: z.array(z.string().regex(/^segment_\d{3,6}\.ts$/)).min(1),
});
export const failBody = z.object({ message: z.string().trim().min(1).max(2000), retryable: z.boolean().default(true) });

export function runnerRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.post('/register', validate('json', registerBody), async (c) => {
    const { registrationToken, name } = c.req.valid('json');
    const registered = await registerRunner(deps, registrationToken, name);
    return ok(c, 'Runner registered', registered, 201);
  });

  router.use('/jobs/*', requireRunner(deps));

  router.post('/jobs/claim', validate('json', claimBody), async (c) => {
    const claimed = await claimJob(deps, c.get('runnerId'), c.req.valid('json'));
    if (!claimed) return ok(c, 'No job available', { job: null });

    const { job, video } = claimed;
    return ok(c, 'Job claimed', {
      job: {
        id: job.id,
        leaseId: job.leaseId,
        leaseExpiresAt: new Date(job.leaseExpiresAt ?? 0).toISOString(),
        leaseSeconds: job.leaseSeconds ?? deps.config.JOB_LEASE_SECONDS,
        videoId: job.videoId,
        quality: job.quality,
        resolution: job.resolution,
        attempt: job.retryCount + 1,
        source: { size: video.fileSize, mimeType: video.mimeType, url: `/api/runners/jobs/${job.id}/source` },
      },
    });
  });

  router.get('/jobs/:jobId/source', async (c) => {
    const job = await requireLease(deps, parseId(c.req.param('jobId'), 'job ID', 'jobId'), c.req.header(LEASE_HEADER));
    const [video] = await deps.db.select().from(videos).where(eq(videos.id, job.videoId));
    return serveObject(c, deps, video.sourceKey, {
      contentType: video.mimeType,
      cacheControl: 'no-store',
      missingMessage: 'The source file of this job is missing from storage',
    });
  });

  router.post('/jobs/:jobId/heartbeat', validate('json', heartbeatBody), async (c) => {
    const jobId = parseId(c.req.param('jobId'), 'job ID', 'jobId');
    const leaseId = c.req.header(LEASE_HEADER) ?? '';
    const lease = await renewLease(deps, jobId, leaseId, c.req.valid('json').progress);
    return ok(c, 'Lease renewed', lease);
  });

  router.put('/jobs/:jobId/files/:name', async (c) => {
    const job = await requireLease(deps, parseId(c.req.param('jobId'), 'job ID', 'jobId'), c.req.header(LEASE_HEADER));
    const name = c.req.param('name');
    if (!OUTPUT_FILE.test(name)) throw invalidParams(`Invalid output file name ${JSON.stringify(name)}`, ['name']);
    if (!c.req.raw.body) throw invalidParams('Request body is empty', ['body']);

    const [video] = await deps.db.select().from(videos).where(eq(videos.id, job.videoId));
    const extension = name.slice(name.lastIndexOf('.') + 1);
    const key = name === 'thumbnail.jpg' ? thumbnailKeyFor(deps.clock()) : `${video.outputPrefix}${name}`;
    const length = Number(c.req.header('Content-Length') ?? NaN);
    const body = limitStream(c.req.raw.body, MAX_OUTPUT_FILE_BYTES).stream;

    const info = await deps.store.put(key, body, {
      contentType: contentTypes[extension],
      ...(Number.isSafeInteger(length) && length >= 0 ? { length } : {}),
    });

    if (name === 'thumbnail.jpg') {
      await deps.db.update(videos).set({ thumbnailKey: key }).where(eq(videos.id, video.id));
      if (video.thumbnailKey && video.thumbnailKey !== key) await deps.store.delete(video.thumbnailKey);
    }
    return ok(c, 'File stored', { name, size: info.size });
  });

  router.post('/jobs/:jobId/complete', validate('json', completeBody), async (c) => {
    const jobId = parseId(c.req.param('jobId'), 'job ID', 'jobId');
    const leaseId = c.req.header(LEASE_HEADER) ?? '';
    const result = c.req.valid('json');

    const job = await requireLease(deps, jobId, leaseId).catch(async (error) => {
      // completeJob accepts a repeated completion from the same lease, so a lost response can be retried.
      if (error instanceof AppError && error.status === 409) return null;
      throw error;
    });
    if (job) await checkOutputsStored(deps, job.videoId, result.segments);

    const completed = await completeJob(deps, jobId, leaseId, result);
    return ok(c, 'Job completed', { jobId: completed.id, status: completed.status });
  });

  router.post('/jobs/:jobId/fail', validate('json', failBody), async (c) => {
    const job = await requireLease(deps, parseId(c.req.param('jobId'), 'job ID', 'jobId'), c.req.header(LEASE_HEADER));
    const { message, retryable } = c.req.valid('json');
    const outcome = await failAttempt(deps, job, message, retryable);
    return ok(c, 'Failure recorded', { jobId: job.id, status: outcome });
  });

  router.post('/jobs/:jobId/release', async (c) => {
    const job = await requireLease(deps, parseId(c.req.param('jobId'), 'job ID', 'jobId'), c.req.header(LEASE_HEADER));
    await releaseJob(deps, job);
    return ok(c, 'Job released', { jobId: job.id, status: 'pending' });
  });

  return router;
}

/** Refuses to mark a video playable unless its playlist and every listed segment are in storage. */
async function checkOutputsStored(deps: Deps, videoId: number, segments: string[]) {
  const [video] = await deps.db.select().from(videos).where(eq(videos.id, videoId));
  const names = ['playlist.m3u8', ...segments];
  const found = await Promise.all(names.map((name) => deps.store.head(`${video.outputPrefix}${name}`)));
  const missing = names.filter((_, index) => !found[index]);
  if (missing.length > 0) {
    throw invalidParams(`Upload these outputs before completing the job: ${missing.join(', ')}`, ['segments'], { missing });
  }
}
