// Time and memory of one engine transcode, and of native ffmpeg with the same arguments.
//
//   npx tsx transcoder/bench/engine-bench.ts INPUT [480p|720p|1080p] [low|medium|high] [--native] [--json]
//
// Prints wall time, the process's peak resident memory (the worker is a thread of this process,
// so its wasm heap is counted here), and with --native the time of /usr/bin/ffmpeg. With --json the
// figures end with one JSON line, which `npm run bench` reads.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transcodeArgs, OUTPUT_DIR } from '../src/engine/ffmpeg-args.js';
import { outputFrameSize, probe, transcodeToHls, type Quality, type Resolution } from '../src/engine/index.js';

const [inputPath, resolution = '720p', quality = 'medium'] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const runNative = process.argv.includes('--native');
const printJson = process.argv.includes('--json');
if (!inputPath) {
  console.error('Usage: tsx transcoder/bench/engine-bench.ts INPUT [480p|720p|1080p] [low|medium|high] [--native]');
  process.exit(2);
}

function peakRssMb() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kilobytes = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kilobytes / 1024);
}

async function benchEngine() {
  const outputDir = mkdtempSync(path.join(os.tmpdir(), 'hlsmith-bench-'));
  const idleRss = peakRssMb();
  const startedAt = performance.now();
  const result = await transcodeToHls({
    inputPath,
    outputDir,
    resolution: resolution as Resolution,
    quality: quality as Quality,
    timeoutMs: 3_600_000,
  });
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`engine: ${seconds.toFixed(1)} s, ${result.segments.length} segments, ${result.width}x${result.height}, ${result.durationSeconds} s of media`);
  console.log(`engine: peak RSS of the process ${peakRssMb()} MB (before the job ${idleRss} MB)`);
  rmSync(outputDir, { recursive: true, force: true });
  return { engineSeconds: seconds, peakRssMb: peakRssMb(), idleRssMb: idleRss, mediaSeconds: result.durationSeconds, height: result.height };
}

async function benchNative() {
  const media = await probe(inputPath);
  const frameSize = media.hasVideo ? outputFrameSize({ width: media.displayWidth, height: media.displayHeight }, resolution as Resolution) : null;
  const outputDir = mkdtempSync(path.join(os.tmpdir(), 'hlsmith-bench-native-'));
  const args = transcodeArgs({ inputFile: inputPath, media, quality: quality as Quality, frameSize }).map((arg) =>
    arg.startsWith(`${OUTPUT_DIR}/`) ? path.join(outputDir, arg.slice(OUTPUT_DIR.length + 1)) : arg,
  );
  const startedAt = performance.now();
  execFileSync('/usr/bin/ffmpeg', ['-nostdin', '-y', '-v', 'error', ...args], { stdio: 'inherit' });
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`native ffmpeg, same arguments: ${seconds.toFixed(1)} s`);
  rmSync(outputDir, { recursive: true, force: true });
  return seconds;
}

const engine = await benchEngine();
const nativeSeconds = runNative ? await benchNative() : null;
if (printJson) console.log(JSON.stringify({ ...engine, nativeSeconds }));
