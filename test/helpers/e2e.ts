// Steps the end-to-end tests share: upload a file the way a client would (one request or chunks),
// wait for the transcoder, and read what came out.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { api, authHeader, type RegisteredUser } from './api.js';
import { sleep } from './runner.js';

/** Files above this go through the chunked upload, as a client would send large files. */
export const CHUNKED_ABOVE_BYTES = 2 * 1024 * 1024;
const CHUNK_SIZE = 1024 * 1024;

export async function uploadFile(user: RegisteredUser, file: string, title: string, filename = file.split('/').pop()!, baseUrl?: string) {
  const bytes = readFileSync(file);
  if (bytes.length <= CHUNKED_ABOVE_BYTES) {
    const form = new FormData();
    form.set('title', title);
    form.set('video', new Blob([new Uint8Array(bytes)]), filename);
    return api('/api/videos/upload', { method: 'POST', body: form, headers: authHeader(user.token), baseUrl });
  }

  const init = await api('/api/upload/init', { method: 'POST', json: { filename, fileSize: bytes.length, chunkSize: CHUNK_SIZE }, headers: authHeader(user.token), baseUrl });
  expect(init.status, init.text).toBe(201);
  const { id, total_chunks: totalChunks } = init.body.data;
  await Promise.all(
    Array.from({ length: totalChunks }, async (_, n) => {
      const form = new FormData();
      form.set('uploadId', id);
      form.set('chunkNumber', String(n));
      form.set('chunk', new Blob([new Uint8Array(bytes.subarray(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE))]), 'chunk');
      const res = await api('/api/upload/chunk', { method: 'POST', body: form, headers: authHeader(user.token), baseUrl });
      expect(res.status, res.text).toBe(200);
    }),
  );
  return api('/api/upload/complete', { method: 'POST', json: { uploadId: id, title }, headers: authHeader(user.token), baseUrl });
}

/** Polls the video until it is completed or failed; fails the test if it stays in between past `timeoutMs`. */
export async function waitForConversion(user: RegisteredUser, videoId: number, timeoutMs: number, baseUrl?: string) {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await api(`/api/videos/${videoId}`, { headers: authHeader(user.token), baseUrl });
    last = res.body.data;
    if (last.status === 'completed' || last.status === 'failed') return last;
    await sleep(1000);
  }
  throw new Error(`Video ${videoId} still ${last?.status} at ${last?.conversion_progress}% after ${timeoutMs} ms`);
}

/** Polls the video until its conversion progress reaches `percent`; returns the last progress seen. */
export async function waitForProgress(user: RegisteredUser, videoId: number, percent: number, timeoutMs: number, baseUrl?: string) {
  const deadline = Date.now() + timeoutMs;
  let progress = 0;
  while (Date.now() < deadline) {
    const res = await api(`/api/videos/${videoId}`, { headers: authHeader(user.token), baseUrl });
    progress = res.body.data.conversion_progress;
    if (progress >= percent) break;
    await sleep(200);
  }
  return progress;
}

/** Fetches a playlist and every segment it lists, as a player does; returns the segment URLs. */
export async function fetchLikeAPlayer(playlistUrl: string) {
  const playlist = await fetch(playlistUrl);
  expect(playlist.status).toBe(200);
  expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
  const text = await playlist.text();
  expect(text).toMatch(/^#EXTM3U/);
  expect(text).toContain('#EXT-X-ENDLIST');
  const segments = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((uri) => new URL(uri, playlistUrl).toString());
  expect(segments.length).toBeGreaterThan(0);
  for (const url of segments) {
    const segment = await fetch(url);
    expect(segment.status, url).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    const bytes = new Uint8Array(await segment.arrayBuffer());
    expect(bytes[0], `${url} starts with an MPEG-TS sync byte`).toBe(0x47);
  }
  return segments;
}
