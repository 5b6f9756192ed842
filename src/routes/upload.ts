import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../env.js';
import { invalidParams, missingFields } from '../lib/errors.js';
import { ok } from '../lib/envelope.js';
import { multipartBoundary, readMultipart, readTextField } from '../lib/multipart.js';
import { requireUser } from '../middleware/auth.js';
import { validate } from '../middleware/validate.js';
import {
  cancelUpload,
  cleanupExpiredUploads,
  cleanupStatus,
  completeUpload,
  getOwnedSession,
  initUpload,
  storeChunk,
  toSessionResponse,
} from '../services/chunked-uploads.js';
import { checkTitle } from '../services/uploads.js';
import { toUploadedVideoResponse } from '../services/videos.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const initBody = z.object({
  filename: z.string({ error: 'filename is required' }).trim().min(1, 'filename cannot be empty').max(255, 'filename must be at most 255 characters'),
  fileSize: z
    .number({ error: 'fileSize must be a positive integer number of bytes' })
    .int('fileSize must be a positive integer number of bytes')
    .positive('fileSize must be a positive integer number of bytes'),
  chunkSize: z.number({ error: 'chunkSize must be a positive integer number of bytes' }).int('chunkSize must be an integer').positive().optional(),
});

export const completeBody = z.object({
  uploadId: z.string({ error: 'uploadId is required' }).min(1, 'uploadId is required'),
  title: z.string({ error: 'title is required' }),
});

function parseUploadId(value: string | undefined, field = 'uploadId') {
  if (!value || !UUID.test(value)) throw invalidParams(`Invalid upload ID ${JSON.stringify(value ?? '')}: expected a UUID`, [field]);
  return value.toLowerCase();
}

function parseChunkNumber(value: string | undefined) {
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) {
    throw invalidParams(`Invalid chunkNumber ${JSON.stringify(value ?? '')}: expected an integer from 0`, ['chunkNumber']);
  }
  return Number(value.trim());
}

export function uploadRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use('*', requireUser(deps));

  router.post('/init', validate('json', initBody), async (c) => {
    const session = await initUpload(deps, c.get('user').id, c.req.valid('json'));
    return ok(c, 'Chunked upload initialized successfully', await toSessionResponse(deps, session), 201);
  });

  // uploadId and chunkNumber may come as form fields before the `chunk` field or in the query string,
  // because the chunk is streamed to storage as it arrives and must be checked against its session first.
  router.post('/chunk', async (c) => {
    const boundary = multipartBoundary(c.req.header('Content-Type'));
    if (!c.req.raw.body) throw missingFields('Request body is empty; send uploadId, chunkNumber and chunk', ['uploadId', 'chunkNumber', 'chunk']);
    const fields: Record<string, string | undefined> = { uploadId: c.req.query('uploadId'), chunkNumber: c.req.query('chunkNumber') };
    let result: { uploadId: string; chunkNumber: number; uploaded: number[]; totalChunks: number; isComplete: boolean } | undefined;

    for await (const part of readMultipart(c.req.raw.body, boundary)) {
      if ((part.name === 'uploadId' || part.name === 'chunkNumber') && part.filename === undefined) {
        fields[part.name] = (await readTextField(part.body, part.name, 100)).trim();
      } else if (part.name === 'chunk' && !result) {
        if (fields.uploadId === undefined || fields.chunkNumber === undefined) {
          await part.body.cancel();
          throw missingFields('Send uploadId and chunkNumber before the chunk field (or in the query string)', [
            ...(fields.uploadId === undefined ? ['uploadId'] : []),
            ...(fields.chunkNumber === undefined ? ['chunkNumber'] : []),
          ]);
        }
        const uploadId = parseUploadId(fields.uploadId);
        const chunkNumber = parseChunkNumber(fields.chunkNumber);
        const session = await getOwnedSession(deps, c.get('user').id, uploadId);
        const stored = await storeChunk(deps, session, chunkNumber, part.body);
        result = { uploadId, chunkNumber, uploaded: stored.uploaded, totalChunks: session.totalChunks, isComplete: stored.isComplete };
      } else {
        await part.body.cancel();
        throw invalidParams(`Unexpected form field "${part.name}"; send uploadId, chunkNumber and chunk`, [part.name]);
      }
    }
    if (!result) throw missingFields('No chunk data: send the bytes in the "chunk" field', ['chunk']);

    return ok(c, 'Chunk uploaded successfully', {
      uploadId: result.uploadId,
      chunkNumber: result.chunkNumber,
      uploadedChunks: result.uploaded,
      totalChunks: result.totalChunks,
      isComplete: result.isComplete,
    });
  });

  router.post('/complete', validate('json', completeBody), async (c) => {
    const body = c.req.valid('json');
    const uploadId = parseUploadId(body.uploadId);
    const title = checkTitle(body.title);

    const session = await getOwnedSession(deps, c.get('user').id, uploadId);
    const video = await completeUpload(deps, session, title);

    return ok(c, 'Upload completed', toUploadedVideoResponse(video), 201);
  });

  router.get('/cleanup/status', async (c) => ok(c, 'Cleanup status retrieved successfully', await cleanupStatus(deps)));

  router.post('/cleanup', async (c) => ok(c, 'Cleanup completed', await cleanupExpiredUploads(deps)));

  router.get('/status/:uploadId', async (c) => {
    const session = await getOwnedSession(deps, c.get('user').id, parseUploadId(c.req.param('uploadId')));
    return ok(c, 'Upload status retrieved successfully', await toSessionResponse(deps, session));
  });

  router.delete('/:uploadId', async (c) => {
    const session = await getOwnedSession(deps, c.get('user').id, parseUploadId(c.req.param('uploadId')));
    await cancelUpload(deps, session);
    return ok(c, 'Upload cancelled');
  });

  return router;
}
