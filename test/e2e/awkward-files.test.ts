// Awkward and broken files through the real transcoder. Each file either plays after conversion, fails
// with a message its uploader can act on, or is rejected at upload. No job may stay in processing and no
// runner may die on the way.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, registerUser, type RegisteredUser } from '../helpers/api.js';
import { launchBrowser, openPage, playPast } from '../helpers/browser.js';
import { buildCorpus } from '../helpers/corpus.js';
import { fetchLikeAPlayer, uploadFile, waitForConversion } from '../helpers/e2e.js';
import { displaySize, durationOf, ffprobe, videoStream, type Probe, type ProbedStream } from '../helpers/ffprobe.js';
import { sleep } from '../helpers/runner.js';

const runFfmpeg = promisify(execFile);

const TARGET_HEIGHT = 720;
const CONVERSION_TIMEOUT_MS = 480_000;
const TEST_TIMEOUT_MS = 600_000;
const DURATION_TOLERANCE_SECONDS = 0.5;

type Outcome = 'plays' | 'fails' | 'rejected';

interface AwkwardFile {
  file: string;
  label: string;
  expected: Outcome;
  reason: string;
  /** Also played in Chromium through the share page. Only a few files set it, because each play costs seconds. */
  browser?: boolean;
  /** What the error message of a failure or rejection must mention. */
  explains?: RegExp;
}

const FILES: AwkwardFile[] = [
  { file: 'odd-321x241.mp4', label: 'Odd 321x241 frame', expected: 'plays', reason: 'the scaler rounds to even sizes, as H.264 4:2:0 needs' },
  { file: 'rotated-portrait.mp4', label: 'Rotated portrait clip', expected: 'plays', reason: 'phones store portrait video as landscape plus a display matrix', browser: true },
  { file: 'variable-frame-rate.mp4', label: 'Variable frame rate', expected: 'plays', reason: 'phones and screen recorders write VFR; timestamps carry over' },
  { file: 'no-audio.mp4', label: 'Video without audio', expected: 'plays', reason: 'the rendition simply has no audio track' },
  { file: 'audio-only.m4a', label: 'Audio-only M4A', expected: 'plays', reason: 'audio-only sources become audio-only HLS', browser: true },
  { file: 'audio-only.wav', label: 'Audio-only WAV', expected: 'plays', reason: 'PCM audio is re-encoded to AAC' },
  { file: 'hevc.mp4', label: 'HEVC in MP4', expected: 'plays', reason: 'the core decodes HEVC and re-encodes it to H.264', browser: true },
  { file: 'vp9.webm', label: 'VP9 in WebM', expected: 'plays', reason: 'browser recordings are VP9 with Opus' },
  { file: 'h264-10bit.mp4', label: '10-bit H.264', expected: 'plays', reason: 'the output is converted to 8-bit 4:2:0 that every browser decodes', browser: true },
  { file: 'h264-444.mp4', label: 'H.264 with 4:4:4 chroma', expected: 'plays', reason: 'the output is converted to 4:2:0' },
  { file: 'interlaced-h264.mp4', label: 'Interlaced H.264', expected: 'plays', reason: 'TV and camcorder footage; the fields are encoded as frames' },
  { file: 'interlaced-mpeg2.ts', label: 'Interlaced MPEG-2 in MPEG-TS', expected: 'plays', reason: 'DVB recordings are interlaced MPEG-2 with MP2 audio' },
  { file: 'two-audio-tracks.mp4', label: 'Two audio tracks', expected: 'plays', reason: 'the first audio track is kept' },
  { file: '4k.mp4', label: '4K frame', expected: 'plays', reason: 'it is scaled down to 720p' },
  { file: 'tiny-16x16.mp4', label: 'Tiny 16x16 frame', expected: 'plays', reason: 'sources are never upscaled, and 16x16 is a valid H.264 size' },
  { file: 'index-at-end.mp4', label: 'MP4 with index at end', expected: 'plays', reason: 'the engine reads the whole file, so moov may come last' },
  { file: 'index-at-start.mp4', label: 'MP4 with index at start', expected: 'plays', reason: 'the +faststart layout, for contrast with the index at the end' },
  {
    file: 'truncated.mp4',
    label: 'MP4 cut in half',
    expected: 'fails',
    reason: 'the index (moov) was at the end and is gone, so no sample can be located',
    explains: /not a video or audio file|damaged|truncated|incomplete|moov/i,
  },
  { file: 'empty.mp4', label: 'Zero-byte file', expected: 'rejected', reason: 'there is nothing to store', explains: /empty/i },
  {
    file: 'text.mp4',
    label: 'Text file named .mp4',
    expected: 'rejected',
    reason: 'the content is sniffed, not the name',
    explains: /not a recognised video or audio format/i,
  },
];

/** Traces of a crash or of the engine's insides that must never reach the uploader. */
const INTERNALS = [
  /^\s*at /m,
  /RuntimeError/,
  /\bwasm\b/i,
  /Aborted\(/,
  /memory access out of bounds/i,
  /unreachable/i,
  /\.m?[jt]s:\d+/,
  /\/input\//,
  /\[object Object\]|undefined/,
];

/** ProbedStream with the fields this file reads beyond the shared helper's. */
type Stream = ProbedStream & { pix_fmt?: string; field_order?: string };

let browser: Browser;
let user: RegisteredUser;
let corpus: Record<string, string>;
const corpusDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-e2e-awkward-'));

beforeAll(async () => {
  corpus = await buildCorpus(corpusDir);
  browser = await launchBrowser();
  user = await registerUser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(corpusDir, { recursive: true, force: true });
});

function titleOf(entry: AwkwardFile) {
  if (entry.expected === 'plays') return `${entry.label} plays after conversion`;
  if (entry.expected === 'fails') return `${entry.label} fails with a clear message`;
  return `${entry.label} is rejected at upload`;
}

function audioStreams(probe: Probe) {
  return probe.streams.filter((stream) => stream.codec_type === 'audio');
}

function expectReadableMessage(message: unknown, explains: RegExp | undefined) {
  expect(typeof message, 'error message is a string').toBe('string');
  const text = message as string;
  expect(text.trim().length).toBeGreaterThan(0);
  for (const internal of INTERNALS) expect(text, `error message shows ${internal}`).not.toMatch(internal);
  if (explains) expect(text).toMatch(explains);
}

/** Plays the share page in Chromium and returns the frame size the <video> element decoded. */
async function playSharePage(url: string, duration: number) {
  const { page, problems } = await openPage(browser);
  try {
    await page.goto(url);
    const reached = await playPast(page, Math.min(2, duration - 0.3));
    expect(reached).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    return await page.evaluate(() => {
      const element = document.querySelector('video')!;
      return { width: element.videoWidth, height: element.videoHeight };
    });
  } finally {
    await page.close();
  }
}

/** Counts frames that ffmpeg's idet filter judges interlaced or progressive from their content. */
async function detectInterlacing(url: string) {
  const { stderr } = await runFfmpeg('ffmpeg', ['-v', 'info', '-nostats', '-i', url, '-vf', 'idet', '-an', '-f', 'null', '-']);
  const multi = /Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)/.exec(stderr);
  if (!multi) throw new Error(`idet printed no summary:\n${stderr.slice(-1000)}`);
  return { interlaced: Number(multi[1]) + Number(multi[2]), progressive: Number(multi[3]) };
}

async function expectPlays(entry: AwkwardFile, file: string) {
  const source = await ffprobe(file);
  const sourceVideo = videoStream(source);
  const sourceDuration = durationOf(source);

  const uploaded = await uploadFile(user, file, `Awkward ${entry.file}`);
  expect(uploaded.status, uploaded.text).toBe(201);
  const video = await waitForConversion(user, uploaded.body.data.id, CONVERSION_TIMEOUT_MS);
  expect(video.status, video.error_message).toBe('completed');
  expect(Math.abs(video.duration - sourceDuration)).toBeLessThanOrEqual(DURATION_TOLERANCE_SECONDS);

  const share = await api(`/api/videos/${video.id}/share`, { method: 'POST', headers: authHeader(user.token) });
  expect(share.status, share.text).toBe(200);
  const shareUrl: string = share.body.data.share_url;
  await fetchLikeAPlayer(video.playback_url);
  await fetchLikeAPlayer(shareUrl);

  const rendition = await ffprobe(shareUrl);
  expect(Math.abs(durationOf(rendition) - sourceDuration)).toBeLessThanOrEqual(DURATION_TOLERANCE_SECONDS);

  // One AAC track when the source has any audio (the first of several), none when it has none.
  const renditionAudio = audioStreams(rendition);
  expect(renditionAudio.length).toBe(audioStreams(source).length > 0 ? 1 : 0);
  for (const stream of renditionAudio) expect(stream.codec_name).toBe('aac');

  let expectedHeight: number | null = null;
  if (sourceVideo) {
    const display = displaySize(sourceVideo);
    expectedHeight = Math.min(TARGET_HEIGHT, display.height - (display.height % 2));
    const renditionVideo = videoStream(rendition) as Stream | undefined;
    expect(renditionVideo, 'rendition has a video stream').toBeDefined();
    expect(renditionVideo!.height).toBe(expectedHeight);
    // Browsers decode 8-bit 4:2:0 H.264 only, whatever the source was.
    expect(renditionVideo!.codec_name).toBe('h264');
    expect(renditionVideo!.pix_fmt).toBe('yuv420p');
    if (entry.file.startsWith('interlaced')) {
      // ffmpeg's idet filter looks at the pictures themselves: combing left in would count as TFF or BFF.
      const frames = await detectInterlacing(share.body.data.share_url);
      expect(frames.interlaced, `idet saw ${JSON.stringify(frames)}`).toBeLessThanOrEqual(frames.progressive * 0.1);
    }
    const aspect = renditionVideo!.width! / renditionVideo!.height!;
    expect(Math.abs(aspect / (display.width / display.height) - 1)).toBeLessThan(0.04);
  } else {
    expect(videoStream(rendition)).toBeUndefined();
  }

  if (entry.browser) {
    const decoded = await playSharePage(`${inject('baseUrl')}/share/${share.body.data.access_token}`, video.duration);
    if (expectedHeight !== null) expect(decoded.height).toBe(expectedHeight);
  }
}

async function expectFails(entry: AwkwardFile, file: string) {
  const uploaded = await uploadFile(user, file, `Awkward ${entry.file}`);
  expect(uploaded.status, uploaded.text).toBe(201);
  const video = await waitForConversion(user, uploaded.body.data.id, CONVERSION_TIMEOUT_MS);
  expect(video.status).toBe('failed');
  expectReadableMessage(video.error_message, entry.explains);
  expect(video.hls_url).toBeUndefined();

  // A broken file is not a crash, so retrying it would only waste runner time. The engine's
  // TranscodeError marks only the timeout and crashed codes as retryable.
  const job = await api(`/api/queue/video/${video.id}`, { headers: authHeader(user.token) });
  expect(job.status, job.text).toBe(200);
  expect(job.body.data.status).toBe('failed');
  expect(job.body.data.retryCount, `job retried: ${job.body.data.errorMessage}`).toBe(0);
}

async function expectRejected(entry: AwkwardFile, file: string) {
  // A user of its own, so the empty list below proves the rejected upload left no video behind.
  const uploader = await registerUser();
  const uploaded = await uploadFile(uploader, file, `Awkward ${entry.file}`);
  expectEnvelopeError(uploaded, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
  // The envelope's top-level message names the error type, and error.message explains what is wrong with the file.
  expectReadableMessage(uploaded.body.message, undefined);
  expectReadableMessage(uploaded.body.error.message, entry.explains);

  const list = await api('/api/videos', { headers: authHeader(uploader.token) });
  expect(list.status, list.text).toBe(200);
  expect(list.body.data).toEqual([]);
}

describe.concurrent('awkward and broken files', () => {
  for (const entry of FILES) {
    it(
      titleOf(entry),
      async () => {
        const file = corpus[entry.file];
        if (entry.expected === 'plays') await expectPlays(entry, file);
        else if (entry.expected === 'fails') await expectFails(entry, file);
        else await expectRejected(entry, file);
      },
      TEST_TIMEOUT_MS,
    );
  }
});

// Runs after every file above has finished, because vitest starts the next suite only then.
describe('transcoders after the corpus', () => {
  it('still convert a valid upload', async () => {
    const uploaded = await uploadFile(user, corpus['small-valid.mp4'], 'After the awkward files');
    expect(uploaded.status, uploaded.text).toBe(201);
    const video = await waitForConversion(user, uploaded.body.data.id, CONVERSION_TIMEOUT_MS);
    expect(video.status, video.error_message).toBe('completed');
    await fetchLikeAPlayer(video.playback_url);
  });

  it('leave no job processing', async () => {
    // Other e2e files may share the server and still be converting, so this waits for them to drain.
    const deadline = Date.now() + CONVERSION_TIMEOUT_MS;
    let status = await api('/api/queue/status', { headers: authHeader(user.token) });
    while (status.body.data.processing !== 0 && Date.now() < deadline) {
      await sleep(2000);
      status = await api('/api/queue/status', { headers: authHeader(user.token) });
    }
    expect(status.status, status.text).toBe(200);
    expect(status.body.data.processing).toBe(0);

    for (const state of ['uploaded', 'processing']) {
      const mine = await api(`/api/videos?status=${state}&limit=100`, { headers: authHeader(user.token) });
      expect(mine.status, mine.text).toBe(200);
      expect(mine.body.data, `videos still ${state}`).toEqual([]);
    }
  });
});
