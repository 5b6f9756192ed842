import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, isIsoTimestamp, registerUser, type RegisteredUser } from '../helpers/api.js';
import {
  chunkOf,
  completeChunkedUpload,
  download,
  initChunkedUpload,
  KiB,
  makeMediaFile,
  MiB,
  sendChunk,
  sendChunkAndDrop,
  sendChunks,
  sha256,
  sha256OfStream,
  shuffled,
  uploadStatus,
} from '../helpers/media.js';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SESSION_FIELDS = [
  'chunk_size',
  'created_at',
  'expires_at',
  'file_size',
  'filename',
  'id',
  'missing_chunks',
  'status',
  'total_chunks',
  'updated_at',
  'uploaded_chunks',
];
const SMALL_CHUNK = 64 * KiB;

function range(count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Starts a session for `data` split into `chunkSize` pieces; fails the test when init fails. */
async function startSession(token: string, data: Uint8Array, chunkSize: number, filename = 'chunked.mp4') {
  const res = await initChunkedUpload(token, { filename, fileSize: data.length, chunkSize });
  if (res.status !== 201) throw new Error(`init failed with HTTP ${res.status}: ${res.text}`);
  return res.body.data as { id: string; total_chunks: number };
}

async function expectDownloadEquals(token: string, videoId: number, data: Uint8Array) {
  const res = await download(token, videoId);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-length')).toBe(String(data.length));
  const { sha256: hash, size } = await sha256OfStream(res.body!);
  expect(size).toBe(data.length);
  expect(hash).toBe(sha256(data));
}

describe('POST /api/upload/init', () => {
  let owner: RegisteredUser;
  beforeAll(async () => {
    owner = await registerUser();
  });

  it('creates a session with the spec fields', async () => {
    const res = await initChunkedUpload(owner.token, { filename: 'movie.mp4', fileSize: 12 * MiB + 1 });

    expect(res.status, res.text).toBe(201);
    expect(res.body.message).toBe('Chunked upload initialized successfully');
    const session = res.body.data;
    expect(Object.keys(session).sort()).toEqual(SESSION_FIELDS);
    expect(session.id).toMatch(UUID);
    expect(session.filename).toBe('movie.mp4');
    expect(session.file_size).toBe(12 * MiB + 1);
    expect(session.chunk_size).toBe(5 * MiB);
    expect(session.total_chunks).toBe(3);
    expect(session.uploaded_chunks).toEqual([]);
    expect(session.missing_chunks).toEqual([0, 1, 2]);
    expect(session.status).toBe('uploading');
    expect(isIsoTimestamp(session.created_at)).toBe(true);
    expect(isIsoTimestamp(session.updated_at)).toBe(true);
    expect(isIsoTimestamp(session.expires_at)).toBe(true);
    expect(session.expires_at > session.created_at).toBe(true);
  });

  it('uses the given chunkSize', async () => {
    const res = await initChunkedUpload(owner.token, { filename: 'small.webm', fileSize: 3 * SMALL_CHUNK, chunkSize: SMALL_CHUNK });

    expect(res.status, res.text).toBe(201);
    expect(res.body.data.chunk_size).toBe(SMALL_CHUNK);
    expect(res.body.data.total_chunks).toBe(3);
  });

  const invalid: Array<[string, unknown, string, string]> = [
    ['a missing filename', { fileSize: 1000 }, 'filename', 'MISSING_REQUIRED_FIELDS'],
    ['a blank filename', { filename: '   ', fileSize: 1000 }, 'filename', 'MISSING_REQUIRED_FIELDS'],
    ['a missing fileSize', { filename: 'a.mp4' }, 'fileSize', 'MISSING_REQUIRED_FIELDS'],
    ['fileSize 0', { filename: 'a.mp4', fileSize: 0 }, 'fileSize', 'INVALID_PARAMS'],
    ['a negative fileSize', { filename: 'a.mp4', fileSize: -5 }, 'fileSize', 'INVALID_PARAMS'],
    ['a string fileSize', { filename: 'a.mp4', fileSize: '1000' }, 'fileSize', 'INVALID_PARAMS'],
    ['a fractional fileSize', { filename: 'a.mp4', fileSize: 1000.5 }, 'fileSize', 'INVALID_PARAMS'],
    ['a chunkSize below the minimum', { filename: 'a.mp4', fileSize: 1000, chunkSize: 1000 }, 'chunkSize', 'INVALID_PARAMS'],
    ['a chunkSize above the maximum', { filename: 'a.mp4', fileSize: 1000, chunkSize: 200 * MiB }, 'chunkSize', 'INVALID_PARAMS'],
    ['a string chunkSize', { filename: 'a.mp4', fileSize: 1000, chunkSize: 'big' }, 'chunkSize', 'INVALID_PARAMS'],
  ];

  it.each(invalid)('returns 400 for %s', async (_label, body, field, code) => {
    const res = await initChunkedUpload(owner.token, body);

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', code);
    expect(res.body.error.details.fields).toEqual([field]);
  });

  it('returns 413 when fileSize exceeds MAX_UPLOAD_BYTES', async () => {
    const limit = Number(inject('settings').MAX_UPLOAD_BYTES);

    const res = await initChunkedUpload(owner.token, { filename: 'huge.mp4', fileSize: limit + 1 });

    expectEnvelopeError(res, 413, 'PAYLOAD_TOO_LARGE_ERROR', 'PAYLOAD_TOO_LARGE');
    expect(res.body.error.details.limit_bytes).toBe(limit);
  });
});

describe('a 50 MB chunked upload', () => {
  it('assembles shuffled, concurrent and repeated chunks byte for byte', { timeout: 180_000 }, async () => {
    const owner = await registerUser();
    const data = makeMediaFile(50 * MiB + 777, { seed: 50 });
    const chunkSize = 5 * MiB;
    const session = await startSession(owner.token, data, chunkSize, 'fifty.mp4');
    expect(session.total_chunks).toBe(11);

    // Chunk 3 goes twice, as a client retrying after a lost response would send it.
    const order = shuffled([...range(11), 3], 11);
    const responses = await sendChunks(owner.token, session.id, data, chunkSize, order, 8);

    expect(responses).toHaveLength(12);
    for (const res of responses) {
      expect(res.body.data.uploadId).toBe(session.id);
      expect(res.body.data.totalChunks).toBe(11);
      expect(res.body.data.uploadedChunks).toContain(res.body.data.chunkNumber);
    }
    expect(responses.some((res) => res.body.data.isComplete)).toBe(true);
    const status = await uploadStatus(owner.token, session.id);
    expect(status.body.data.uploaded_chunks).toEqual(range(11));
    expect(status.body.data.missing_chunks).toEqual([]);

    const completed = await completeChunkedUpload(owner.token, session.id, 'Fifty megabytes');
    expect(completed.status, completed.text).toBe(201);
    expect(completed.body.message).toBe('Upload completed');
    expect(completed.body.data.title).toBe('Fifty megabytes');
    expect(completed.body.data.original_filename).toBe('fifty.mp4');
    expect(completed.body.data.file_size).toBe(data.length);
    expect(completed.body.data.status).toBe('uploaded');

    await expectDownloadEquals(owner.token, completed.body.data.id, data);
    const after = await uploadStatus(owner.token, session.id);
    expect(after.body.data.status).toBe('completed');
    expect(after.body.data.video_id).toBe(completed.body.data.id);
    const job = await api(`/api/queue/video/${completed.body.data.id}`, { headers: authHeader(owner.token) });
    expect(job.status, job.text).toBe(200);
  });
});

describe('chunked upload sessions', () => {
  let owner: RegisteredUser;
  beforeAll(async () => {
    owner = await registerUser();
  });

  it('reports uploaded and missing chunks mid-way', async () => {
    const data = makeMediaFile(8 * SMALL_CHUNK - 100, { seed: 2 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);

    await sendChunks(owner.token, session.id, data, SMALL_CHUNK, [5, 0, 2]);
    const res = await uploadStatus(owner.token, session.id);

    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Upload status retrieved successfully');
    expect(Object.keys(res.body.data).sort()).toEqual(SESSION_FIELDS);
    expect(res.body.data.uploaded_chunks).toEqual([0, 2, 5]);
    expect(res.body.data.missing_chunks).toEqual([1, 3, 4, 6, 7]);
    expect(res.body.data.status).toBe('uploading');
  });

  it('resumes after a request drops mid-body', { timeout: 60_000 }, async () => {
    const chunkSize = 128 * KiB;
    const data = makeMediaFile(8 * chunkSize + 500, { seed: 9 });
    const session = await startSession(owner.token, data, chunkSize);
    expect(session.total_chunks).toBe(9);

    await sendChunks(owner.token, session.id, data, chunkSize, range(4));
    const dropped = await sendChunkAndDrop(owner.token, session.id, 4, chunkOf(data, chunkSize, 4), 50 * KiB);
    expect('error' in dropped).toBe(true);

    const midway = await uploadStatus(owner.token, session.id);
    expect(midway.body.data.uploaded_chunks).toEqual(range(4));
    expect(midway.body.data.missing_chunks).toEqual(range(5, 4));

    await sendChunks(owner.token, session.id, data, chunkSize, midway.body.data.missing_chunks);
    const completed = await completeChunkedUpload(owner.token, session.id, 'Resumed');
    expect(completed.status, completed.text).toBe(201);
    await expectDownloadEquals(owner.token, completed.body.data.id, data);
  });

  it('rejects a chunk of the wrong size and keeps the earlier copy', async () => {
    const data = makeMediaFile(2 * SMALL_CHUNK + 1000, { seed: 4 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);
    await sendChunks(owner.token, session.id, data, SMALL_CHUNK, [0]);

    const short = await sendChunk(owner.token, session.id, 0, makeMediaFile(SMALL_CHUNK - 1, { seed: 99 }));
    expectEnvelopeError(short, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(short.body.error.details.fields).toEqual(['chunk']);
    expect(short.body.error.details.expected_size).toBe(SMALL_CHUNK);

    const long = await sendChunk(owner.token, session.id, 0, makeMediaFile(SMALL_CHUNK + 1, { seed: 99 }));
    expectEnvelopeError(long, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(long.body.error.details.expected_size).toBe(SMALL_CHUNK);

    const lastTooLong = await sendChunk(owner.token, session.id, 2, makeMediaFile(SMALL_CHUNK, { seed: 99 }));
    expectEnvelopeError(lastTooLong, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(lastTooLong.body.error.details.expected_size).toBe(1000);

    const status = await uploadStatus(owner.token, session.id);
    expect(status.body.data.uploaded_chunks).toEqual([0]);

    await sendChunks(owner.token, session.id, data, SMALL_CHUNK, [1, 2]);
    const completed = await completeChunkedUpload(owner.token, session.id, 'Kept the good copy');
    expect(completed.status, completed.text).toBe(201);
    await expectDownloadEquals(owner.token, completed.body.data.id, data);
  });

  it.each(['3', '-1', 'abc', '1.5', ''])('returns 400 naming chunkNumber for %j', async (chunkNumber) => {
    const data = makeMediaFile(3 * SMALL_CHUNK, { seed: 6 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);

    const res = await sendChunk(owner.token, session.id, chunkNumber, chunkOf(data, SMALL_CHUNK, 0));

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.details.fields).toEqual(['chunkNumber']);
    const status = await uploadStatus(owner.token, session.id);
    expect(status.body.data.uploaded_chunks).toEqual([]);
  });

  it('returns 400 when a chunk comes before its uploadId', async () => {
    const form = new FormData();
    form.append('chunk', new Blob([makeMediaFile(SMALL_CHUNK) as BlobPart]), 'blob');
    form.append('uploadId', crypto.randomUUID());
    form.append('chunkNumber', '0');

    const res = await api('/api/upload/chunk', { method: 'POST', headers: authHeader(owner.token), body: form });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect(res.body.error.details.fields).toEqual(['uploadId', 'chunkNumber']);
  });

  it('returns 400 when the chunk field is missing', async () => {
    const form = new FormData();
    form.append('uploadId', crypto.randomUUID());
    form.append('chunkNumber', '0');

    const res = await api('/api/upload/chunk', { method: 'POST', headers: authHeader(owner.token), body: form });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect(res.body.error.details.fields).toEqual(['chunk']);
  });

  it('returns 400 with the missing chunk numbers when completing early', async () => {
    const data = makeMediaFile(4 * SMALL_CHUNK, { seed: 8 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);
    await sendChunks(owner.token, session.id, data, SMALL_CHUNK, [0, 2]);

    const res = await completeChunkedUpload(owner.token, session.id, 'Too early');

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.details.missing_chunks).toEqual([1, 3]);
    const status = await uploadStatus(owner.token, session.id);
    expect(status.body.data.status).toBe('uploading');
  });

  it('completes only once, and a repeat returns the same video', async () => {
    const user = await registerUser();
    const data = makeMediaFile(2 * SMALL_CHUNK, { seed: 10 });
    const session = await startSession(user.token, data, SMALL_CHUNK);
    await sendChunks(user.token, session.id, data, SMALL_CHUNK, [0, 1]);

    const first = await completeChunkedUpload(user.token, session.id, 'Once');
    expect(first.status, first.text).toBe(201);
    const second = await completeChunkedUpload(user.token, session.id, 'Twice');

    expect(second.status, second.text).toBe(201);
    expect(second.body.data).toEqual(first.body.data);
    const status = await uploadStatus(user.token, session.id);
    expect(status.body.data.status).toBe('completed');
    expect(status.body.data.uploaded_chunks).toEqual([0, 1]);
    expect(status.body.data.missing_chunks).toEqual([]);
    const list = await api('/api/videos', { headers: authHeader(user.token) });
    expect(list.body.meta.pagination.total).toBe(1);
    expect(list.body.data[0].title).toBe('Once');
  });

  it('rejects content that is not media when completing', async () => {
    const text = new TextEncoder().encode('plain text, not a video\n'.repeat(3000)).subarray(0, SMALL_CHUNK + 10);
    const session = await startSession(owner.token, text, SMALL_CHUNK, 'notes.mp4');
    await sendChunks(owner.token, session.id, text, SMALL_CHUNK, [0, 1]);

    const res = await completeChunkedUpload(owner.token, session.id, 'Not media');

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.message).toMatch(/not a recognised video or audio format/);
    const status = await uploadStatus(owner.token, session.id);
    expect(status.body.data.status).toBe('failed');
  });

  it('validates the complete request', async () => {
    const data = makeMediaFile(SMALL_CHUNK, { seed: 12 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);

    const blank = await completeChunkedUpload(owner.token, session.id, '  ');
    expectEnvelopeError(blank, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect(blank.body.error.details.fields).toEqual(['title']);

    const badId = await completeChunkedUpload(owner.token, 'not-a-uuid', 'Title');
    expectEnvelopeError(badId, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(badId.body.error.details.fields).toEqual(['uploadId']);

    const unknown = await completeChunkedUpload(owner.token, crypto.randomUUID(), 'Title');
    expectEnvelopeError(unknown, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('returns 400 for an invalid upload id and 404 for an unknown one', async () => {
    const invalid = await uploadStatus(owner.token, 'not-a-uuid');
    expectEnvelopeError(invalid, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(invalid.body.error.details.fields).toEqual(['uploadId']);

    const unknown = await uploadStatus(owner.token, crypto.randomUUID());
    expectEnvelopeError(unknown, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');

    const cancelInvalid = await api('/api/upload/not-a-uuid', { method: 'DELETE', headers: authHeader(owner.token) });
    expectEnvelopeError(cancelInvalid, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');

    const cancelUnknown = await api(`/api/upload/${crypto.randomUUID()}`, { method: 'DELETE', headers: authHeader(owner.token) });
    expectEnvelopeError(cancelUnknown, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('cancels a session and rejects further chunks', async () => {
    const data = makeMediaFile(3 * SMALL_CHUNK, { seed: 13 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);
    await sendChunks(owner.token, session.id, data, SMALL_CHUNK, [0]);

    const res = await api(`/api/upload/${session.id}`, { method: 'DELETE', headers: authHeader(owner.token) });
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Upload cancelled');

    const status = await uploadStatus(owner.token, session.id);
    expect(status.body.data.status).toBe('cancelled');
    expect(status.body.data.uploaded_chunks).toEqual([]);

    const chunk = await sendChunk(owner.token, session.id, 1, chunkOf(data, SMALL_CHUNK, 1));
    expectEnvelopeError(chunk, 400, 'BUSINESS_ERROR', 'INVALID_PARAMS');
    expect(chunk.body.error.details.status).toBe('cancelled');

    const complete = await completeChunkedUpload(owner.token, session.id, 'Cancelled');
    expectEnvelopeError(complete, 400, 'BUSINESS_ERROR', 'INVALID_PARAMS');
  });
});

describe('upload cleanup endpoints', () => {
  let owner: RegisteredUser;
  beforeAll(async () => {
    owner = await registerUser();
  });

  it('returns cleanup figures from POST /api/upload/cleanup', async () => {
    const res = await api('/api/upload/cleanup', { method: 'POST', headers: authHeader(owner.token) });

    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Cleanup completed');
    expect(Object.keys(res.body.data).sort()).toEqual(['cleaned_files', 'cleaned_sessions', 'freed_space']);
    for (const value of Object.values(res.body.data)) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value as number).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts an open session in the cleanup status', async () => {
    const data = makeMediaFile(2 * SMALL_CHUNK, { seed: 14 });
    const session = await startSession(owner.token, data, SMALL_CHUNK);
    await sendChunks(owner.token, session.id, data, SMALL_CHUNK, [0]);
    await api('/api/upload/cleanup', { method: 'POST', headers: authHeader(owner.token) });

    const res = await api('/api/upload/cleanup/status', { headers: authHeader(owner.token) });

    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Cleanup status retrieved successfully');
    const status = res.body.data;
    expect(Object.keys(status).sort()).toEqual(['active_sessions', 'expired_sessions', 'last_cleanup', 'next_scheduled_cleanup', 'total_temp_size']);
    expect(isIsoTimestamp(status.last_cleanup)).toBe(true);
    expect(isIsoTimestamp(status.next_scheduled_cleanup)).toBe(true);
    expect(Number.isInteger(status.active_sessions)).toBe(true);
    expect(status.active_sessions).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(status.expired_sessions)).toBe(true);
    expect(Number.isInteger(status.total_temp_size)).toBe(true);
    expect(status.total_temp_size).toBeGreaterThanOrEqual(SMALL_CHUNK);
  });

  it('returns 401 without a token', async () => {
    const res = await api('/api/upload/cleanup/status');

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });
});

// A server of this file's own, with a session lifetime short enough to watch sessions expire. It runs the
// Node entry in both projects, because starting a second Workers stack would double the suite's startup.
describe('expired sessions on a server with a 2 s session lifetime', () => {
  const TTL_SECONDS = 2;
  let server: NodeServer;

  beforeAll(async () => {
    server = await startNodeServer({ settings: { UPLOAD_SESSION_TTL_SECONDS: String(TTL_SECONDS), CLEANUP_INTERVAL_SECONDS: '3600' } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function call(path: string, init: RequestInit = {}) {
    const res = await fetch(server.url + path, init);
    return { status: res.status, body: await res.json() };
  }

  it('cleans up an expired session with exact figures', { timeout: 30_000 }, async () => {
    const register = await call('/api/auth/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: `ttl_${crypto.randomUUID().slice(0, 8)}`, email: `ttl_${crypto.randomUUID()}@example.test`, password: 'ttl-password-1' }),
    });
    const auth = authHeader(register.body.data.token);
    const data = makeMediaFile(3 * SMALL_CHUNK, { seed: 15 });
    const init = await call('/api/upload/init', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'expiring.mp4', fileSize: data.length, chunkSize: SMALL_CHUNK }),
    });
    const uploadId = init.body.data.id;
    for (const n of [0, 1]) {
      const form = new FormData();
      form.append('uploadId', uploadId);
      form.append('chunkNumber', String(n));
      form.append('chunk', new Blob([chunkOf(data, SMALL_CHUNK, n) as BlobPart]));
      const sent = await call('/api/upload/chunk', { method: 'POST', headers: auth, body: form });
      expect(sent.status).toBe(200);
    }

    const active = await call('/api/upload/cleanup/status', { headers: auth });
    expect(active.body.data.active_sessions).toBe(1);
    expect(active.body.data.expired_sessions).toBe(0);
    expect(active.body.data.total_temp_size).toBe(2 * SMALL_CHUNK);

    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 500));
    const expired = await call('/api/upload/cleanup/status', { headers: auth });
    expect(expired.body.data.active_sessions).toBe(0);
    expect(expired.body.data.expired_sessions).toBe(1);
    const beforeCleanup = await call(`/api/upload/status/${uploadId}`, { headers: auth });
    expect(beforeCleanup.body.data.status).toBe('expired');

    const lateChunk = new FormData();
    lateChunk.append('uploadId', uploadId);
    lateChunk.append('chunkNumber', '2');
    lateChunk.append('chunk', new Blob([chunkOf(data, SMALL_CHUNK, 2) as BlobPart]));
    const late = await call('/api/upload/chunk', { method: 'POST', headers: auth, body: lateChunk });
    expect(late.status).toBe(400);
    expect(late.body.error.details.status).toBe('expired');

    const cleanup = await call('/api/upload/cleanup', { method: 'POST', headers: auth });
    expect(cleanup.status).toBe(200);
    expect(cleanup.body.data).toEqual({ cleaned_sessions: 1, cleaned_files: 2, freed_space: 2 * SMALL_CHUNK });

    const after = await call('/api/upload/cleanup/status', { headers: auth });
    expect(after.body.data.expired_sessions).toBe(0);
    expect(after.body.data.total_temp_size).toBe(0);
    expect(isIsoTimestamp(after.body.data.last_cleanup)).toBe(true);
    const session = await call(`/api/upload/status/${uploadId}`, { headers: auth });
    expect(session.body.data.status).toBe('expired');
    expect(session.body.data.uploaded_chunks).toEqual([]);

    const again = await call('/api/upload/cleanup', { method: 'POST', headers: auth });
    expect(again.body.data).toEqual({ cleaned_sessions: 0, cleaned_files: 0, freed_space: 0 });
  });
});
