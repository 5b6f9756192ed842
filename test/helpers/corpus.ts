// Awkward and broken media, generated at test time with Debian's ffmpeg so no binary is committed.
// The clips are synthetic (the testsrc2 pattern and a sine tone) and 1–3 s long, so the whole corpus
// converts in about a minute with two ffmpeg.wasm runners.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';

/** ffmpeg processes at once while building, which leaves cores for the server and its runners. */
const PARALLEL_BUILDS = 2;

type Recipe = (file: string, dir: string) => Promise<void>;

function video(size: string, seconds: number, rate = 25) {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
}

function tone(seconds: number, frequency = 440) {
  return ['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`];
}

const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];
const AAC = ['-c:a', 'aac', '-b:a', '96k'];

async function ffmpeg(args: string[]) {
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

const encode =
  (...args: string[]): Recipe =>
  (file) =>
    ffmpeg([...args, file]);

/** Writes a 3 s H.264/AAC MP4 with its index (moov) at the end, then keeps only the first half. */
const truncatedMp4: Recipe = async (file, dir) => {
  const whole = path.join(dir, 'truncated-source.mp4');
  await ffmpeg([...video('320x240', 3), ...tone(3), ...H264, ...AAC, whole]);
  const bytes = await readFile(whole);
  await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await rm(whole);
};

/**
 * Writes a landscape 640x360 clip, then remuxes it with a 90° rotation. Debian 12's ffmpeg 5.1 has no
 * `-display_rotation`, and its `rotate` tag becomes a display matrix only when the stream is copied.
 */
const rotatedPortrait: Recipe = async (file, dir) => {
  const landscape = path.join(dir, 'rotation-source.mp4');
  await ffmpeg([...video('640x360', 2), ...tone(2), ...H264, ...AAC, landscape]);
  await ffmpeg(['-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
  await rm(landscape);
};

/** Recipes by file name. The extension of each name is the container ffmpeg writes. */
export const RECIPES: Record<string, Recipe> = {
  // testsrc2 rounds its size to even numbers, so the pattern is scaled afterwards. x264 rejects odd
  // sizes in 4:2:0, so this clip is MPEG-4 Part 2, as older cameras wrote.
  'odd-321x241.mp4': encode(...video('320x240', 2), ...tone(2), '-vf', 'scale=321:241,setsar=1', '-c:v', 'mpeg4', '-q:v', '5', ...AAC),
  'rotated-portrait.mp4': rotatedPortrait,
  // 30 fps for the first second and every third frame after it, so the frame duration changes mid-stream.
  'variable-frame-rate.mp4': encode(...video('320x240', 3, 30), ...tone(3), '-vf', "select='lt(t,1)+not(mod(n,3))'", '-fps_mode', 'vfr', ...H264, ...AAC),
  'no-audio.mp4': encode(...video('320x240', 2), ...H264),
  'audio-only.m4a': encode(...tone(3), ...AAC),
  'audio-only.wav': encode(...tone(2), '-c:a', 'pcm_s16le'),
  'hevc.mp4': encode(...video('640x360', 2), ...tone(2), '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', ...AAC),
  'vp9.webm': encode(...video('640x360', 2), ...tone(2), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-c:a', 'libopus'),
  'h264-10bit.mp4': encode(...video('640x360', 2), ...tone(2), ...H264, '-pix_fmt', 'yuv420p10le', ...AAC),
  'h264-444.mp4': encode(...video('640x360', 2), ...tone(2), ...H264, '-pix_fmt', 'yuv444p', ...AAC),
  'interlaced-h264.mp4': encode(...video('720x576', 2), ...tone(2), ...H264, '-flags', '+ilme+ildct', '-top', '1', ...AAC),
  // PAL SD as DVB broadcasts carry it, with interlaced MPEG-2 video and MPEG-1 Layer II audio.
  'interlaced-mpeg2.ts': encode(...video('720x576', 2), ...tone(2), '-c:v', 'mpeg2video', '-b:v', '3M', '-flags', '+ilme+ildct', '-top', '1', '-c:a', 'mp2'),
  'two-audio-tracks.mp4': encode(...video('320x240', 2), ...tone(2, 440), ...tone(2, 880), '-map', '0:v', '-map', '1:a', '-map', '2:a', ...H264, ...AAC),
  // 10 frames keep the 4K decode on ffmpeg.wasm short.
  '4k.mp4': encode(...video('3840x2160', 1, 10), ...tone(1), ...H264, ...AAC),
  'tiny-16x16.mp4': encode(...video('16x16', 2), ...tone(2), ...H264, ...AAC),
  'truncated.mp4': truncatedMp4,
  // ffmpeg writes the index (moov) after the media data unless -movflags +faststart is given.
  'index-at-end.mp4': encode(...video('320x240', 2), ...tone(2), ...H264, ...AAC),
  'index-at-start.mp4': encode(...video('320x240', 2), ...tone(2), ...H264, ...AAC, '-movflags', '+faststart'),
  'empty.mp4': (file) => writeFile(file, ''),
  'text.mp4': (file) => writeFile(file, 'This is a plain text file with a video extension.\n'.repeat(20)),
  // A small valid clip for checks that need one more conversion to succeed.
  'small-valid.mp4': encode(...video('160x120', 1), ...tone(1), ...H264, ...AAC),
};

/** Builds the named corpus files into `dir` (default: all of them) and returns their paths by name. */
export async function buildCorpus(dir: string, names = Object.keys(RECIPES)): Promise<Record<string, string>> {
  if (!existsSync(FFMPEG)) {
    throw new Error(`${FFMPEG} is missing; install Debian's ffmpeg (apt-get install -y ffmpeg) or set FFMPEG_PATH`);
  }

  const paths: Record<string, string> = {};
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const recipe = RECIPES[name];
      if (!recipe) throw new Error(`No corpus recipe named ${name}`);
      const file = path.join(dir, name);
      try {
        await recipe(file, dir);
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr?.trim();
        throw new Error(`Building corpus file ${name} failed: ${stderr || (error as Error).message}`);
      }
      paths[name] = file;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_BUILDS }, worker));
  return paths;
}
