// Share links. `videoShareRoutes` adds the two per-video endpoints under /api/videos. `shareRoutes`
// serves /api/share: the owner's toggle and delete, and the public playlist, segments and info.
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../env.js';
import { runInBackground } from '../lib/background.js';
import { ok } from '../lib/envelope.js';
import { parseId } from '../lib/params.js';
import { serveObject } from '../lib/serve-object.js';
import { publicBaseUrl } from '../lib/urls.js';
import { requireUser } from '../middleware/auth.js';
import { playlistResponse, readPlaylist, rewriteSegmentUris, SEGMENT_CONTENT_TYPE, segmentKey } from '../services/playback.js';
import {
  createShare,
  deleteShare,
  findPlayableShare,
  listShares,
  parseShareToken,
  recordShareView,
  toggleShare,
  toShareResponse,
} from '../services/shares.js';
import { getOwnedVideo } from '../services/videos.js';

// Anyone holding the link may fetch these, and a segment never changes once its video is completed,
// so CDNs and browsers may keep it for a year. A disabled link still reaches copies already cached.
const SHARED_SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/** POST /:id/share and GET /:id/shares, mounted on /api/videos ahead of the video router. */
export function videoShareRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();
  // Per route rather than router.use('*'), which would also run for every other /api/videos request.
  const auth = requireUser(deps);

  router.post('/:id/share', auth, async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    const share = await createShare(deps, video);
    return ok(c, 'Sharing link generated successfully', toShareResponse(share, publicBaseUrl(c, deps)));
  });

  router.get('/:id/shares', auth, async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    const rows = await listShares(deps, video.id);
    const baseUrl = publicBaseUrl(c, deps);
    return ok(c, 'Sharing link list retrieved successfully', rows.map((share) => toShareResponse(share, baseUrl)));
  });

  return router;
}

export function shareRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();
  const auth = requireUser(deps);

  router.put('/manage/shares/:shareId/toggle', auth, async (c) => {
    const isActive = await toggleShare(deps, c.get('user').id, parseId(c.req.param('shareId'), 'share ID', 'shareId'));
    return ok(c, isActive ? 'Sharing link enabled' : 'Sharing link disabled');
  });

  router.delete('/manage/shares/:shareId', auth, async (c) => {
    await deleteShare(deps, c.get('user').id, parseId(c.req.param('shareId'), 'share ID', 'shareId'));
    return ok(c, 'Sharing link deleted successfully');
  });

  router.get('/:token/playlist.m3u8', async (c) => {
    const token = parseShareToken(c.req.param('token'));
    const { share, video } = await findPlayableShare(deps, token);

    const playlist = await readPlaylist(deps, video);
    // One view per playlist load: players fetch it once per playback, but every segment separately.
    if (c.req.method === 'GET') {
      runInBackground(c, deps, 'Recording a share view', recordShareView(deps, share.id), { shareId: share.id });
    }

    const segmentBase = `${publicBaseUrl(c, deps)}/api/share/${token}/`;
    return playlistResponse(c, rewriteSegmentUris(playlist, (name) => segmentBase + name));
  });

  router.get('/:token/:file{segment_[^/]*\\.ts}', async (c) => {
    const token = parseShareToken(c.req.param('token'));
    const { video } = await findPlayableShare(deps, token);

    return serveObject(c, deps, segmentKey(video, c.req.param('file')), {
      contentType: SEGMENT_CONTENT_TYPE,
      cacheControl: SHARED_SEGMENT_CACHE,
      missingMessage: 'Video segment not found',
    });
  });

  router.get('/:token/info', async (c) => {
    const { share, video } = await findPlayableShare(deps, parseShareToken(c.req.param('token')));
    return ok(c, 'Sharing information retrieved successfully', {
      title: video.title,
      duration: video.duration ?? undefined,
      shared_at: share.createdAt,
      view_count: share.accessCount,
    });
  });

  return router;
}
