// Headless Chromium for playback tests: Debian's /usr/bin/chromium through playwright-core, with the
// flags that keep it off the network. Nothing is downloaded.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** Opens a page that records console errors, uncaught exceptions, failed requests and HTTP errors. */
export async function openPage(browser: Browser) {
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

/**
 * Starts the page's <video> muted (autoplay rules allow that) and waits until it has played past
 * `seconds`, or to its end for a clip shorter than that. Returns the position reached.
 */
export async function playPast(page: Page, seconds: number, timeoutMs = 30_000) {
  await page.waitForSelector('video');
  await page.evaluate(() => {
    const element = document.querySelector('video')!;
    element.muted = true;
    return element.play();
  });
  await page.waitForFunction(
    (target) => {
      const element = document.querySelector('video')!;
      return element.currentTime > target || (element.ended && element.currentTime > 0);
    },
    seconds,
    { timeout: timeoutMs },
  );
  return page.evaluate(() => document.querySelector('video')!.currentTime);
}

/** Builds a page for about:blank that plays `playlistUrl` with the app's hls.js, so every request is cross-origin. */
export function hlsPlayerPage(baseUrl: string, playlistUrl: string) {
  return `<!doctype html>
<video playsinline></video>
<script src="${baseUrl}/share-assets/hls.min.js"></script>
<script>
  const hls = new Hls();
  hls.on(Hls.Events.ERROR, (event, data) => { if (data.fatal) console.error('hls.js fatal error: ' + data.details); });
  hls.loadSource(${JSON.stringify(playlistUrl)});
  hls.attachMedia(document.querySelector('video'));
</script>`;
}
