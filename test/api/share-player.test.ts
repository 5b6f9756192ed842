// Plays videos in headless Chromium: the public share page, and the owner's playback_url in a page on
// another origin that loads the app's hls.js. Uses Debian's /usr/bin/chromium; nothing is downloaded.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader } from '../helpers/api.js';
import { createCompletedVideo, type CompletedVideo } from '../helpers/complete-video.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLAY_TIMEOUT_MS = 20_000;

let browser: Browser;
let video: CompletedVideo;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // Long enough for currentTime to pass 2 s with room to spare, in 2-second segments.
  video = await createCompletedVideo({ title: 'Browser playback sample', seconds: 8 });
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a page that records console errors, uncaught exceptions and failed requests. */
async function openPage() {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, problems };
}

/** Starts the page's <video> muted (autoplay rules allow that) and waits until it has played past 2 s. */
async function playPastTwoSeconds(page: Page) {
  await page.waitForSelector('video');
  await page.evaluate(() => {
    const element = document.querySelector('video')!;
    element.muted = true;
    return element.play();
  });
  await page.waitForFunction(() => document.querySelector('video')!.currentTime > 2, undefined, { timeout: PLAY_TIMEOUT_MS });
  return page.evaluate(() => document.querySelector('video')!.currentTime);
}

describe('share page in Chromium', () => {
  it('plays the shared video', async () => {
    const share = await api(`/api/videos/${video.id}/share`, { method: 'POST', headers: authHeader(video.user.token) });
    expect(share.status, share.text).toBe(200);

    const { page, problems } = await openPage();
    try {
      await page.goto(`${inject('baseUrl')}/share/${share.body.data.access_token}`);
      expect(await page.title()).toBe('Browser playback sample');

      expect(await playPastTwoSeconds(page)).toBeGreaterThan(2);
      expect(await page.isHidden('#player-error')).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('plays the owner\'s playback_url from another origin', async () => {
    const details = await api(`/api/videos/${video.id}`, { headers: authHeader(video.user.token) });
    const playbackUrl: string = details.body.data.playback_url;
    expect(playbackUrl).toBeTruthy();

    const { page, problems } = await openPage();
    try {
      // setContent leaves the page on about:blank, so every request to the app is cross-origin.
      await page.setContent(`<!doctype html>
<video playsinline></video>
<script src="${inject('baseUrl')}/share-assets/hls.min.js"></script>
<script>
  const hls = new Hls();
  hls.on(Hls.Events.ERROR, (event, data) => { if (data.fatal) console.error('hls.js fatal error: ' + data.details); });
  hls.loadSource(${JSON.stringify(playbackUrl)});
  hls.attachMedia(document.querySelector('video'));
</script>`);

      expect(await playPastTwoSeconds(page)).toBeGreaterThan(2);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
