import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, isIsoTimestamp, registerUser, type RegisteredUser } from '../helpers/api.js';
import {
  createVideo,
  download,
  KiB,
  makeMediaFile,
  mediaStream,
  MiB,
  multipartBody,
  sha256,
  sha256OfStream,
  uploadVideo,
} from '../helpers/media.js';

const UPLOAD_FIELDS = ['conversion_progress', 'created_at', 'file_size', 'id', 'original_filename', 'status', 'title', 'updated_at'];
const INVALID_IDS = ['abc', '0', '-1', '1.5'];

function listVideos(token: string, query = '') {
  return api(`/api/videos${query ? `?${query}` : ''}`, { headers: authHeader(token) });
}

function getVideo(token: string, id: number | string, suffix = '') {
  return api(`/api/videos/${id}${suffix}`, { headers: authHeader(token) });
}

function expectFields(res: { body: any }, fields: string[]) {
  expect(res.body.error.details.fields).toEqual(fields);
}

/** Parses the RFC 5987 `filename*` parameter of a Content-Disposition header. */
function extendedFilename(disposition: string) {
  const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/**
 * POSTs on a connection of its own (closed afterwards) and resolves with the first response, even when the
 * server responds before the body is sent. Over-limit uploads use it so no other request reuses their socket.
 */
function rawPost(
  path: string,
  options: { headers: Record<string, string>; pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>; pauseAfterFirstMs?: number },
) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    let answered = false;
    let onAnswer = () => {};
    const answer = new Promise<void>((resolve) => (onAnswer = resolve));
    const req = httpRequest(new URL(inject('baseUrl') + path), { method: 'POST', headers: options.headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (piece) => (text += piece));
      response.on('end', () => {
        answered = true;
        onAnswer();
        req.destroy();
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });

    void (async () => {
      let first = true;
      for await (const piece of options.pieces) {
        if (answered || req.destroyed) return;
        if (!first && options.pauseAfterFirstMs) {
          await Promise.race([answer, new Promise((resolve) => setTimeout(resolve, options.pauseAfterFirstMs))]);
          if (answered || req.destroyed) return;
        }
        first = false;
        if (!req.write(piece)) {
          await new Promise<void>((resolve) => {
            const resume = () => {
              req.off('drain', resume).off('close', resume);
              resolve();
            };
            req.on('drain', resume).on('close', resume);
          });
        }
      }
      if (!req.destroyed) req.end();
    })().catch(() => undefined);
  });
}

describe('POST /api/videos/upload', () => {
  let owner: RegisteredUser;
  beforeAll(async () => {
    owner = await registerUser();
  });

  it('stores the file and returns the new video', async () => {
    const data = makeMediaFile(64 * KiB, { seed: 11 });

    const res = await uploadVideo(owner.token, { title: '  First clip  ', data, filename: 'first.mp4' });

    expect(res.status, res.text).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.code).toBe(201);
    expect(res.body.message).toBe('Video uploaded successfully');
    const video = res.body.data;
    expect(Object.keys(video).sort()).toEqual(UPLOAD_FIELDS);
    expect(Number.isInteger(video.id)).toBe(true);
    expect(video.title).toBe('First clip');
    expect(video.original_filename).toBe('first.mp4');
    expect(video.file_size).toBe(data.length);
    expect(video.status).toBe('uploaded');
    expect(video.conversion_progress).toBe(0);
    expect(isIsoTimestamp(video.created_at)).toBe(true);
    expect(isIsoTimestamp(video.updated_at)).toBe(true);
  });

  it('queues a conversion job for the new video', async () => {
    const { video } = await createVideo(owner.token, { title: 'Queued clip' });

    const res = await api(`/api/queue/video/${video.id}`, { headers: authHeader(owner.token) });

    expect(res.status, res.text).toBe(200);
    expect(res.body.data.videoId).toBe(video.id);
    // NOTE: a runner on the shared test server could claim the job first; none runs with TRANSCODER=off.
    expect(res.body.data.status).toBe('pending');
    expect(res.body.data.retryCount).toBe(0);
  });

  it('accepts a WebM file and reports its type on download', async () => {
    const { video, data } = await createVideo(owner.token, { title: 'WebM clip', kind: 'webm', size: 20 * KiB });

    const res = await download(owner.token, video.id);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/webm');
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(data));
  });

  it('returns 400 naming video when no file is sent', async () => {
    const form = new FormData();
    form.append('title', 'No file');

    const res = await api('/api/videos/upload', { method: 'POST', headers: authHeader(owner.token), body: form });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expectFields(res, ['video']);
  });

  it('returns 400 naming title when the title is empty', async () => {
    const before = await listVideos(owner.token, 'limit=100');

    const res = await uploadVideo(owner.token, { title: '   ', data: makeMediaFile(8 * KiB) });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expectFields(res, ['title']);
    const after = await listVideos(owner.token, 'limit=100');
    expect(after.body.meta.pagination.total).toBe(before.body.meta.pagination.total);
  });

  it('returns 400 naming title when the title is missing', async () => {
    const res = await uploadVideo(owner.token, { data: makeMediaFile(8 * KiB) });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expectFields(res, ['title']);
  });

  it('returns 400 for an empty file', async () => {
    const res = await uploadVideo(owner.token, { title: 'Empty', data: new Uint8Array(0) });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expectFields(res, ['video']);
    expect(res.body.error.message).toMatch(/empty/i);
  });

  it('returns 400 for a text file named .mp4', async () => {
    const text = new TextEncoder().encode('This is a plain text file, not a video.\n'.repeat(200));

    const res = await uploadVideo(owner.token, { title: 'Not a video', data: text, filename: 'fake.mp4' });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expectFields(res, ['video']);
    expect(res.body.error.message).toMatch(/not a recognised video or audio format/);
  });

  it('returns 400 for an unexpected form field', async () => {
    const { body, contentType } = multipartBody([
      { name: 'title', value: 'Extra field' },
      { name: 'other', value: 'x' },
      { name: 'video', filename: 'a.mp4', data: makeMediaFile(8 * KiB) },
    ]);

    const res = await api('/api/videos/upload', { method: 'POST', headers: { ...authHeader(owner.token), 'Content-Type': contentType }, body });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expectFields(res, ['other']);
  });

  it('returns 401 without a token', async () => {
    const res = await uploadVideo('', { title: 'Anonymous', data: makeMediaFile(8 * KiB) });

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  describe('malformed multipart', () => {
    const cases: Array<[string, string, string | Blob]> = [
      ['a JSON Content-Type', 'application/json', '{"title":"x"}'],
      ['no boundary', 'multipart/form-data', '--x\r\n'],
      ['no opening boundary', 'multipart/form-data; boundary=abc', 'just some bytes without any delimiter'],
      [
        'a body cut inside the file',
        'multipart/form-data; boundary=abc',
        new Blob([
          '--abc\r\nContent-Disposition: form-data; name="title"\r\n\r\nCut\r\n--abc\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\n\r\n',
          makeMediaFile(6 * KiB) as BlobPart,
        ]),
      ],
      ['a part without a name', 'multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--abc--\r\n'],
      ['headers that never end', 'multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="title"'],
    ];

    it.each(cases)('returns 400 INVALID_PARAMS for %s', async (_label, contentType, body) => {
      const before = await listVideos(owner.token, 'limit=100');

      const res = await api('/api/videos/upload', {
        method: 'POST',
        headers: { ...authHeader(owner.token), 'Content-Type': contentType },
        body,
      });

      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
      const after = await listVideos(owner.token, 'limit=100');
      expect(after.body.meta.pagination.total).toBe(before.body.meta.pagination.total);
    });
  });

  describe('a hostile filename', () => {
    const original = '../../etc/"passwd" back\\slash 视频 ünïcødé.mp4';

    it('keeps the name only as original_filename', async () => {
      const data = makeMediaFile(16 * KiB, { seed: 5 });
      const { body, contentType } = multipartBody([
        { name: 'title', value: 'Hostile name' },
        { name: 'video', filename: 'fallback.mp4', filenameStar: original, contentType: 'video/mp4', data },
      ]);

      const res = await api('/api/videos/upload', { method: 'POST', headers: { ...authHeader(owner.token), 'Content-Type': contentType }, body });

      expect(res.status, res.text).toBe(201);
      expect(res.body.data.original_filename).toBe(original);
      expect(res.body.data.title).toBe('Hostile name');

      const got = await download(owner.token, res.body.data.id);
      expect(got.status).toBe(200);
      const disposition = got.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment; /);
      expect(extendedFilename(disposition)).toBe(original);
      // The plain fallback is printable ASCII with no quote, backslash or slash that could break out of it.
      const fallback = /filename="([^"]*)"/.exec(disposition)?.[1] ?? '';
      expect(fallback).toMatch(/^[\x20-\x7e]+$/);
      expect(fallback).not.toMatch(/[\\/"]/);
      expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(data));
    });

    it('reads a raw UTF-8 quoted filename as a browser sends it', async () => {
      const name = 'clip "final" 视频.mp4';
      const { body, contentType } = multipartBody([
        { name: 'title', value: 'Browser name' },
        { name: 'video', filename: name.replace(/"/g, '\\"'), data: makeMediaFile(8 * KiB) },
      ]);

      const res = await api('/api/videos/upload', { method: 'POST', headers: { ...authHeader(owner.token), 'Content-Type': contentType }, body });

      expect(res.status, res.text).toBe(201);
      expect(res.body.data.original_filename).toBe(name);
      const got = await download(owner.token, res.body.data.id);
      expect(extendedFilename(got.headers.get('content-disposition') ?? '')).toBe(name);
      await got.body?.cancel();
    });
  });

  describe('size limit', () => {
    const limit = Number(inject('settings').MAX_UPLOAD_BYTES);

    // NOTE: skipped on Workers because wrangler dev replaces this early rejection with its own 503
    // "Your worker restarted mid-request" instead of the 413 envelope; unresolved, see the streamed case below.
    it.skipIf(inject('runtime') === 'workers')('returns 413 when Content-Length exceeds MAX_UPLOAD_BYTES', { timeout: 240_000 }, async () => {
      const before = await listVideos(owner.token, 'limit=100');
      const boundary = 'size-limit-boundary';

      // The server may answer from the header alone, so the client pauses after the first piece. wrangler dev
      // answers only once the whole body is in, so the body really is as long as declared.
      const declared = limit + 1 * MiB;
      const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nToo big\r\n`);
      const res = await rawPost('/api/videos/upload', {
        headers: {
          ...authHeader(owner.token),
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(declared),
        },
        pieces: (function* () {
          yield head;
          const zeros = new Uint8Array(MiB);
          for (let left = declared - head.length; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
        })(),
        pauseAfterFirstMs: 2000,
      });

      expect(res.status).toBe(413);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(res.body.error.details.limit_bytes).toBe(limit);
      const after = await listVideos(owner.token, 'limit=100');
      expect(after.body.meta.pagination.total).toBe(before.body.meta.pagination.total);
    });

    it('returns 413 for a streamed body over MAX_UPLOAD_BYTES', { timeout: 240_000 }, async () => {
      const before = await listVideos(owner.token, 'limit=100');
      const boundary = 'streamed-limit-boundary';
      const encoder = new TextEncoder();

      // No Content-Length: the body goes out chunked, so only counting the bytes can catch it.
      const res = await rawPost('/api/videos/upload', {
        headers: { ...authHeader(owner.token), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        pieces: (async function* () {
          yield encoder.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nToo big\r\n--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="big.mp4"\r\n\r\n`,
          );
          yield* mediaStream(limit + 1 * MiB, { seed: 3 }) as unknown as AsyncIterable<Uint8Array>;
          yield encoder.encode(`\r\n--${boundary}--\r\n`);
        })(),
      });

      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      const after = await listVideos(owner.token, 'limit=100');
      expect(after.body.meta.pagination.total).toBe(before.body.meta.pagination.total);
    });
  });
});

describe('GET /api/videos', () => {
  let owner: RegisteredUser;
  const titles = ['100% real', '100 real', 'a_b', 'axb', 'Mixed CASE Title'];
  const sizes = [12 * KiB, 8 * KiB, 20 * KiB, 16 * KiB, 4 * KiB + 100];
  const created: any[] = [];

  beforeAll(async () => {
    owner = await registerUser();
    // Sequential, so created_at order is the upload order.
    for (const [index, title] of titles.entries()) {
      const { video } = await createVideo(owner.token, { title, size: sizes[index], seed: index + 1 });
      created.push(video);
    }
  });

  it('returns exact pagination meta', async () => {
    const first = await listVideos(owner.token, 'limit=2');
    expect(first.status, first.text).toBe(200);
    expect(first.body.message).toBe('Video list retrieved successfully');
    expect(first.body.meta.pagination).toEqual({ page: 1, limit: 2, total: 5, pages: 3, has_next: true, has_prev: false });
    expect(first.body.data).toHaveLength(2);

    const middle = await listVideos(owner.token, 'limit=2&page=2');
    expect(middle.body.meta.pagination).toEqual({ page: 2, limit: 2, total: 5, pages: 3, has_next: true, has_prev: true });

    const last = await listVideos(owner.token, 'limit=2&page=3');
    expect(last.body.meta.pagination).toEqual({ page: 3, limit: 2, total: 5, pages: 3, has_next: false, has_prev: true });
    expect(last.body.data).toHaveLength(1);

    const beyond = await listVideos(owner.token, 'limit=2&page=4');
    expect(beyond.body.data).toEqual([]);
    expect(beyond.body.meta.pagination).toEqual({ page: 4, limit: 2, total: 5, pages: 3, has_next: false, has_prev: true });
  });

  it('pages through every video once, newest first by default', async () => {
    const ids: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await listVideos(owner.token, `limit=2&page=${page}`);
      ids.push(...res.body.data.map((video: any) => video.id));
    }

    expect(ids).toEqual(created.map((video) => video.id).reverse());
  });

  it('uses the defaults and echoes null search meta', async () => {
    const res = await listVideos(owner.token);

    expect(res.body.meta.pagination).toEqual({ page: 1, limit: 10, total: 5, pages: 1, has_next: false, has_prev: false });
    expect(res.body.meta.search).toEqual({
      query: null,
      status: null,
      start_date: null,
      end_date: null,
      sort_by: 'created_at',
      sort_order: 'DESC',
    });
  });

  it('returns only the caller\'s videos with the spec fields', async () => {
    const res = await listVideos(owner.token, 'limit=100');

    expect(res.body.data.map((video: any) => video.id).sort()).toEqual(created.map((video) => video.id).sort());
    for (const video of res.body.data) {
      expect(Object.keys(video).sort()).toEqual(UPLOAD_FIELDS);
    }
  });

  it('echoes the search parameters in meta.search', async () => {
    const res = await listVideos(owner.token, 'q=real&status=uploaded&start_date=2024-01-01&end_date=2099-12-31&sort_by=file_size&sort_order=asc');

    expect(res.status, res.text).toBe(200);
    expect(res.body.meta.search).toEqual({
      query: 'real',
      status: 'uploaded',
      start_date: '2024-01-01',
      end_date: '2099-12-31',
      sort_by: 'file_size',
      sort_order: 'ASC',
    });
    expect(res.body.data.map((video: any) => video.title)).toEqual(['100 real', '100% real']);
  });

  it('matches q case-insensitively', async () => {
    const res = await listVideos(owner.token, 'q=mIXED%20case');

    expect(res.body.data.map((video: any) => video.title)).toEqual(['Mixed CASE Title']);
  });

  it('matches % and _ in q literally', async () => {
    const percent = await listVideos(owner.token, `q=${encodeURIComponent('100%')}`);
    expect(percent.body.data.map((video: any) => video.title)).toEqual(['100% real']);

    const underscore = await listVideos(owner.token, 'q=_');
    expect(underscore.body.data.map((video: any) => video.title)).toEqual(['a_b']);

    const none = await listVideos(owner.token, `q=${encodeURIComponent('%%')}`);
    expect(none.body.data).toEqual([]);
    expect(none.body.meta.pagination.total).toBe(0);
    expect(none.body.meta.pagination.pages).toBe(0);
  });

  it('filters by status', async () => {
    const uploaded = await listVideos(owner.token, 'status=uploaded');
    expect(uploaded.body.meta.pagination.total).toBe(5);

    const completed = await listVideos(owner.token, 'status=completed');
    expect(completed.body.data).toEqual([]);
    expect(completed.body.meta.pagination.total).toBe(0);
  });

  it('filters by an inclusive date range', async () => {
    const second = created[1];
    const fourth = created[3];

    const range = await listVideos(owner.token, `start_date=${second.created_at}&end_date=${fourth.created_at}&sort_order=ASC`);
    expect(range.status, range.text).toBe(200);
    // Videos created within the same millisecond share a timestamp, so compare against the timestamps themselves.
    const expected = created.filter((video) => video.created_at >= second.created_at && video.created_at <= fourth.created_at);
    expect(range.body.data.map((video: any) => video.id)).toEqual(expected.map((video) => video.id));

    const future = await listVideos(owner.token, 'start_date=2999-01-01');
    expect(future.body.meta.pagination.total).toBe(0);

    const past = await listVideos(owner.token, 'end_date=2000-01-01');
    expect(past.body.meta.pagination.total).toBe(0);
  });

  it('includes the whole day of a date-only end_date', async () => {
    const today = created[0].created_at.slice(0, 10);
    const lastDay = created[created.length - 1].created_at.slice(0, 10);

    const res = await listVideos(owner.token, `start_date=${today}&end_date=${lastDay}`);

    expect(res.body.meta.pagination.total).toBe(5);
  });

  it('sorts by title both ways', async () => {
    const ascending = await listVideos(owner.token, 'sort_by=title&sort_order=ASC');
    const expected = [...titles].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(ascending.body.data.map((video: any) => video.title)).toEqual(expected);

    const descending = await listVideos(owner.token, 'sort_by=title&sort_order=DESC');
    expect(descending.body.data.map((video: any) => video.title)).toEqual([...expected].reverse());
  });

  it('sorts by file_size both ways', async () => {
    const ascending = await listVideos(owner.token, 'sort_by=file_size&sort_order=ASC');
    expect(ascending.body.data.map((video: any) => video.file_size)).toEqual([...sizes].sort((a, b) => a - b));

    const descending = await listVideos(owner.token, 'sort_by=file_size&sort_order=DESC');
    expect(descending.body.data.map((video: any) => video.file_size)).toEqual([...sizes].sort((a, b) => b - a));
  });

  const invalidQueries: Array<[string, string, string]> = [
    ['limit over 100', 'limit=101', 'limit'],
    ['limit 0', 'limit=0', 'limit'],
    ['a fractional limit', 'limit=2.5', 'limit'],
    ['page 0', 'page=0', 'page'],
    ['a non-numeric page', 'page=abc', 'page'],
    ['a negative page', 'page=-1', 'page'],
    ['an unknown status', 'status=done', 'status'],
    ['the deleted status', 'status=deleted', 'status'],
    ['an unknown sort_by', 'sort_by=owner', 'sort_by'],
    ['an unknown sort_order', 'sort_order=UP', 'sort_order'],
    ['a non-date start_date', 'start_date=yesterday', 'start_date'],
    ['an impossible month', 'start_date=2024-13-01', 'start_date'],
    ['a non-date end_date', 'end_date=2024-07-16T25:99', 'end_date'],
    ['start_date after end_date', 'start_date=2024-07-17&end_date=2024-07-16', 'start_date'],
  ];

  it.each(invalidQueries)('returns 400 for %s', async (_label, query, field) => {
    const res = await listVideos(owner.token, query);

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expectFields(res, [field]);
  });
});

describe('a single video', () => {
  let owner: RegisteredUser;
  beforeAll(async () => {
    owner = await registerUser();
  });

  it('returns the video from GET /:id and /:id/status', async () => {
    const { video } = await createVideo(owner.token, { title: 'Details' });

    const details = await getVideo(owner.token, video.id);
    expect(details.status, details.text).toBe(200);
    expect(details.body.message).toBe('Video information retrieved successfully');
    expect(details.body.data).toEqual(video);

    const status = await getVideo(owner.token, video.id, '/status');
    expect(status.status, status.text).toBe(200);
    expect(status.body.data).toEqual(video);
  });

  it('leaves out thumbnail_url and hls_url until they exist', async () => {
    const { video } = await createVideo(owner.token, { title: 'No outputs yet' });

    const res = await getVideo(owner.token, video.id);

    expect(res.body.data).not.toHaveProperty('thumbnail_url');
    expect(res.body.data).not.toHaveProperty('hls_url');
  });

  it('returns 404 for a video that does not exist', async () => {
    const res = await getVideo(owner.token, 987654321);

    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  describe.each(INVALID_IDS)('with the invalid id %s', (id) => {
    const calls: Array<[string, string, string, unknown?]> = [
      ['GET', '', 'GET /:id'],
      ['GET', '/status', 'GET /:id/status'],
      ['PUT', '', 'PUT /:id', { title: 'x' }],
      ['DELETE', '', 'DELETE /:id'],
      ['POST', '/retry', 'POST /:id/retry'],
      ['GET', '/download', 'GET /:id/download'],
    ];

    it.each(calls)('returns 400 from %s%s', async (method, suffix, _label, json) => {
      const res = await api(`/api/videos/${id}${suffix}`, { method, headers: authHeader(owner.token), json });

      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
      expectFields(res, ['id']);
    });
  });

  it('renames a video with PUT', async () => {
    const { video } = await createVideo(owner.token, { title: 'Old title' });

    const res = await api(`/api/videos/${video.id}`, { method: 'PUT', headers: authHeader(owner.token), json: { title: '  New title  ' } });

    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Video information updated successfully');
    expect(res.body.data.title).toBe('New title');
    expect(res.body.data.id).toBe(video.id);
    expect(res.body.data.created_at).toBe(video.created_at);
    expect(res.body.data.updated_at >= video.updated_at).toBe(true);
    const after = await getVideo(owner.token, video.id);
    expect(after.body.data.title).toBe('New title');
    const search = await listVideos(owner.token, 'q=new%20title');
    expect(search.body.data.map((item: any) => item.id)).toEqual([video.id]);
  });

  it('returns 400 naming title when PUT has an empty title', async () => {
    const { video } = await createVideo(owner.token, { title: 'Keeps its title' });

    for (const json of [{ title: '' }, { title: '   ' }, {}]) {
      const res = await api(`/api/videos/${video.id}`, { method: 'PUT', headers: authHeader(owner.token), json });
      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
      expectFields(res, ['title']);
    }
    const after = await getVideo(owner.token, video.id);
    expect(after.body.data.title).toBe('Keeps its title');
  });

  it('returns 404 when PUT targets a missing video', async () => {
    const res = await api('/api/videos/987654321', { method: 'PUT', headers: authHeader(owner.token), json: { title: 'x' } });

    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('returns 400 when retrying a video that has not failed', async () => {
    const { video } = await createVideo(owner.token, { title: 'Not failed' });

    const res = await api(`/api/videos/${video.id}/retry`, { method: 'POST', headers: authHeader(owner.token) });

    expectEnvelopeError(res, 400, 'BUSINESS_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.message).toMatch(/only failed videos/i);
    const after = await getVideo(owner.token, video.id);
    expect(after.body.data.status).toBe('uploaded');
  });

  it('deletes a video from every endpoint', async () => {
    const { video } = await createVideo(owner.token, { title: 'To delete' });

    const res = await api(`/api/videos/${video.id}`, { method: 'DELETE', headers: authHeader(owner.token) });
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Video deleted successfully');
    expect(res.body).not.toHaveProperty('data');

    for (const suffix of ['', '/status', '/download']) {
      const gone = await getVideo(owner.token, video.id, suffix);
      expectEnvelopeError(gone, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
    }
    const queue = await api(`/api/queue/video/${video.id}`, { headers: authHeader(owner.token) });
    expect(queue.status).toBe(404);
    const list = await listVideos(owner.token, 'limit=100');
    expect(list.body.data.map((item: any) => item.id)).not.toContain(video.id);

    const again = await api(`/api/videos/${video.id}`, { method: 'DELETE', headers: authHeader(owner.token) });
    expectEnvelopeError(again, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });
});

describe('GET /api/videos/:id/download', () => {
  let owner: RegisteredUser;
  let video: any;
  let data: Uint8Array;

  beforeAll(async () => {
    owner = await registerUser();
    ({ video, data } = await createVideo(owner.token, { title: 'Download me', size: 3 * MiB + 123, seed: 42, filename: 'download.mp4' }));
  });

  it('returns the whole file with its headers', async () => {
    const res = await download(owner.token, video.id);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe(String(data.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="download.mp4"; filename*=UTF-8''download.mp4`);
    const { sha256: hash, size } = await sha256OfStream(res.body!);
    expect(size).toBe(data.length);
    expect(hash).toBe(sha256(data));
  });

  it('returns 206 with Content-Range for a byte range', async () => {
    const res = await download(owner.token, video.id, { Range: 'bytes=1000-1999' });

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(data.subarray(1000, 2000)));
  });

  it('returns the tail for an open-ended and a suffix range', async () => {
    const open = await download(owner.token, video.id, { Range: `bytes=${data.length - 10}-` });
    expect(open.status).toBe(206);
    expect(open.headers.get('content-range')).toBe(`bytes ${data.length - 10}-${data.length - 1}/${data.length}`);
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(data.subarray(data.length - 10));

    const clipped = await download(owner.token, video.id, { Range: `bytes=${data.length - 4}-${data.length + 100}` });
    expect(clipped.status).toBe(206);
    expect(clipped.headers.get('content-range')).toBe(`bytes ${data.length - 4}-${data.length - 1}/${data.length}`);
    expect(new Uint8Array(await clipped.arrayBuffer())).toEqual(data.subarray(data.length - 4));

    const suffix = await download(owner.token, video.id, { Range: 'bytes=-5' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${data.length - 5}-${data.length - 1}/${data.length}`);
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(data.subarray(data.length - 5));
  });

  it('returns 416 for a range past the end', async () => {
    const res = await download(owner.token, video.id, { Range: `bytes=${data.length}-` });

    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${data.length}`);
    const body = await res.json();
    expect(body.success).toBe(false);
    expect(body.code).toBe(416);
  });

  it('returns 304 when If-None-Match matches the ETag', async () => {
    const first = await download(owner.token, video.id, { Range: 'bytes=0-0' });
    const etag = first.headers.get('etag');
    await first.body?.cancel();
    expect(etag).toBeTruthy();

    const res = await download(owner.token, video.id, { 'If-None-Match': etag! });

    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  it('returns the whole file when If-None-Match does not match', async () => {
    const res = await download(owner.token, video.id, { 'If-None-Match': '"not-the-etag"' });

    expect(res.status).toBe(200);
    const { sha256: hash } = await sha256OfStream(res.body!);
    expect(hash).toBe(sha256(data));
  });
});
