// Plays videos in headless Chromium: the public share page, and the owner's playback_url in a page on
// another origin that loads the app's hls.js. Uses Debian's /usr/bin/chromium; nothing is downloaded.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader } from '../helpers/api.js';
import { hlsPlayerPage, launchBrowser, openPage, playPast } from '../helpers/browser.js';
import { createCompletedVideo, type CompletedVideo } from '../helpers/complete-video.js';

let browser: Browser;
let video: CompletedVideo;

beforeAll(async () => {
  browser = await launchBrowser();
  // Long enough for currentTime to pass 2 s with room to spare, in 2-second segments.
  video = await createCompletedVideo({ title: 'Browser playback sample', seconds: 8 });
});

afterAll(async () => {
  await browser?.close();
});

describe('share page in Chromium', () => {
  it('plays the shared video', async () => {
    const share = await api(`/api/videos/${video.id}/share`, { method: 'POST', headers: authHeader(video.user.token) });
    expect(share.status, share.text).toBe(200);

    const { page, problems } = await openPage(browser);
    try {
      await page.goto(`${inject('baseUrl')}/share/${share.body.data.access_token}`);
      expect(await page.title()).toBe('Browser playback sample');

      expect(await playPast(page, 2)).toBeGreaterThan(2);
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

    const { page, problems } = await openPage(browser);
    try {
      // setContent leaves the page on about:blank, so every request to the app is cross-origin.
      await page.setContent(hlsPlayerPage(inject('baseUrl'), playbackUrl));

      expect(await playPast(page, 2)).toBeGreaterThan(2);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
