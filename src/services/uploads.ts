import type { Deps } from '../env.js';
import { AppError, invalidParams, missingFields, payloadTooLarge } from '../lib/errors.js';
import { SNIFF_BYTES, sniffMediaType, type SniffedType } from '../lib/media-type.js';
import { readMultipart, readTextField } from '../lib/multipart.js';
import { limitStream, peekStream } from '../lib/streams.js';
import { createVideo, newVideoKeys } from './videos.js';

export const MAX_TITLE_LENGTH = 255;
const MAX_FILENAME_LENGTH = 255;

export function notMediaError(field: string) {
  return invalidParams(
    'The file is not a recognised video or audio format (checked by its content, not its name); upload MP4, MOV, WebM, MKV, AVI, FLV, MPEG-TS, Ogg, MP3, M4A, WAV or FLAC',
    [field],
  );
}

/** Validates a title from a form or JSON body and returns it trimmed. */
export function checkTitle(raw: string | undefined) {
  const title = (raw ?? '').trim();
  if (!title) throw missingFields('title is required and cannot be empty', ['title']);
  if (title.length > MAX_TITLE_LENGTH) throw invalidParams(`title must be at most ${MAX_TITLE_LENGTH} characters`, ['title']);
  return title;
}

/** Keeps a client filename for display only: control characters removed and length bounded. */
export function cleanFilename(raw: string | undefined, fallback: string) {
  const cleaned = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_FILENAME_LENGTH);
  return cleaned || fallback;
}

interface StoredUpload {
  sourceKey: string;
  outputPrefix: string;
  size: number;
  media: SniffedType;
  filename: string;
}

/**
 * Handles `POST /api/videos/upload`: streams the `video` part straight into object storage (after
 * checking its first bytes), reads the `title` part, then records the video and queues its job.
 * Whatever was stored is deleted again if the request turns out invalid.
 */
export async function receiveUpload(deps: Deps, userId: number, body: ReadableStream<Uint8Array>, boundary: string) {
  let title: string | undefined;
  let stored: StoredUpload | undefined;

  try {
    for await (const part of readMultipart(body, boundary)) {
      if (part.name === 'title' && part.filename === undefined) {
        title = await readTextField(part.body, 'title', MAX_TITLE_LENGTH * 4);
      } else if (part.name === 'video' && !stored) {
        stored = await storeVideoPart(deps, userId, part.body, part.filename);
      } else if (part.name === 'video') {
        await part.body.cancel();
        throw invalidParams('Send one video per request; this one has more than one "video" field', ['video']);
      } else {
        await part.body.cancel();
        throw invalidParams(`Unexpected form field "${part.name}"; send only "video" and "title"`, [part.name]);
      }
    }

    if (!stored) throw missingFields('No file selected: send the video in the "video" field', ['video']);
    const checkedTitle = checkTitle(title);

    return await createVideo(deps, {
      userId,
      title: checkedTitle,
      originalFilename: stored.filename,
      mimeType: stored.media.mimeType,
      fileSize: stored.size,
      sourceKey: stored.sourceKey,
      outputPrefix: stored.outputPrefix,
    });
  } catch (error) {
    if (stored) await deps.store.delete(stored.sourceKey);
    throw error;
  }
}

async function storeVideoPart(deps: Deps, userId: number, body: ReadableStream<Uint8Array>, filename: string | undefined) {
  const { head, stream } = await peekStream(body, SNIFF_BYTES);
  if (head.length === 0) {
    await stream.cancel();
    throw invalidParams('The uploaded file is empty', ['video']);
  }
  const media = sniffMediaType(head);
  if (!media) {
    await stream.cancel();
    throw notMediaError('video');
  }

  const keys = newVideoKeys(userId);
  const limited = limitStream(stream, deps.config.MAX_UPLOAD_BYTES);
  try {
    const info = await deps.store.put(keys.sourceKey, limited.stream, { contentType: media.mimeType });
    return { ...keys, size: info.size, media, filename: cleanFilename(filename, `video.${media.format}`) };
  } catch (error) {
    await deps.store.delete(keys.sourceKey).catch(() => undefined);
    if (limited.counted() > deps.config.MAX_UPLOAD_BYTES) throw payloadTooLarge(deps.config.MAX_UPLOAD_BYTES);
    if (error instanceof AppError) throw error;
    throw new AppError(400, 'VALIDATION_ERROR', 'INVALID_PARAMS', 'The upload was interrupted before the file was complete', {
      fields: ['video'],
    });
  }
}
