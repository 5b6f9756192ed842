// Test media and upload clients. Test files of any size open with the header of a real sample, so the
// server's content sniffing accepts them, and continue with seeded pseudo-random bytes. Multipart bodies
// are built byte by byte, and the chunked upload endpoints get small client helpers.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { api, authHeader, type ApiResponse } from './api.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;

export type SampleKind = 'mp4' | 'webm';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MEDIA_DIR = process.env.HLSMITH_MEDIA_DIR ?? path.resolve(projectRoot, '../shared/media');
const SAMPLE_FILES: Record<SampleKind, string> = { mp4: 'camera-640x360-17s.mp4', webm: 'bbb-180p-10s.webm' };
export const MIME_TYPES: Record<SampleKind, string> = { mp4: 'video/mp4', webm: 'video/webm' };

/** Bytes copied from the start of a real sample: enough for any container sniffer. */
const HEADER_BYTES = 4096;

const headerCache = new Map<SampleKind, Uint8Array>();

/** Returns the first 4 KiB of a real sample file of `kind`. */
export function sampleHeader(kind: SampleKind): Uint8Array {
  let header = headerCache.get(kind);
  if (!header) {
    const file = path.join(MEDIA_DIR, SAMPLE_FILES[kind]);
    if (!existsSync(file)) throw new Error(`Sample ${file} is missing; set HLSMITH_MEDIA_DIR to the folder with the test media`);
    header = new Uint8Array(readFileSync(file).subarray(0, HEADER_BYTES));
    headerCache.set(kind, header);
  }
  return header;
}

/** Fills `target` with xorshift32 output, so the same seed and offset always give the same bytes. */
function fillPseudoRandom(target: Uint8Array, state: { x: number }) {
  const words = Math.floor(target.length / 4);
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  let x = state.x;
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(i * 4, x >>> 0, true);
  }
  for (let i = words * 4; i < target.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    target[i] = x & 0xff;
  }
  state.x = x;
}

/** Builds a whole test file in memory: the sample header, then pseudo-random bytes up to `size`. */
export function makeMediaFile(size: number, options: { kind?: SampleKind; seed?: number } = {}): Uint8Array {
  const header = sampleHeader(options.kind ?? 'mp4');
  const bytes = new Uint8Array(size);
  bytes.set(header.subarray(0, Math.min(size, header.length)));
  if (size > header.length) fillPseudoRandom(bytes.subarray(header.length), { x: options.seed ?? 1 });
  return bytes;
}

/** Streams the same bytes as makeMediaFile, generated while they are read, so a large file is never held whole. */
export function mediaStream(size: number, options: { kind?: SampleKind; seed?: number; pieceBytes?: number } = {}) {
  const header = sampleHeader(options.kind ?? 'mp4');
  const pieceBytes = options.pieceBytes ?? MiB;
  const state = { x: options.seed ?? 1 };
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const piece = new Uint8Array(Math.min(pieceBytes, size - sent));
      let filled = 0;
      if (sent < header.length) {
        filled = Math.min(piece.length, header.length - sent);
        piece.set(header.subarray(sent, sent + filled));
      }
      // fillPseudoRandom writes whole words, so pieces after the header must stay 4-byte aligned.
      if (filled < piece.length) fillPseudoRandom(piece.subarray(filled), state);
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
}

export function sha256(bytes: Uint8Array) {
  return createHash('sha256').update(bytes).digest('hex');
}

export { sha256OfStream } from '../storage/contract.js';

// ---------------------------------------------------------------------------------------------
// Multipart bodies

export interface TextPart {
  name: string;
  value: string;
}

export interface FilePart {
  name: string;
  data: Uint8Array;
  /** Sent as the quoted `filename` parameter, exactly as given (the caller escapes it). */
  filename?: string;
  /** Sent as `filename*=UTF-8''...` (RFC 5987), percent-encoded here. */
  filenameStar?: string;
  contentType?: string;
}

/** Builds a multipart/form-data body by hand, so a test controls every header byte. */
export function multipartBody(parts: Array<TextPart | FilePart>, boundary = `----hlsmith-test-${crypto.randomUUID()}`) {
  const pieces: BlobPart[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.name}"`;
    if ('data' in part) {
      if (part.filename !== undefined) disposition += `; filename="${part.filename}"`;
      if (part.filenameStar !== undefined) disposition += `; filename*=UTF-8''${encodeURIComponent(part.filenameStar)}`;
      const type = part.contentType ?? 'application/octet-stream';
      pieces.push(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${type}\r\n\r\n`, part.data as BlobPart, '\r\n');
    } else {
      pieces.push(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${part.value}\r\n`);
    }
  }
  pieces.push(`--${boundary}--\r\n`);
  return { body: new Blob(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads `data` through POST /api/videos/upload as a browser would (FormData). */
export function uploadVideo(token: string, options: { title?: string; data: Uint8Array; filename?: string; kind?: SampleKind }) {
  const form = new FormData();
  if (options.title !== undefined) form.append('title', options.title);
  const kind = options.kind ?? 'mp4';
  form.append('video', new Blob([options.data as BlobPart], { type: MIME_TYPES[kind] }), options.filename ?? `clip.${kind}`);
  return api('/api/videos/upload', { method: 'POST', headers: authHeader(token), body: form });
}

/** Uploads a fresh small file and returns the created video; fails the test when the upload fails. */
export async function createVideo(token: string, options: { title: string; size?: number; kind?: SampleKind; seed?: number; filename?: string }) {
  const data = makeMediaFile(options.size ?? 8 * KiB, { kind: options.kind, seed: options.seed });
  const res = await uploadVideo(token, { title: options.title, data, kind: options.kind, filename: options.filename });
  if (res.status !== 201) throw new Error(`Uploading "${options.title}" failed with HTTP ${res.status}: ${res.text}`);
  return { video: res.body.data, data };
}

/** Fetches a download without buffering it; the caller reads or cancels the body. */
export function download(token: string, videoId: number, headers: Record<string, string> = {}) {
  return fetch(`${inject('baseUrl')}/api/videos/${videoId}/download`, { headers: { ...authHeader(token), ...headers } });
}

// ---------------------------------------------------------------------------------------------
// Chunked upload client

export function initChunkedUpload(token: string, body: unknown) {
  return api('/api/upload/init', { method: 'POST', headers: authHeader(token), json: body });
}

/** Returns chunk `n` of `data` as a view (no copy). */
export function chunkOf(data: Uint8Array, chunkSize: number, n: number) {
  return data.subarray(n * chunkSize, Math.min(data.length, (n + 1) * chunkSize));
}

/** Sends one chunk as multipart/form-data with uploadId and chunkNumber before the chunk field. */
export function sendChunk(token: string, uploadId: string, chunkNumber: number | string, bytes: Uint8Array) {
  const form = new FormData();
  form.append('uploadId', uploadId);
  form.append('chunkNumber', String(chunkNumber));
  form.append('chunk', new Blob([bytes as BlobPart]), 'blob');
  return api('/api/upload/chunk', { method: 'POST', headers: authHeader(token), body: form });
}

/**
 * Sends the given chunk numbers of `data` with at most `concurrency` requests in flight, in the order
 * given, and throws on the first response that is not 200.
 */
export async function sendChunks(
  token: string,
  uploadId: string,
  data: Uint8Array,
  chunkSize: number,
  numbers: number[],
  concurrency = 4,
): Promise<ApiResponse[]> {
  const responses: ApiResponse[] = [];
  let next = 0;
  const worker = async () => {
    while (next < numbers.length) {
      const n = numbers[next++];
      const res = await sendChunk(token, uploadId, n, chunkOf(data, chunkSize, n));
      if (res.status !== 200) throw new Error(`Chunk ${n} failed with HTTP ${res.status}: ${res.text}`);
      responses.push(res);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, numbers.length) }, worker));
  return responses;
}

/**
 * Starts sending a chunk, stops after `sentBytes` of its content and aborts the request, as a client
 * whose connection drops mid-body. Resolves once the request has been aborted.
 */
export async function sendChunkAndDrop(token: string, uploadId: string, chunkNumber: number, bytes: Uint8Array, sentBytes: number) {
  const boundary = `----hlsmith-drop-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const preamble = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="uploadId"\r\n\r\n${uploadId}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="chunkNumber"\r\n\r\n${chunkNumber}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="chunk"; filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const controller = new AbortController();
  let stalled!: () => void;
  const reachedStall = new Promise<void>((resolve) => (stalled = resolve));
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(stream) {
      if (step === 0) stream.enqueue(preamble);
      else if (step === 1) stream.enqueue(bytes.slice(0, sentBytes));
      else {
        stalled();
        // Never enqueue again: the request stays open until it is aborted.
        return new Promise<void>(() => undefined);
      }
      step++;
    },
  });

  const request = fetch(`${inject('baseUrl')}/api/upload/chunk`, {
    method: 'POST',
    headers: { ...authHeader(token), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body,
    signal: controller.signal,
    duplex: 'half',
  } as RequestInit);
  const outcome = request.then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );

  await reachedStall;
  // Give the server a moment to receive the partial body before the connection drops.
  await new Promise((resolve) => setTimeout(resolve, 300));
  controller.abort();
  return outcome;
}

export function uploadStatus(token: string, uploadId: string) {
  return api(`/api/upload/status/${uploadId}`, { headers: authHeader(token) });
}

export function completeChunkedUpload(token: string, uploadId: string, title: string) {
  return api('/api/upload/complete', { method: 'POST', headers: authHeader(token), json: { uploadId, title } });
}

/** Returns `numbers` in a seeded random order. */
export function shuffled(numbers: number[], seed = 7) {
  const state = { x: seed };
  const result = [...numbers];
  const random = new Uint8Array(4);
  for (let i = result.length - 1; i > 0; i--) {
    fillPseudoRandom(random, state);
    const j = new DataView(random.buffer).getUint32(0, true) % (i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
