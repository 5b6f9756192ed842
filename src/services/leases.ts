// The runner side of the queue. A claim hands a job to one runner under a lease, a random id with a
// deadline. Every later call must present that lease id, and a runner that lost its lease gets 409.
import { and, eq, lt, sql } from 'drizzle-orm';
import { jobs, videos } from '../db/schema.js';
import type { Deps } from '../env.js';
import { AppError, notFound } from '../lib/errors.js';
import { MAX_CONCURRENT_KEY, type JobRow } from './queue.js';

export const leaseLost = (jobId: number) =>
  new AppError(409, 'CONFLICT_ERROR', 'LEASE_LOST', `Job ${jobId} is not leased to this runner any more; drop it and claim another`);


/**
 * Claims the next pending job in one UPDATE ... RETURNING statement, so two runners can never claim the
 * same job, and the count of running jobs is checked against max_concurrent in the same statement.
 */
export async function claimJob(deps: Deps, runnerId: number, options: { videoId?: number; leaseSeconds?: number } = {}) {
  await requeueExpiredLeases(deps);

  const now = deps.clock();
  const leaseId = crypto.randomUUID();
  const leaseSeconds = options.leaseSeconds ?? deps.config.JOB_LEASE_SECONDS;
  const deadline = now.getTime() + leaseSeconds * 1000;
  const onlyVideo = options.videoId === undefined ? sql`` : sql` AND video_id = ${options.videoId}`;
  const claimed = await deps.db.all<Record<string, unknown>>(sql`
    UPDATE jobs
    SET status = 'processing', runner_id = ${runnerId}, lease_id = ${leaseId}, lease_expires_at = ${deadline},
        lease_seconds = ${leaseSeconds}, started_at = ${now.toISOString()}, progress = 0
    WHERE id = (
      SELECT id FROM jobs
      WHERE status = 'pending' AND not_before <= ${now.getTime()}${onlyVideo}
        AND (SELECT count(*) FROM jobs WHERE status = 'processing') <
            COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = ${MAX_CONCURRENT_KEY}), ${deps.config.DEFAULT_MAX_CONCURRENT})
      ORDER BY priority DESC, id ASC
      LIMIT 1
    ) AND status = 'pending'
    RETURNING id`);
  if (claimed.length === 0) return null;

  const jobId = Number(claimed[0].id);
  const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, jobId));
  const [video] = await deps.db
    .update(videos)
    .set({ status: 'processing', conversionProgress: 0, updatedAt: now.toISOString() })
    .where(eq(videos.id, job.videoId))
    .returning();
  return { job, video };
}

/** Loads a job only if `leaseId` still holds it; otherwise 404 for an unknown job or 409 for a lost lease. */
export async function requireLease(deps: Deps, jobId: number, leaseId: string | undefined) {
  const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, jobId));
  if (!job) throw notFound(`Job ${jobId} not found; its video may have been deleted`);
  if (!leaseId || job.leaseId !== leaseId || job.status !== 'processing') throw leaseLost(jobId);
  return job;
}

/** Extends the lease and records progress (0-100) on the job and its video. */
export async function renewLease(deps: Deps, jobId: number, leaseId: string, progress: number | undefined) {
  const now = deps.clock();
  const leaseSeconds = sql`coalesce(${jobs.leaseSeconds}, ${deps.config.JOB_LEASE_SECONDS})`;
  const updated = await deps.db
    .update(jobs)
    .set({ leaseExpiresAt: sql`${now.getTime()} + ${leaseSeconds} * 1000`, ...(progress === undefined ? {} : { progress }) })
    .where(and(eq(jobs.id, jobId), eq(jobs.leaseId, leaseId), eq(jobs.status, 'processing')))
    .returning();
  if (updated.length === 0) {
    await requireLease(deps, jobId, leaseId);
    throw leaseLost(jobId);
  }
  if (progress !== undefined) {
    await deps.db
      .update(videos)
      .set({ conversionProgress: progress, updatedAt: now.toISOString() })
      .where(eq(videos.id, updated[0].videoId));
  }
  return { leaseExpiresAt: new Date(updated[0].leaseExpiresAt ?? 0).toISOString() };
}

export interface ConversionResult {
  duration: number;
  width?: number;
  height?: number;
}

/**
 * Marks the job completed and the video playable. Completing a job that this same lease already
 * completed returns the same result, so a runner may safely repeat the call after a lost response.
 */
export async function completeJob(deps: Deps, jobId: number, leaseId: string, result: ConversionResult) {
  const now = deps.clock().toISOString();
  const updated = await deps.db
    .update(jobs)
    .set({ status: 'completed', completedAt: now, progress: 100, leaseExpiresAt: null, errorMessage: null })
    .where(and(eq(jobs.id, jobId), eq(jobs.leaseId, leaseId), eq(jobs.status, 'processing')))
    .returning();
  if (updated.length === 0) {
    const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, jobId));
    if (job && job.status === 'completed' && job.leaseId === leaseId) return job;
    if (!job) throw notFound(`Job ${jobId} not found; its video may have been deleted`);
    throw leaseLost(jobId);
  }

  await deps.db
    .update(videos)
    .set({
      status: 'completed',
      conversionProgress: 100,
      duration: result.duration,
      width: result.width ?? null,
      height: result.height ?? null,
      errorMessage: null,
      updatedAt: now,
    })
    .where(eq(videos.id, updated[0].videoId));
  return updated[0];
}

/**
 * Records a failed attempt. A retryable failure goes back to pending after an exponential backoff
 * until the job has used max_retries retries. After that the job and its video are marked failed.
 */
export async function failAttempt(deps: Deps, job: JobRow, message: string, retryable: boolean, backoff = true) {
  const now = deps.clock();
  const exhausted = !retryable || job.retryCount >= job.maxRetries;
  if (exhausted) {
    await deps.db.batch([
      deps.db
        .update(jobs)
        .set({ status: 'failed', errorMessage: message, completedAt: now.toISOString(), leaseExpiresAt: null })
        .where(and(eq(jobs.id, job.id), eq(jobs.status, 'processing'), eq(jobs.leaseId, job.leaseId ?? ''))),
      deps.db
        .update(videos)
        .set({ status: 'failed', errorMessage: message, updatedAt: now.toISOString() })
        .where(eq(videos.id, job.videoId)),
    ]);
    return 'failed' as const;
  }

  const backoffMs = backoff ? deps.config.JOB_RETRY_BASE_SECONDS * 1000 * 2 ** job.retryCount : 0;
  await deps.db
    .update(jobs)
    .set({
      status: 'pending',
      retryCount: job.retryCount + 1,
      errorMessage: message,
      notBefore: now.getTime() + backoffMs,
      runnerId: null,
      leaseId: null,
      leaseExpiresAt: null,
      progress: 0,
    })
    .where(and(eq(jobs.id, job.id), eq(jobs.status, 'processing'), eq(jobs.leaseId, job.leaseId ?? '')));
  await deps.db.update(videos).set({ conversionProgress: 0, updatedAt: now.toISOString() }).where(eq(videos.id, job.videoId));
  return 'retrying' as const;
}

/** Hands a job back to the queue without counting a retry, for a runner that is shutting down. */
export async function releaseJob(deps: Deps, job: JobRow) {
  const now = deps.clock().toISOString();
  await deps.db
    .update(jobs)
    .set({ status: 'pending', runnerId: null, leaseId: null, leaseExpiresAt: null, progress: 0, startedAt: null })
    .where(and(eq(jobs.id, job.id), eq(jobs.status, 'processing'), eq(jobs.leaseId, job.leaseId ?? '')));
  await deps.db.update(videos).set({ status: 'uploaded', conversionProgress: 0, updatedAt: now }).where(eq(videos.id, job.videoId));
}

/**
 * Treats every job whose lease ran out as a failed attempt, because its runner died or lost contact.
 * It is claimable again at once: the input did not fail, so there is nothing to back off from.
 */
export async function requeueExpiredLeases(deps: Deps) {
  const expired = await deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.status, 'processing'), lt(jobs.leaseExpiresAt, deps.clock().getTime())));
  for (const job of expired) {
    await failAttempt(deps, job, 'The transcoder stopped reporting (its lease expired)', true, false);
  }
  return expired.length;
}
