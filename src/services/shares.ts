// Share links: a random UUID v4 that lets anyone play one completed video without an account.
// Every lookup reads the database, so disabling or deleting a link takes effect on the next request.
import { and, desc, eq, sql } from 'drizzle-orm';
import { shares, videos } from '../db/schema.js';
import type { Deps } from '../env.js';
import { invalidParams, notFound } from '../lib/errors.js';
import type { VideoRow } from './videos.js';

export type ShareRow = typeof shares.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the token in the lower-case form it is stored in, or throws 400 when it is not a UUID. */
export function parseShareToken(value: string | undefined) {
  if (!value || !UUID.test(value)) throw invalidParams('Invalid sharing token: expected a UUID', ['token']);
  return value.toLowerCase();
}

export function shareUrl(baseUrl: string, token: string) {
  return `${baseUrl}/api/share/${token}/playlist.m3u8`;
}

export function toShareResponse(share: ShareRow, baseUrl: string) {
  return {
    id: share.id,
    video_id: share.videoId,
    access_token: share.accessToken,
    share_url: shareUrl(baseUrl, share.accessToken),
    created_at: share.createdAt,
    is_active: share.isActive,
    access_count: share.accessCount,
  };
}

/** Creates an active share link. The caller must already have checked that the video belongs to the user. */
export async function createShare(deps: Deps, video: VideoRow) {
  if (video.status !== 'completed') throw notFound('Video not found or not yet converted');
  const [share] = await deps.db
    .insert(shares)
    .values({ videoId: video.id, accessToken: crypto.randomUUID(), createdAt: deps.clock().toISOString() })
    .returning();
  return share;
}

export async function listShares(deps: Deps, videoId: number) {
  return deps.db.select().from(shares).where(eq(shares.videoId, videoId)).orderBy(desc(shares.createdAt), desc(shares.id));
}

// Limits a statement to shares of the user's own videos, so another user's share behaves as a missing one.
const ownedBy = (userId: number) => sql`${shares.videoId} IN (SELECT ${videos.id} FROM ${videos} WHERE ${videos.userId} = ${userId})`;

/** Flips is_active in one statement and returns the new state, or throws 404 when the share is missing or not the user's. */
export async function toggleShare(deps: Deps, userId: number, shareId: number) {
  const [updated] = await deps.db
    .update(shares)
    .set({ isActive: sql`NOT ${shares.isActive}` })
    .where(and(eq(shares.id, shareId), ownedBy(userId)))
    .returning({ isActive: shares.isActive });
  if (!updated) throw notFound('Sharing link not found');
  return updated.isActive;
}

export async function deleteShare(deps: Deps, userId: number, shareId: number) {
  const deleted = await deps.db
    .delete(shares)
    .where(and(eq(shares.id, shareId), ownedBy(userId)))
    .returning({ id: shares.id });
  if (deleted.length === 0) throw notFound('Sharing link not found');
}

/** Loads an active share and its video, or throws 404 when the link is unknown, disabled or its video is not playable. */
export async function findPlayableShare(deps: Deps, token: string) {
  const [row] = await deps.db
    .select({ share: shares, video: videos })
    .from(shares)
    .innerJoin(videos, eq(videos.id, shares.videoId))
    .where(and(eq(shares.accessToken, token), eq(shares.isActive, true), eq(videos.status, 'completed')));
  if (!row) throw notFound('Sharing link is invalid or has been disabled');
  return row;
}

/** Counts one view in a single UPDATE, so concurrent views never overwrite each other's increment. */
export async function recordShareView(deps: Deps, shareId: number) {
  await deps.db
    .update(shares)
    .set({ accessCount: sql`${shares.accessCount} + 1`, lastAccessedAt: deps.clock().toISOString() })
    .where(eq(shares.id, shareId));
}
