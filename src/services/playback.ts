// HLS delivery shared by the owner's stream endpoints and the public share endpoints: who may play a
// video, reading and rewriting its playlist, and the object keys of its segments.
import type { Context } from 'hono';
import type { Deps } from '../env.js';
import { businessError, invalidParams, notFound, unauthenticated } from '../lib/errors.js';
import { parseId } from '../lib/params.js';
import { bearerToken } from '../middleware/auth.js';
import { streamToText } from '../storage/index.js';
import { issuePlaybackToken, verifyAccessToken, verifyPlaybackToken } from './tokens.js';
import { getOwnedVideo, toVideoResponse, type VideoRow } from './videos.js';

export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_CONTENT_TYPE = 'video/mp2t';
const PLAYLIST_NAME = 'playlist.m3u8';

// The names the runner protocol accepts for uploaded segments. Only digits vary, so a segment request
// can never name any other object under the video's prefix, let alone outside it.
const SEGMENT_NAME = /^segment_\d{3,6}\.ts$/;

/** Returns the object key of a segment, or throws 400 for a name the transcoder never produces. */
export function segmentKey(video: VideoRow, name: string) {
  if (!SEGMENT_NAME.test(name)) {
    throw invalidParams(`Invalid segment ID in ${JSON.stringify(name)}: expected segment_ followed by 3 to 6 digits`, ['segmentId']);
  }
  return `${video.outputPrefix}${name}`;
}

/** Throws 400 VIDEO_NOT_READY unless the video's HLS output is complete. */
export function requirePlayable(video: VideoRow) {
  if (video.status !== 'completed') {
    throw businessError('VIDEO_NOT_READY', `Video is not ready for playback: its status is ${video.status}`, { status: video.status });
  }
}

/**
 * Authenticates a stream request with either a Bearer access token or a `?token=` playback token, and
 * loads the video. A playback token issued for another video is rejected with 401 before the database
 * is read, so the response reveals nothing about the requested video.
 */
export async function authorizeStream(c: Context, deps: Deps, rawVideoId: string | undefined) {
  const now = deps.clock();
  const bearer = bearerToken(c.req.header('Authorization'));
  const queryToken = c.req.query('token');

  if (bearer) {
    const check = await verifyAccessToken(deps.config, bearer, now);
    if (!check.ok) throw unauthenticated(check.reason === 'expired' ? 'Token has expired; log in again' : 'Invalid token');
    const video = await getOwnedVideo(deps, check.value, parseId(rawVideoId, 'video ID'));
    return { video, playbackToken: null };
  }

  if (queryToken) {
    const check = await verifyPlaybackToken(deps.config, queryToken, now);
    if (!check.ok) {
      throw unauthenticated(
        check.reason === 'expired'
          ? 'Playback token has expired; fetch the video again for a new playback_url'
          : 'Invalid playback token',
      );
    }
    const videoId = parseId(rawVideoId, 'video ID');
    if (check.value.videoId !== videoId) throw unauthenticated('This playback token was issued for another video');
    const video = await getOwnedVideo(deps, check.value.userId, videoId);
    return { video, playbackToken: queryToken };
  }

  throw unauthenticated('Authentication required: send Authorization: Bearer <token>, or use the playback_url of the video');
}

/** Reads the video's stored playlist as text, or throws 404 when the object is missing. */
export async function readPlaylist(deps: Deps, video: VideoRow) {
  const object = await deps.store.get(`${video.outputPrefix}${PLAYLIST_NAME}`);
  if (!object) throw notFound('Playlist file not found');
  return streamToText(object.body);
}

/** Replaces every segment URI line of a playlist with `toUri(name)`. Tags and other lines stay as they are. */
export function rewriteSegmentUris(playlist: string, toUri: (name: string) => string) {
  return playlist
    .split(/\r?\n/)
    .map((line) => {
      const trimmed = line.trim();
      return SEGMENT_NAME.test(trimmed) ? toUri(trimmed) : line;
    })
    .join('\n');
}

/** Builds a playlist response. Playlists are never cached, so URL changes such as a new token reach players at once. */
export function playlistResponse(c: Context, playlist: string) {
  c.header('Content-Type', PLAYLIST_CONTENT_TYPE);
  c.header('Cache-Control', 'no-cache');
  return c.body(playlist);
}

export function playbackUrl(baseUrl: string, videoId: number, token: string) {
  return `${baseUrl}/api/stream/${videoId}/${PLAYLIST_NAME}?token=${encodeURIComponent(token)}`;
}

/**
 * Builds the owner's view of a video. A completed video also gets a `playback_url` carrying a fresh
 * playback token, for players that cannot send an Authorization header.
 */
export async function toOwnerVideoResponse(deps: Deps, video: VideoRow, baseUrl: string) {
  if (video.status !== 'completed') return toVideoResponse(video, baseUrl);
  const token = await issuePlaybackToken(deps.config, video.userId, video.id, deps.clock());
  return toVideoResponse(video, baseUrl, playbackUrl(baseUrl, video.id, token));
}
