// Every real sample video goes the whole way: upload → transcoder → completed → playlist and segments
// fetched like a player → played in Chromium from the share page and from the owner's playback URL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader, registerUser, type RegisteredUser } from '../helpers/api.js';
import { hlsPlayerPage, launchBrowser, openPage, playPast } from '../helpers/browser.js';
import { fetchLikeAPlayer, uploadFile, waitForConversion } from '../helpers/e2e.js';
import { displaySize, durationOf, ffprobe, videoStream } from '../helpers/ffprobe.js';
import { MEDIA_DIR } from '../helpers/runner.js';

const TARGET_HEIGHT = 720;
const CONVERSION_TIMEOUT_MS = 480_000;

// Real recordings: odd sizes, rotation, 4K, VP8/VP9, AC-3, 5.1 audio, Indeo 4 in AVI, and audio only.
const SAMPLES = [
  'camera-640x360-17s.mp4',
  'phone-portrait-4k60-rot90.mp4',
  'bear-vp9-161x121.webm',
  'camera-h264-ac3.mkv',
  'tears-of-steel-70s.webm',
  'chroma-key.mp4',
  'echo-hereweare.webm',
  'bbb-180p-10s.webm',
  'video-1080p-60fps-2s.mp4',
  'video-15s.avi',
  'sample-9s.mp3',
];

let browser: Browser;
let user: RegisteredUser;
const scratch = mkdtempSync(path.join(tmpdir(), 'hlsmith-e2e-media-'));

beforeAll(async () => {
  browser = await launchBrowser();
  user = await registerUser();
});

afterAll(async () => {
  await browser?.close();
});

async function playsInChromium(url: string, duration: number, html?: string) {
  const { page, problems } = await openPage(browser);
  try {
    if (html) await page.setContent(html);
    else await page.goto(url);
    const reached = await playPast(page, Math.min(2, duration - 0.3));
    expect(reached).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
}

describe.concurrent('real sample videos', () => {
  it.each(SAMPLES)('%s plays after conversion', async (name) => {
    const file = path.join(MEDIA_DIR, name);
    const source = await ffprobe(file);
    const sourceVideo = videoStream(source);

    const uploaded = await uploadFile(user, file, `Sample ${name}`);
    expect(uploaded.status, uploaded.text).toBe(201);
    const video = await waitForConversion(user, uploaded.body.data.id, CONVERSION_TIMEOUT_MS);
    expect(video.status, video.error_message).toBe('completed');

    // Duration: the API's and the rendition's, both against ffprobe's reading of the original.
    expect(Math.abs(video.duration - durationOf(source))).toBeLessThanOrEqual(0.5);
    const share = await api(`/api/videos/${video.id}/share`, { method: 'POST', headers: authHeader(user.token) });
    expect(share.status, share.text).toBe(200);
    const rendition = await ffprobe(share.body.data.share_url);
    expect(Math.abs(durationOf(rendition) - durationOf(source))).toBeLessThanOrEqual(0.5);

    await fetchLikeAPlayer(video.playback_url);
    await fetchLikeAPlayer(share.body.data.share_url);

    if (sourceVideo) {
      const display = displaySize(sourceVideo);
      const expectedHeight = Math.min(TARGET_HEIGHT, display.height - (display.height % 2));
      expect(videoStream(rendition)?.height).toBe(expectedHeight);

      const thumbnail = await fetch(video.thumbnail_url);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
      const jpeg = path.join(scratch, `${video.id}.jpg`);
      writeFileSync(jpeg, new Uint8Array(await thumbnail.arrayBuffer()));
      const picture = (await ffprobe(jpeg)).streams[0];
      expect(picture.codec_name).toBe('mjpeg');
      const aspect = picture.width! / picture.height!;
      expect(Math.abs(aspect / (display.width / display.height) - 1)).toBeLessThan(0.04);
    } else {
      expect(rendition.streams.every((stream) => stream.codec_type === 'audio')).toBe(true);
      expect(video.thumbnail_url).toBeUndefined();
    }

    const baseUrl = inject('baseUrl');
    await playsInChromium(`${baseUrl}/share/${share.body.data.access_token}`, video.duration);
    await playsInChromium('about:blank', video.duration, hlsPlayerPage(baseUrl, video.playback_url));
  });
});
