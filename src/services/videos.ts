import { and, asc, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { jobs, shares, videos } from '../db/schema.js';
import type { Deps } from '../env.js';
import { notFound } from '../lib/errors.js';
import { deletePrefix } from '../storage/index.js';

export type VideoRow = typeof videos.$inferSelect;
export type VideoStatus = VideoRow['status'];

export const VIDEO_STATUSES = ['uploaded', 'processing', 'completed', 'failed'] as const;
export const SORT_FIELDS = ['created_at', 'updated_at', 'title', 'file_size', 'duration'] as const;

/** Object keys of a video. Random parts keep them unguessable and free of anything the client sent. */
export function newVideoKeys(userId: number) {
  const random = crypto.randomUUID();
  return { sourceKey: `originals/${userId}/${random}`, outputPrefix: `hls/${random}/` };
}

/**
 * Builds the client view of a video. `playbackUrl` (see toOwnerVideoResponse in services/playback.ts)
 * is shown only once the video is completed.
 */
export function toVideoResponse(video: VideoRow, baseUrl: string, playbackUrl?: string) {
  const completed = video.status === 'completed';
  return {
    id: video.id,
    title: video.title,
    original_filename: video.originalFilename,
    duration: video.duration ?? undefined,
    file_size: video.fileSize,
    status: video.status,
    conversion_progress: video.conversionProgress,
    thumbnail_url: video.thumbnailKey ? `${baseUrl}/${video.thumbnailKey}` : undefined,
    hls_url: completed ? `${baseUrl}/api/stream/${video.id}/playlist.m3u8` : undefined,
    playback_url: completed ? playbackUrl : undefined,
    ...(video.status === 'failed' && video.errorMessage ? { error_message: video.errorMessage } : {}),
    created_at: video.createdAt,
    updated_at: video.updatedAt,
  };
}

/** Builds the upload response: the video without the URL fields, which do not exist yet. */
export function toUploadedVideoResponse(video: VideoRow) {
  return {
    id: video.id,
    title: video.title,
    original_filename: video.originalFilename,
    file_size: video.fileSize,
    status: video.status,
    conversion_progress: video.conversionProgress,
    created_at: video.createdAt,
    updated_at: video.updatedAt,
  };
}

export interface NewVideo {
  userId: number;
  title: string;
  originalFilename: string;
  mimeType: string;
  fileSize: number;
  sourceKey: string;
  outputPrefix: string;
}

/** Records a stored upload and queues its conversion job in one batch, so neither exists without the other. */
export async function createVideo(deps: Deps, input: NewVideo) {
  const now = deps.clock().toISOString();
  const [inserted] = await deps.db.batch([
    deps.db
      .insert(videos)
      .values({ ...input, titleSearch: input.title.toLowerCase(), status: 'uploaded', conversionProgress: 0, createdAt: now, updatedAt: now })
      .returning(),
    deps.db.insert(jobs).values({
      videoId: sql`(SELECT id FROM videos WHERE source_key = ${input.sourceKey})`,
      status: 'pending',
      maxRetries: deps.config.JOB_MAX_RETRIES,
      createdAt: now,
    }),
  ]);
  return inserted[0];
}

/** Loads a video of this user; another user's video is reported exactly as a missing one. */
export async function getOwnedVideo(deps: Deps, userId: number, videoId: number) {
  const [video] = await deps.db
    .select()
    .from(videos)
    .where(and(eq(videos.id, videoId), eq(videos.userId, userId)));
  if (!video || video.status === 'deleted') throw notFound('Video not found');
  return video;
}

export async function renameVideo(deps: Deps, video: VideoRow, title: string) {
  const [updated] = await deps.db
    .update(videos)
    .set({ title, titleSearch: title.toLowerCase(), updatedAt: deps.clock().toISOString() })
    .where(eq(videos.id, video.id))
    .returning();
  if (!updated) throw notFound('Video not found');
  return updated;
}

/**
 * Deletes a video's rows first (its jobs and shares go with it through foreign keys, so it vanishes from
 * every endpoint at once), then its objects: the original, the HLS output and the thumbnail.
 */
export async function deleteVideo(deps: Deps, video: VideoRow) {
  await deps.db.batch([
    deps.db.delete(shares).where(eq(shares.videoId, video.id)),
    deps.db.delete(jobs).where(eq(jobs.videoId, video.id)),
    deps.db.delete(videos).where(eq(videos.id, video.id)),
  ]);

  const keys = [video.sourceKey, ...(video.thumbnailKey ? [video.thumbnailKey] : [])];
  await deps.store.delete(keys);
  await deletePrefix(deps.store, video.outputPrefix);
}

export interface ListQuery {
  page: number;
  limit: number;
  q?: string;
  status?: VideoStatus;
  startDate?: string;
  endDate?: string;
  endExclusive?: boolean;
  sortBy: (typeof SORT_FIELDS)[number];
  sortOrder: 'ASC' | 'DESC';
}

const sortColumns = {
  created_at: videos.createdAt,
  updated_at: videos.updatedAt,
  title: videos.titleSearch,
  file_size: videos.fileSize,
  duration: videos.duration,
};

export async function listVideos(deps: Deps, userId: number, query: ListQuery) {
  const conditions: SQL[] = [eq(videos.userId, userId), sql`${videos.status} <> 'deleted'`];
  if (query.q) conditions.push(sql`instr(${videos.titleSearch}, ${query.q.toLowerCase()}) > 0`);
  if (query.status) conditions.push(eq(videos.status, query.status));
  if (query.startDate) conditions.push(gte(videos.createdAt, query.startDate));
  if (query.endDate) conditions.push(query.endExclusive ? lt(videos.createdAt, query.endDate) : lte(videos.createdAt, query.endDate));
  const where = and(...conditions);

  const direction = query.sortOrder === 'ASC' ? asc : desc;
  const [rows, [{ total }]] = await Promise.all([
    deps.db
      .select()
      .from(videos)
      .where(where)
      .orderBy(direction(sortColumns[query.sortBy]), direction(videos.id))
      .limit(query.limit)
      .offset((query.page - 1) * query.limit),
    deps.db.select({ total: sql<number>`count(*)` }).from(videos).where(where),
  ]);
  return { rows, total: Number(total) };
}
