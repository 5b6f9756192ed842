import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../env.js';
import { invalidParams, methodNotAllowed, payloadTooLarge } from '../lib/errors.js';
import { ok } from '../lib/envelope.js';
import { multipartBoundary } from '../lib/multipart.js';
import { parseId } from '../lib/params.js';
import { attachmentDisposition, serveObject } from '../lib/serve-object.js';
import { publicBaseUrl } from '../lib/urls.js';
import { requireUser } from '../middleware/auth.js';
import { validate } from '../middleware/validate.js';
import { toOwnerVideoResponse } from '../services/playback.js';
import { retryFailedVideo } from '../services/queue.js';
import { checkTitle, receiveUpload } from '../services/uploads.js';
import {
  deleteVideo,
  getOwnedVideo,
  listVideos,
  renameVideo,
  SORT_FIELDS,
  toUploadedVideoResponse,
  VIDEO_STATUSES,
} from '../services/videos.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const isoDate = (field: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)), {
      message: `${field} must be an ISO 8601 date such as 2024-07-16 or 2024-07-16T12:00:00Z`,
    });

export const listQuery = z
  .object({
    page: z.coerce.number({ error: 'page must be a positive integer' }).int('page must be a positive integer').min(1, 'page must be at least 1').default(1),
    limit: z.coerce
      .number({ error: 'limit must be an integer between 1 and 100' })
      .int('limit must be an integer between 1 and 100')
      .min(1, 'limit must be between 1 and 100')
      .max(100, 'limit must be between 1 and 100')
      .default(10),
    q: z.string().trim().max(200, 'q must be at most 200 characters').optional(),
    status: z.enum(VIDEO_STATUSES, { error: `status must be one of ${VIDEO_STATUSES.join(', ')}` }).optional(),
    start_date: isoDate('start_date').optional(),
    end_date: isoDate('end_date').optional(),
    sort_by: z.enum(SORT_FIELDS, { error: `sort_by must be one of ${SORT_FIELDS.join(', ')}` }).default('created_at'),
    sort_order: z
      .string()
      .transform((value) => value.toUpperCase())
      .pipe(z.enum(['ASC', 'DESC'], { error: 'sort_order must be ASC or DESC' }))
      .default('DESC'),
  })
  .refine((query) => !query.start_date || !query.end_date || Date.parse(query.start_date) <= Date.parse(query.end_date), {
    message: 'start_date must not be after end_date',
    path: ['start_date'],
  });

export const titleBody = z.object({ title: z.string({ error: 'title is required' }) });

/** Converts a date bound to a timestamp: a date-only start is midnight UTC, and a date-only end covers the whole day. */
function dateBound(value: string | undefined, isEnd: boolean) {
  if (!value) return { bound: undefined, exclusive: false };
  if (DATE_ONLY.test(value)) {
    const start = new Date(`${value}T00:00:00.000Z`);
    if (!isEnd) return { bound: start.toISOString(), exclusive: false };
    return { bound: new Date(start.getTime() + 86_400_000).toISOString(), exclusive: true };
  }
  return { bound: new Date(value).toISOString(), exclusive: false };
}

export function videoRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use('*', requireUser(deps));

  router.post('/upload', async (c) => {
    const boundary = multipartBoundary(c.req.header('Content-Type'));
    const declared = Number(c.req.header('Content-Length') ?? NaN);
    // Multipart framing adds a little to the file's size; refuse early only what cannot fit.
    if (declared > deps.config.MAX_UPLOAD_BYTES + 64 * 1024) throw payloadTooLarge(deps.config.MAX_UPLOAD_BYTES);
    if (!c.req.raw.body) throw invalidParams('Request body is empty; send multipart/form-data with "video" and "title"', ['video', 'title']);

    const video = await receiveUpload(deps, c.get('user').id, c.req.raw.body, boundary);

    return ok(c, 'Video uploaded successfully', toUploadedVideoResponse(video), 201);
  });

  // Without this, GET /upload would reach GET /:id and be reported as an invalid video id.
  router.on(['GET', 'PUT', 'DELETE'], '/upload', (c) => {
    throw methodNotAllowed(c.req.method, c.req.path, ['POST']);
  });

  router.get('/', validate('query', listQuery), async (c) => {
    const query = c.req.valid('query');
    const start = dateBound(query.start_date, false);
    const end = dateBound(query.end_date, true);

    const { rows, total } = await listVideos(deps, c.get('user').id, {
      page: query.page,
      limit: query.limit,
      q: query.q || undefined,
      status: query.status,
      startDate: start.bound,
      endDate: end.bound,
      endExclusive: end.exclusive,
      sortBy: query.sort_by,
      sortOrder: query.sort_order,
    });

    const baseUrl = publicBaseUrl(c, deps);
    const pages = Math.ceil(total / query.limit);
    return ok(
      c,
      'Video list retrieved successfully',
      await Promise.all(rows.map((video) => toOwnerVideoResponse(deps, video, baseUrl))),
      200,
      {
        pagination: { page: query.page, limit: query.limit, total, pages, has_next: query.page < pages, has_prev: query.page > 1 },
        search: {
          query: query.q || null,
          status: query.status ?? null,
          start_date: query.start_date ?? null,
          end_date: query.end_date ?? null,
          sort_by: query.sort_by,
          sort_order: query.sort_order,
        },
      },
    );
  });

  router.get('/:id', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    return ok(c, 'Video information retrieved successfully', await toOwnerVideoResponse(deps, video, publicBaseUrl(c, deps)));
  });

  router.get('/:id/status', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    return ok(c, 'Video information retrieved successfully', await toOwnerVideoResponse(deps, video, publicBaseUrl(c, deps)));
  });

  router.put('/:id', validate('json', titleBody), async (c) => {
    const videoId = parseId(c.req.param('id'), 'video ID');
    const title = checkTitle(c.req.valid('json').title);

    const video = await getOwnedVideo(deps, c.get('user').id, videoId);
    const updated = await renameVideo(deps, video, title);

    return ok(c, 'Video information updated successfully', await toOwnerVideoResponse(deps, updated, publicBaseUrl(c, deps)));
  });

  router.delete('/:id', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    await deleteVideo(deps, video);
    return ok(c, 'Video deleted successfully');
  });

  router.post('/:id/retry', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    await retryFailedVideo(deps, video);
    return ok(c, 'Video processing restarted successfully');
  });

  router.get('/:id/download', async (c) => {
    const video = await getOwnedVideo(deps, c.get('user').id, parseId(c.req.param('id'), 'video ID'));
    return serveObject(c, deps, video.sourceKey, {
      contentType: video.mimeType,
      cacheControl: 'private, no-cache',
      contentDisposition: attachmentDisposition(video.originalFilename),
      missingMessage: 'Original file not found in storage',
      missingStatus: 500,
    });
  });

  return router;
}
