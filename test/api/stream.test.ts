import { SignJWT } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, registerUser, type RegisteredUser } from '../helpers/api.js';
import { createCompletedVideo, type CompletedVideo } from '../helpers/complete-video.js';
import { uploadSample } from '../helpers/runner.js';

const OTHER_ORIGIN = 'http://player.example.test';

/** Signs a playback token like the server's, with any claim replaced. */
async function forgePlaybackToken(userId: number, videoId: number, options: { expiresAt?: number } = {}) {
  const jwt = inject('jwt');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ typ: 'playback', vid: videoId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(userId))
    .setIssuer(jwt.issuer)
    .setAudience(`${jwt.audience}:playback`)
    .setIssuedAt(now - 7200)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(new TextEncoder().encode(jwt.secret));
}

async function playbackUrlOf(video: CompletedVideo): Promise<string> {
  const res = await api(`/api/videos/${video.id}`, { headers: authHeader(video.user.token) });
  expect(res.status, res.text).toBe(200);
  return res.body.data.playback_url;
}

/** Fetches an absolute URL of the server under test, returning the raw response. */
function fetchUrl(url: string, init: RequestInit = {}) {
  expect(url.startsWith(inject('baseUrl'))).toBe(true);
  return fetch(url, init);
}

function bytesOf(response: Response) {
  return response.arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

let video: CompletedVideo;
let segmentNames: string[];

beforeAll(async () => {
  video = await createCompletedVideo({ title: 'Stream sample' });
  segmentNames = [...video.media.segments.keys()];
});

describe('GET /api/stream/:id/playlist.m3u8', () => {
  it('keeps relative URIs for a Bearer token', async () => {
    const res = await api(`/api/stream/${video.id}/playlist.m3u8`, { headers: { ...authHeader(video.user.token), Origin: OTHER_ORIGIN } });

    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.text).toBe(video.media.playlist);
    for (const name of segmentNames) expect(res.text.split('\n')).toContain(name);
  });

  it('shows playback_url only when completed', async () => {
    const playbackUrl = await playbackUrlOf(video);
    expect(playbackUrl.startsWith(`${inject('baseUrl')}/api/stream/${video.id}/playlist.m3u8?token=`)).toBe(true);

    const pending = await uploadSample(video.user, 'Not converted yet');
    const res = await api(`/api/videos/${pending.video.id}`, { headers: authHeader(video.user.token) });
    expect(res.body.data.status).toBe('uploaded');
    expect(res.body.data).not.toHaveProperty('playback_url');
  });

  it('plays through playback_url with the token on every segment', async () => {
    const playbackUrl = await playbackUrlOf(video);
    const token = new URL(playbackUrl).searchParams.get('token')!;

    const playlist = await fetchUrl(playbackUrl, { headers: { Origin: OTHER_ORIGIN } });
    const text = await playlist.text();
    expect(playlist.status, text).toBe(200);
    expect(playlist.headers.get('access-control-allow-origin')).toBe('*');

    const uris = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(uris).toEqual(segmentNames.map((name) => `${name}?token=${encodeURIComponent(token)}`));

    for (const uri of uris) {
      const segment = await fetchUrl(new URL(uri, playbackUrl).href);
      expect(segment.status).toBe(200);
      expect(segment.headers.get('content-type')).toBe('video/mp2t');
      expect(await bytesOf(segment)).toEqual(video.media.segments.get(uri.split('?')[0]));
    }
  });

  it('rejects a playback token of another video with 401', async () => {
    const other = await createCompletedVideo({ user: video.user, title: 'Second stream sample' });
    const tokenForOther = new URL(await playbackUrlOf(other)).searchParams.get('token')!;

    const playlist = await api(`/api/stream/${video.id}/playlist.m3u8?token=${encodeURIComponent(tokenForOther)}`);
    expectEnvelopeError(playlist, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');

    const segment = await api(`/api/stream/${video.id}/${segmentNames[0]}?token=${encodeURIComponent(tokenForOther)}`);
    expectEnvelopeError(segment, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects an expired playback token with 401', async () => {
    const expired = await forgePlaybackToken(video.user.user.id, video.id, { expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const res = await api(`/api/stream/${video.id}/playlist.m3u8?token=${expired}`);
    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('accepts an unexpired forged playback token', async () => {
    const valid = await forgePlaybackToken(video.user.user.id, video.id);
    const res = await api(`/api/stream/${video.id}/playlist.m3u8?token=${valid}`);
    expect(res.status, res.text).toBe(200);
  });

  it('does not accept an access token as a playback token', async () => {
    const res = await api(`/api/stream/${video.id}/playlist.m3u8?token=${video.user.token}`);
    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('requires a token', async () => {
    const res = await api(`/api/stream/${video.id}/playlist.m3u8`);
    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('answers another user exactly as for a missing video', async () => {
    const stranger = await registerUser();
    const foreign = await api(`/api/stream/${video.id}/playlist.m3u8`, { headers: authHeader(stranger.token) });
    const missing = await api('/api/stream/999999999/playlist.m3u8', { headers: authHeader(stranger.token) });

    expectEnvelopeError(foreign, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
    expectEnvelopeError(missing, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
    expect(foreign.body.error).toEqual(missing.body.error);

    const segment = await api(`/api/stream/${video.id}/${segmentNames[0]}`, { headers: authHeader(stranger.token) });
    expect(segment.body.error).toEqual(missing.body.error);
  });

  it('rejects an unconverted video with VIDEO_NOT_READY', async () => {
    const pending = await uploadSample(video.user, 'Still uploaded');
    const playlist = await api(`/api/stream/${pending.video.id}/playlist.m3u8`, { headers: authHeader(video.user.token) });
    expectEnvelopeError(playlist, 400, 'BUSINESS_ERROR', 'VIDEO_NOT_READY');

    const segment = await api(`/api/stream/${pending.video.id}/segment_000.ts`, { headers: authHeader(video.user.token) });
    expectEnvelopeError(segment, 400, 'BUSINESS_ERROR', 'VIDEO_NOT_READY');
  });

  it('rejects an invalid video id with 400', async () => {
    const res = await api('/api/stream/abc/playlist.m3u8', { headers: authHeader(video.user.token) });
    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
  });
});

describe('GET /api/stream/:id/segment_:segmentId.ts', () => {
  let owner: RegisteredUser;
  let firstSegment: Uint8Array;
  let segmentPath: string;

  beforeAll(() => {
    owner = video.user;
    firstSegment = video.media.segments.get(segmentNames[0])!;
    segmentPath = `/api/stream/${video.id}/${segmentNames[0]}`;
  });

  it('returns the segment with a private immutable cache', async () => {
    const res = await fetch(inject('baseUrl') + segmentPath, { headers: { ...authHeader(owner.token), Origin: OTHER_ORIGIN } });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp2t');
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-length')).toBe(String(firstSegment.length));
    expect(await bytesOf(res)).toEqual(firstSegment);
  });

  it('serves a byte range with 206', async () => {
    const res = await fetch(inject('baseUrl') + segmentPath, { headers: { ...authHeader(owner.token), Range: 'bytes=188-375' } });

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 188-375/${firstSegment.length}`);
    expect(res.headers.get('content-length')).toBe('188');
    expect(await bytesOf(res)).toEqual(firstSegment.subarray(188, 376));
  });

  it('rejects a range past the end with 416', async () => {
    const res = await api(segmentPath, { headers: { ...authHeader(owner.token), Range: `bytes=${firstSegment.length}-` } });

    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${firstSegment.length}`);
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await fetch(inject('baseUrl') + segmentPath, { method: 'HEAD', headers: authHeader(owner.token) });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(firstSegment.length));
    expect(res.headers.get('content-type')).toBe('video/mp2t');
    expect((await bytesOf(res)).length).toBe(0);
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await fetch(inject('baseUrl') + segmentPath, { headers: authHeader(owner.token) });
    await first.arrayBuffer();
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();

    const again = await fetch(inject('baseUrl') + segmentPath, { headers: { ...authHeader(owner.token), 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect((await bytesOf(again)).length).toBe(0);
  });

  it('rejects malformed segment ids with 400', async () => {
    for (const name of ['segment_1.ts', 'segment_abc.ts', 'segment_0000000.ts', 'segment_000.ts.ts', 'segment_%2e%2e.ts']) {
      const res = await api(`/api/stream/${video.id}/${name}`, { headers: authHeader(owner.token) });
      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    }
  });

  it('returns 404 for a segment the video does not have', async () => {
    const res = await api(`/api/stream/${video.id}/segment_999.ts`, { headers: authHeader(owner.token) });
    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('reaches no other object of the video', async () => {
    for (const name of ['thumbnail.jpg', 'source', 'playlist.m3u8.ts']) {
      const res = await api(`/api/stream/${video.id}/${name}`, { headers: authHeader(owner.token) });
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type'), name).toMatch(/^application\/json/);
    }
  });

  it('answers a CORS preflight from another origin', async () => {
    const res = await fetch(inject('baseUrl') + segmentPath, {
      method: 'OPTIONS',
      headers: { Origin: OTHER_ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization, range' },
    });

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('range');
  });
});

describe('GET /thumbnails/*', () => {
  it('serves the thumbnail without authentication', async () => {
    const res = await api(`/api/videos/${video.id}`, { headers: authHeader(video.user.token) });
    const thumbnailUrl: string = res.body.data.thumbnail_url;
    expect(thumbnailUrl).toMatch(/\/thumbnails\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.jpg$/);
    expect(thumbnailUrl).not.toContain(`/${video.id}/`);

    const image = await fetchUrl(thumbnailUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(await bytesOf(image)).toEqual(video.media.thumbnail);
  });

  it('rejects paths that are not a thumbnail key', async () => {
    const paths = [
      `/thumbnails/${video.id}/thumbnail.jpg`,
      '/thumbnails/2026/01/not-a-uuid.jpg',
      `/thumbnails/2026/01/${crypto.randomUUID()}.jpg`,
      '/thumbnails/..%2Foriginals%2Fx',
      '/thumbnails/',
    ];
    for (const path of paths) {
      const res = await api(path);
      expect(res.status, path).toBe(404);
    }
  });
});
