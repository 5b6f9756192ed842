// The owner's HLS endpoints. A player authenticates with a Bearer access token, or with the `?token=`
// playback token of the video's playback_url when it cannot send headers (a <video> element, VLC).
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../env.js';
import { serveObject } from '../lib/serve-object.js';
import {
  authorizeStream,
  playlistResponse,
  readPlaylist,
  requirePlayable,
  rewriteSegmentUris,
  SEGMENT_CONTENT_TYPE,
  segmentKey,
} from '../services/playback.js';

// Deliberately `private` rather than `public`: these responses are authorized per user, and a shared
// cache (a CDN) keyed by a URL with `?token=` would keep serving segments after the token expired.
// Segments never change once their video is completed, hence `immutable`.
const OWNER_SEGMENT_CACHE = 'private, max-age=31536000, immutable';

export function streamRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.get('/:id/playlist.m3u8', async (c) => {
    const { video, playbackToken } = await authorizeStream(c, deps, c.req.param('id'));
    requirePlayable(video);

    const playlist = await readPlaylist(deps, video);

    // Relative segment URIs resolve against the playlist URL, which is enough when the player sends a
    // Bearer header with every request. A player using the query token needs the token on each segment.
    const token = playbackToken === null ? null : encodeURIComponent(playbackToken);
    return playlistResponse(c, token === null ? playlist : rewriteSegmentUris(playlist, (name) => `${name}?token=${token}`));
  });

  router.get('/:id/:file{segment_[^/]*\\.ts}', async (c) => {
    const { video } = await authorizeStream(c, deps, c.req.param('id'));
    requirePlayable(video);

    return serveObject(c, deps, segmentKey(video, c.req.param('file')), {
      contentType: SEGMENT_CONTENT_TYPE,
      cacheControl: OWNER_SEGMENT_CACHE,
      missingMessage: 'Segment file not found',
    });
  });

  return router;
}
