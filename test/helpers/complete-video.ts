// Completed videos for tests that stream or share: a real upload, then a real (tiny) HLS rendition made
// by the system ffmpeg and handed in through the runner protocol, as a transcoder would.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { registerUser, type RegisteredUser } from './api.js';
import { claimFor, putOutputs, registerRunner, sleep, uploadSample, type ClaimedJob, type TestRunner } from './runner.js';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';

export interface HlsMedia {
  playlist: string;
  /** Segment bytes by file name, in playlist order. */
  segments: Map<string, Uint8Array>;
  thumbnail: Uint8Array;
  duration: number;
  width: number;
  height: number;
}

const renditions = new Map<number, Promise<HlsMedia>>();

/**
 * Encodes `seconds` of test pattern with a sine tone as H.264 (yuv420p, which browsers decode) and AAC,
 * cut into 2-second MPEG-TS segments, plus a JPEG thumbnail. Cached per duration within a test file.
 */
export function makeHls(seconds: number): Promise<HlsMedia> {
  let rendition = renditions.get(seconds);
  if (!rendition) {
    rendition = encodeHls(seconds);
    renditions.set(seconds, rendition);
  }
  return rendition;
}

async function encodeHls(seconds: number): Promise<HlsMedia> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlsmith-hls-'));
  const [width, height] = [320, 240];
  try {
    await run(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=25`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '50', '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', '64k',
      '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
      '-hls_segment_filename', path.join(dir, 'segment_%03d.ts'),
      path.join(dir, 'playlist.m3u8'),
    ]);
    await run(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}`,
      '-frames:v', '1',
      path.join(dir, 'thumbnail.jpg'),
    ]);

    const segments = new Map<string, Uint8Array>();
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.ts')).sort()) {
      segments.set(name, new Uint8Array(readFileSync(path.join(dir, name))));
    }
    return {
      playlist: readFileSync(path.join(dir, 'playlist.m3u8'), 'utf8'),
      segments,
      thumbnail: new Uint8Array(readFileSync(path.join(dir, 'thumbnail.jpg'))),
      duration: seconds,
      width,
      height,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let runner: Promise<TestRunner> | undefined;

/**
 * Claims the job of this video. The claim may find no free slot while other test files hold jobs
 * (max_concurrent defaults to 3), so it retries until `timeoutMs` has passed.
 */
async function claimVideoJob(videoId: number, timeoutMs = 45_000): Promise<{ runner: TestRunner; job: ClaimedJob }> {
  runner ??= registerRunner('complete-video-helper');
  const current = await runner;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await claimFor(current, videoId);
    if (job) return { runner: current, job };
    if (Date.now() > deadline) throw new Error(`No slot to claim the job of video ${videoId} within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

export interface CompletedVideo {
  id: number;
  title: string;
  user: RegisteredUser;
  media: HlsMedia;
}

/** Uploads a video for `user` (a new one when omitted) and completes its job with a real HLS rendition. */
export async function createCompletedVideo(options: { user?: RegisteredUser; title?: string; seconds?: number } = {}): Promise<CompletedVideo> {
  const user = options.user ?? (await registerUser());
  const title = options.title ?? 'Completed sample';
  const media = await makeHls(options.seconds ?? 4);
  const { video } = await uploadSample(user, title);

  const { runner: current, job } = await claimVideoJob(video.id);
  await putOutputs(current, job, {
    'playlist.m3u8': media.playlist,
    ...Object.fromEntries(media.segments),
    'thumbnail.jpg': media.thumbnail,
  });
  const res = await current.call(`/api/runners/jobs/${job.id}/complete`, {
    lease: job.leaseId,
    json: { duration: media.duration, width: media.width, height: media.height, segments: [...media.segments.keys()] },
  });
  if (res.status !== 200) throw new Error(`Completing job ${job.id} failed with HTTP ${res.status}: ${res.text}`);

  return { id: video.id, title, user, media };
}
