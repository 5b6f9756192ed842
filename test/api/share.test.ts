import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, isIsoTimestamp, registerUser } from '../helpers/api.js';
import { createCompletedVideo, type CompletedVideo } from '../helpers/complete-video.js';
import { sleep, uploadSample } from '../helpers/runner.js';

const SHARE_FIELDS = ['access_count', 'access_token', 'created_at', 'id', 'is_active', 'share_url', 'video_id'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRICKY_TITLE = `<script>alert("x")</script> Bear & 'friends'`;

interface Share {
  id: number;
  video_id: number;
  access_token: string;
  share_url: string;
  created_at: string;
  is_active: boolean;
  access_count: number;
}

async function createShare(target: CompletedVideo): Promise<Share> {
  const res = await api(`/api/videos/${target.id}/share`, { method: 'POST', headers: authHeader(target.user.token) });
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

async function sharesOf(target: CompletedVideo): Promise<Share[]> {
  const res = await api(`/api/videos/${target.id}/shares`, { headers: authHeader(target.user.token) });
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

function toggle(target: CompletedVideo, shareId: number | string, token = target.user.token) {
  return api(`/api/share/manage/shares/${shareId}/toggle`, { method: 'PUT', headers: authHeader(token) });
}

function remove(target: CompletedVideo, shareId: number | string, token = target.user.token) {
  return api(`/api/share/manage/shares/${shareId}`, { method: 'DELETE', headers: authHeader(token) });
}

/** Polls the owner's share list until the share's access_count reaches `expected`, or times out. */
async function waitForAccessCount(target: CompletedVideo, shareId: number, expected: number) {
  const deadline = Date.now() + 5000;
  let count = -1;
  while (Date.now() < deadline) {
    count = (await sharesOf(target)).find((share) => share.id === shareId)!.access_count;
    if (count >= expected) return count;
    await sleep(100);
  }
  return count;
}

/** Checks that every public endpoint of the share returns 404. */
async function expectShareGone(token: string) {
  expectEnvelopeError(await api(`/api/share/${token}/playlist.m3u8`), 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  expectEnvelopeError(await api(`/api/share/${token}/segment_000.ts`), 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  expectEnvelopeError(await api(`/api/share/${token}/info`), 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  const page = await api(`/share/${token}`);
  expect(page.status).toBe(404);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
}

let video: CompletedVideo;

beforeAll(async () => {
  video = await createCompletedVideo({ title: TRICKY_TITLE });
});

describe('POST /api/videos/:id/share', () => {
  it('creates an active link with a random UUID v4', async () => {
    const res = await api(`/api/videos/${video.id}/share`, { method: 'POST', headers: authHeader(video.user.token) });

    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Sharing link generated successfully');
    const share: Share = res.body.data;
    expect(Object.keys(share).sort()).toEqual(SHARE_FIELDS);
    expect(share.video_id).toBe(video.id);
    expect(share.access_token).toMatch(UUID_V4);
    expect(share.share_url).toBe(`${inject('baseUrl')}/api/share/${share.access_token}/playlist.m3u8`);
    expect(share.is_active).toBe(true);
    expect(share.access_count).toBe(0);
    expect(isIsoTimestamp(share.created_at)).toBe(true);
  });

  it('gives every link its own token', async () => {
    const first = await createShare(video);
    const second = await createShare(video);
    expect(first.access_token).not.toBe(second.access_token);
    expect(first.id).not.toBe(second.id);
  });

  it('returns 404 for a video that is not converted', async () => {
    const pending = await uploadSample(video.user, 'Not converted');
    const res = await api(`/api/videos/${pending.video.id}/share`, { method: 'POST', headers: authHeader(video.user.token) });
    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('returns 404 for another user\'s video', async () => {
    const stranger = await registerUser();
    const res = await api(`/api/videos/${video.id}/share`, { method: 'POST', headers: authHeader(stranger.token) });
    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('rejects an invalid video id and a missing token', async () => {
    expectEnvelopeError(
      await api('/api/videos/abc/share', { method: 'POST', headers: authHeader(video.user.token) }),
      400,
      'VALIDATION_ERROR',
      'INVALID_PARAMS',
    );
    expectEnvelopeError(await api(`/api/videos/${video.id}/share`, { method: 'POST' }), 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });
});

describe('GET /api/videos/:id/shares', () => {
  it('lists the links of that video only', async () => {
    const other = await createCompletedVideo({ user: video.user, title: 'Other video' });
    const mine = await createShare(video);
    const theirs = await createShare(other);

    const list = await sharesOf(video);
    const ids = list.map((share) => share.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    for (const share of list) {
      expect(Object.keys(share).sort()).toEqual(SHARE_FIELDS);
      expect(share.video_id).toBe(video.id);
    }
  });

  it('returns 404 for another user\'s video', async () => {
    const stranger = await registerUser();
    const res = await api(`/api/videos/${video.id}/shares`, { headers: authHeader(stranger.token) });
    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });
});

describe('share management', () => {
  it('disables and enables a link, taking effect at once', async () => {
    const share = await createShare(video);
    expect((await api(`/api/share/${share.access_token}/playlist.m3u8`)).status).toBe(200);

    const disabled = await toggle(video, share.id);
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body.message).toBe('Sharing link disabled');
    expect((await sharesOf(video)).find((item) => item.id === share.id)!.is_active).toBe(false);
    await expectShareGone(share.access_token);

    const enabled = await toggle(video, share.id);
    expect(enabled.body.message).toBe('Sharing link enabled');
    expect((await api(`/api/share/${share.access_token}/playlist.m3u8`)).status).toBe(200);
  });

  it('deletes a link', async () => {
    const share = await createShare(video);

    const res = await remove(video, share.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Sharing link deleted successfully');
    expect((await sharesOf(video)).map((item) => item.id)).not.toContain(share.id);
    await expectShareGone(share.access_token);

    expectEnvelopeError(await remove(video, share.id), 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
    expectEnvelopeError(await toggle(video, share.id), 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('treats another user\'s link exactly as a missing one', async () => {
    const share = await createShare(video);
    const stranger = await registerUser();

    const foreignToggle = await toggle(video, share.id, stranger.token);
    const missingToggle = await toggle(video, 999_999_999, stranger.token);
    expectEnvelopeError(foreignToggle, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
    expect(foreignToggle.body.error).toEqual(missingToggle.body.error);

    const foreignDelete = await remove(video, share.id, stranger.token);
    expectEnvelopeError(foreignDelete, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');

    const still = (await sharesOf(video)).find((item) => item.id === share.id);
    expect(still?.is_active).toBe(true);
  });

  it('rejects an invalid share id with 400 and a missing token with 401', async () => {
    expectEnvelopeError(await toggle(video, 'abc'), 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expectEnvelopeError(await remove(video, '0'), 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expectEnvelopeError(await api('/api/share/manage/shares/1/toggle', { method: 'PUT' }), 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('ends the link when its video is deleted', async () => {
    const doomed = await createCompletedVideo({ user: video.user, title: 'To be deleted' });
    const share = await createShare(doomed);
    expect((await api(`/api/share/${share.access_token}/info`)).status).toBe(200);

    const deleted = await api(`/api/videos/${doomed.id}`, { method: 'DELETE', headers: authHeader(doomed.user.token) });
    expect(deleted.status, deleted.text).toBe(200);
    await expectShareGone(share.access_token);
  });
});

describe('public share endpoints', () => {
  let share: Share;

  beforeAll(async () => {
    share = await createShare(video);
  });

  it('serves the playlist with absolute segment URLs and no login', async () => {
    const res = await api(`/api/share/${share.access_token}/playlist.m3u8`, { headers: { Origin: 'http://elsewhere.example.test' } });

    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const uris = res.text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const base = `${inject('baseUrl')}/api/share/${share.access_token}/`;
    expect(uris).toEqual([...video.media.segments.keys()].map((name) => base + name));
  });

  it('serves segments with a public immutable cache and ranges', async () => {
    const [name, bytes] = [...video.media.segments][0];
    const url = `${inject('baseUrl')}/api/share/${share.access_token}/${name}`;

    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp2t');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(bytes);

    const partial = await fetch(url, { headers: { Range: 'bytes=0-187' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 0-187/${bytes.length}`);
    expect(new Uint8Array(await partial.arrayBuffer())).toEqual(bytes.subarray(0, 188));

    const past = await api(`/api/share/${share.access_token}/${name}`, { headers: { Range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
  });

  it('returns the sharing information', async () => {
    const res = await api(`/api/share/${share.access_token}/info`);

    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Sharing information retrieved successfully');
    expect(Object.keys(res.body.data).sort()).toEqual(['duration', 'shared_at', 'title', 'view_count']);
    expect(res.body.data.title).toBe(TRICKY_TITLE);
    expect(res.body.data.duration).toBe(video.media.duration);
    expect(res.body.data.shared_at).toBe(share.created_at);
    expect(typeof res.body.data.view_count).toBe('number');
  });

  it('rejects a token that is not a UUID with 400', async () => {
    for (const path of ['/api/share/not-a-uuid/playlist.m3u8', '/api/share/not-a-uuid/segment_000.ts', '/api/share/not-a-uuid/info']) {
      expectEnvelopeError(await api(path), 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    }
  });

  it('returns 404 for an unknown token', async () => {
    await expectShareGone(crypto.randomUUID());
  });

  it('rejects malformed segment ids with 400', async () => {
    for (const name of ['segment_1.ts', 'segment_x00.ts', 'segment_0000000.ts']) {
      const res = await api(`/api/share/${share.access_token}/${name}`);
      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    }
  });

  it('counts one view per playlist load, not per segment', async () => {
    const fresh = await createShare(video);
    const load = async () => {
      const playlist = await api(`/api/share/${fresh.access_token}/playlist.m3u8`);
      expect(playlist.status).toBe(200);
      for (const uri of playlist.text.split('\n').filter((line) => line.startsWith('http'))) {
        const segment = await fetch(uri);
        expect(segment.status).toBe(200);
        await segment.arrayBuffer();
      }
    };

    await load();
    expect(await waitForAccessCount(video, fresh.id, 1)).toBe(1);
    await load();
    expect(await waitForAccessCount(video, fresh.id, 2)).toBe(2);
    // A HEAD (a link checker, a player probing) is not a view.
    const head = await api(`/api/share/${fresh.access_token}/playlist.m3u8`, { method: 'HEAD' });
    expect(head.status).toBe(200);

    // The count is written in the background, so give any extra increments time to land.
    await sleep(500);
    expect((await sharesOf(video)).find((item) => item.id === fresh.id)!.access_count).toBe(2);
    expect((await api(`/api/share/${fresh.access_token}/info`)).body.data.view_count).toBe(2);
  });
});

describe('GET /share/:token', () => {
  it('renders the page with the title escaped and Open Graph tags', async () => {
    const share = await createShare(video);
    const details = await api(`/api/videos/${video.id}`, { headers: authHeader(video.user.token) });
    const res = await api(`/share/${share.access_token}`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.text).not.toContain('<script>alert');
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Bear &amp; &#39;friends&#39;';
    expect(res.text).toContain(`<h1>${escaped}</h1>`);
    expect(res.text).toContain('<meta property="og:type" content="video.other">');
    expect(res.text).toContain(`<meta property="og:title" content="${escaped}">`);
    expect(res.text).toContain(`<meta property="og:video" content="${share.share_url}">`);
    expect(res.text).toContain(`<meta property="og:image" content="${details.body.data.thumbnail_url}">`);
    expect(res.text).toMatch(/<script src="\/share-assets\/hls\.min\.js\?v=[\d.]+"><\/script>/);
  });

  it('serves the hls.js build it links to', async () => {
    const page = await api(`/share/${(await createShare(video)).access_token}`);
    const scriptPath = /<script src="(\/share-assets\/hls\.min\.js\?v=[^"]+)">/.exec(page.text)![1];

    const res = await api(scriptPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.text).toContain('isSupported');

    const player = await api('/share-assets/player.js');
    expect(player.status).toBe(200);
    expect(player.text).toContain('loadSource');
  });

  it('returns an HTML 404 for a malformed token', async () => {
    const res = await api('/share/not-a-uuid');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('Video not available');
  });
});
