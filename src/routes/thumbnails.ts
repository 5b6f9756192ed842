// Thumbnails are public: pages and previews show them without credentials. Their keys contain a random
// UUID that only the video's owner and share pages reveal, so no URL can be derived from a video id.
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../env.js';
import { notFound } from '../lib/errors.js';
import { serveObject } from '../lib/serve-object.js';

// The only form the runner protocol stores thumbnails under; nothing else in the store is reachable here.
const THUMBNAIL_KEY = /^thumbnails\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.jpg$/;

export function thumbnailRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.get('/thumbnails/*', async (c) => {
    const key = c.req.path.slice(1);
    if (!THUMBNAIL_KEY.test(key)) throw notFound('Thumbnail not found');

    // A replaced thumbnail gets a new key, so a stored one never changes.
    return serveObject(c, deps, key, {
      contentType: 'image/jpeg',
      cacheControl: 'public, max-age=31536000, immutable',
      missingMessage: 'Thumbnail not found',
    });
  });

  return router;
}
