import { and, desc, eq, notInArray, sql } from 'drizzle-orm';
import { jobs, videos } from '../db/schema.js';
import type { Deps } from '../env.js';
import { businessError, notFound } from '../lib/errors.js';
import { readSetting, writeSetting } from './settings.js';
import type { VideoRow } from './videos.js';

export type JobRow = typeof jobs.$inferSelect;
export type Quality = JobRow['quality'];
export type Resolution = JobRow['resolution'];

export const MAX_CONCURRENT_KEY = 'max_concurrent';

export function toQueueJob(job: JobRow) {
  return {
    id: job.id,
    videoId: job.videoId,
    status: job.status,
    priority: job.priority,
    retryCount: job.retryCount,
    maxRetries: job.maxRetries,
    errorMessage: job.errorMessage ?? null,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    completedAt: job.completedAt ?? null,
  };
}

export async function getMaxConcurrent(deps: Deps) {
  const stored = Number(await readSetting(deps, MAX_CONCURRENT_KEY));
  return Number.isInteger(stored) && stored > 0 ? stored : deps.config.DEFAULT_MAX_CONCURRENT;
}

/** Stores the global limit in the database, so it survives restarts and is shared by every API instance. */
export async function setMaxConcurrent(deps: Deps, value: number) {
  await writeSetting(deps, MAX_CONCURRENT_KEY, String(value));
}

export async function latestJobForVideo(deps: Deps, videoId: number) {
  const [job] = await deps.db.select().from(jobs).where(eq(jobs.videoId, videoId)).orderBy(desc(jobs.id)).limit(1);
  return job;
}

/**
 * Queues a conversion with the given settings. A job that no runner has claimed yet takes the new
 * settings instead of gaining a twin; a running or finished conversion is refused.
 */
export async function enqueueConversion(deps: Deps, video: VideoRow, settings: { quality: Quality; resolution: Resolution }) {
  if (video.status === 'processing') {
    throw businessError('VIDEO_ALREADY_PROCESSING', 'The video is already being converted');
  }
  if (video.status === 'completed') {
    throw businessError('VIDEO_ALREADY_PROCESSING', 'The video has already been converted; delete it and upload again to convert with other settings');
  }

  const now = deps.clock().toISOString();
  const pending = await deps.db
    .update(jobs)
    .set({ ...settings })
    .where(and(eq(jobs.videoId, video.id), eq(jobs.status, 'pending')))
    .returning();
  if (pending.length > 0) return pending[0];

  return startNewJob(deps, video, settings, now);
}

async function startNewJob(deps: Deps, video: VideoRow, settings: { quality: Quality; resolution: Resolution }, now: string) {
  const [, [job]] = await deps.db.batch([
    deps.db
      .update(videos)
      .set({ status: 'uploaded', conversionProgress: 0, errorMessage: null, updatedAt: now })
      .where(eq(videos.id, video.id)),
    deps.db
      .insert(jobs)
      .values({ videoId: video.id, status: 'pending', ...settings, maxRetries: deps.config.JOB_MAX_RETRIES, createdAt: now })
      .returning(),
  ]);
  return job;
}

/** Starts a failed video over with a new job, keeping the settings of its last attempt. */
export async function retryFailedVideo(deps: Deps, video: VideoRow, settings?: { quality?: Quality; resolution?: Resolution }) {
  if (video.status !== 'failed') {
    throw businessError('INVALID_PARAMS', `Only failed videos can be retried; this video is ${video.status}`, { status: video.status });
  }
  const previous = await latestJobForVideo(deps, video.id);
  return startNewJob(
    deps,
    video,
    {
      quality: settings?.quality ?? previous?.quality ?? 'medium',
      resolution: settings?.resolution ?? previous?.resolution ?? '720p',
    },
    deps.clock().toISOString(),
  );
}

/** Loads a job whose video belongs to the user; anyone else's job is reported as missing. */
export async function getOwnedJob(deps: Deps, userId: number, jobId: number) {
  const [row] = await deps.db
    .select({ job: jobs })
    .from(jobs)
    .innerJoin(videos, eq(videos.id, jobs.videoId))
    .where(and(eq(jobs.id, jobId), eq(videos.userId, userId)));
  if (!row) throw notFound('Queue job not found');
  return row.job;
}

/** Puts a failed job back in the queue with a fresh retry budget. */
export async function retryJob(deps: Deps, job: JobRow) {
  if (job.status !== 'failed') {
    throw businessError('INVALID_PARAMS', `Only failed jobs can be retried; this job is ${job.status}`, { status: job.status });
  }
  const now = deps.clock().toISOString();
  await deps.db.batch([
    deps.db
      .update(jobs)
      .set({
        status: 'pending',
        retryCount: 0,
        errorMessage: null,
        progress: 0,
        notBefore: 0,
        runnerId: null,
        leaseId: null,
        leaseExpiresAt: null,
        startedAt: null,
        completedAt: null,
      })
      .where(and(eq(jobs.id, job.id), eq(jobs.status, 'failed'))),
    deps.db
      .update(videos)
      .set({ status: 'uploaded', conversionProgress: 0, errorMessage: null, updatedAt: now })
      .where(eq(videos.id, job.videoId)),
  ]);
}

export async function queueCounts(deps: Deps) {
  const rows = await deps.db.select({ status: jobs.status, count: sql<number>`count(*)` }).from(jobs).groupBy(jobs.status);
  const counts = { pending: 0, processing: 0, completed: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** Deletes finished (completed) job records beyond the newest `keepCount`; returns how many went. */
export async function cleanupCompletedJobs(deps: Deps, keepCount: number) {
  const keep = deps.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.status, 'completed')).orderBy(desc(jobs.id)).limit(keepCount);
  const removed = await deps.db
    .delete(jobs)
    .where(and(eq(jobs.status, 'completed'), notInArray(jobs.id, keep)))
    .returning({ id: jobs.id });
  return removed.length;
}

