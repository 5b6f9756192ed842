// Engine tests on real sample media. Debian's ffprobe checks the output, independently of ffmpeg.wasm.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputFrameSize, probe, transcodeToHls, TranscodeError, type Resolution, type TranscodeResult } from '../src/engine/index.js';

const MEDIA = process.env.HLSMITH_MEDIA_DIR ?? path.resolve(import.meta.dirname, '../../../shared/media');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'hlsmith-engine-test-'));
const JOB_TIMEOUT_MS = 90_000;

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface StreamInfo {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
}

function ffprobe(file: string): { streams: StreamInfo[]; format: { duration?: string } } {
  const output = execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { encoding: 'utf8' });
  return JSON.parse(output);
}

interface Run {
  outputDir: string;
  result: TranscodeResult;
  files: string[];
  progress: number[];
}

async function transcode(sample: string, resolution: Resolution): Promise<Run> {
  const outputDir = mkdtempSync(path.join(workDir, 'out-'));
  const files: string[] = [];
  const progress: number[] = [];
  const result = await transcodeToHls({
    inputPath: path.join(MEDIA, sample),
    outputDir,
    resolution,
    quality: 'low',
    timeoutMs: JOB_TIMEOUT_MS,
    onProgress: (percent) => progress.push(percent),
    onFile: (name) => files.push(name),
  });
  return { outputDir, result, files, progress };
}

function writeInput(name: string, content: Buffer | string) {
  const file = path.join(workDir, name);
  writeFileSync(file, content);
  return file;
}

function openFileCount() {
  return readdirSync('/proc/self/fd').length;
}

describe('outputFrameSize', () => {
  it('keeps portrait height at the target', () => {
    expect(outputFrameSize({ width: 2160, height: 3840 }, '720p')).toEqual({ width: 406, height: 720 });
  });

  it('never upscales and rounds to even', () => {
    expect(outputFrameSize({ width: 161, height: 121 }, '1080p')).toEqual({ width: 160, height: 120 });
  });

  it('scales 1080p landscape to 720p', () => {
    expect(outputFrameSize({ width: 1920, height: 1080 }, '720p')).toEqual({ width: 1280, height: 720 });
  });
});

describe('probe', { timeout: 120_000 }, () => {
  it('reads rotation of a portrait phone clip', async () => {
    const info = await probe(path.join(MEDIA, 'phone-portrait-4k60-rot90.mp4'));
    expect(info.width).toBe(3840);
    expect(info.height).toBe(2160);
    expect(info.rotation).toBe(-90);
    expect(info.displayWidth).toBe(2160);
    expect(info.displayHeight).toBe(3840);
    expect(info.videoCodec).toBe('h264');
    expect(info.audioCodec).toBe('aac');
    expect(info.audioChannels).toBe(2);
  });

  it('reports audio-only mp3', async () => {
    const info = await probe(path.join(MEDIA, 'sample-9s.mp3'));
    expect(info.hasVideo).toBe(false);
    expect(info.hasAudio).toBe(true);
    expect(info.durationSeconds).toBeCloseTo(9.61, 1);
  });
});

describe('transcodeToHls', { timeout: 120_000 }, () => {
  it('converts a camera clip without upscaling', async () => {
    const { outputDir, result, files, progress } = await transcode('camera-640x360-17s.mp4', '720p');
    const source = ffprobe(path.join(MEDIA, 'camera-640x360-17s.mp4'));
    const output = ffprobe(path.join(outputDir, 'playlist.m3u8'));
    const video = output.streams.find((stream) => stream.codec_type === 'video');
    const audio = output.streams.find((stream) => stream.codec_type === 'audio');

    expect(video?.codec_name).toBe('h264');
    expect(video?.height).toBe(360);
    expect(video?.width).toBe(640);
    expect(audio?.codec_name).toBe('aac');
    expect(Math.abs(Number(output.format.duration) - Number(source.format.duration))).toBeLessThan(0.5);
    expect(Math.abs(result.durationSeconds - Number(source.format.duration))).toBeLessThan(0.5);
    expect(result.segments).toEqual(['segment_000.ts', 'segment_001.ts', 'segment_002.ts']);
    expect(result).toMatchObject({ width: 640, height: 360, hasAudio: true, hasVideo: true, hasThumbnail: true });

    const playlist = readFileSync(path.join(outputDir, 'playlist.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    expect(playlist).toMatch(/^segment_000\.ts$/m);

    expect(files.at(-1)).toBe('playlist.m3u8');
    expect(files.filter((name) => name.endsWith('.ts'))).toEqual(result.segments);
    expect(files).toContain('thumbnail.jpg');
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const thumbnail = ffprobe(path.join(outputDir, 'thumbnail.jpg')).streams[0];
    expect(thumbnail.codec_name).toBe('mjpeg');
    expect(thumbnail.width).toBe(640);
    expect(thumbnail.height).toBe(360);
  });

  it('honours rotation of a portrait phone clip', async () => {
    const { outputDir, result } = await transcode('phone-portrait-4k60-rot90.mp4', '720p');
    const video = ffprobe(path.join(outputDir, 'playlist.m3u8')).streams.find((stream) => stream.codec_type === 'video');

    expect(video?.width).toBe(406);
    expect(video?.height).toBe(720);
    expect(result.segments).toHaveLength(1);

    const thumbnail = ffprobe(path.join(outputDir, 'thumbnail.jpg')).streams[0];
    expect(thumbnail.width).toBe(640);
    expect(Math.abs(thumbnail.height! / thumbnail.width! - 3840 / 2160)).toBeLessThan(0.01);
  });

  it('writes video-only HLS for a source without audio', async () => {
    const { outputDir, result } = await transcode('bear-vp9-161x121.webm', '480p');
    const output = ffprobe(path.join(outputDir, 'playlist.m3u8'));

    expect(output.streams.map((stream) => stream.codec_type)).toEqual(['video']);
    expect(output.streams[0].width).toBe(160);
    expect(output.streams[0].height).toBe(120);
    expect(result.hasAudio).toBe(false);
    expect(Math.abs(result.durationSeconds - 1.0)).toBeLessThan(0.5);

    const thumbnail = ffprobe(path.join(outputDir, 'thumbnail.jpg')).streams[0];
    expect(thumbnail.width).toBe(160);
    expect(thumbnail.height).toBe(120);
  });

  it('writes audio-only HLS for an mp3', async () => {
    const { outputDir, result, files } = await transcode('sample-9s.mp3', '720p');
    const output = ffprobe(path.join(outputDir, 'playlist.m3u8'));

    expect(output.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`)).toEqual(['audio:aac']);
    expect(Math.abs(Number(output.format.duration) - 9.61)).toBeLessThan(0.5);
    expect(result.segments).toHaveLength(2);
    expect(result).toMatchObject({ hasVideo: false, hasAudio: true, hasThumbnail: false, width: 0, height: 0 });
    expect(existsSync(path.join(outputDir, 'thumbnail.jpg'))).toBe(false);
    expect(files.at(-1)).toBe('playlist.m3u8');
  });
});

describe('transcodeToHls rejects', { timeout: 120_000 }, () => {
  const rejectsWith = (inputPath: string) =>
    transcodeToHls({ inputPath, outputDir: workDir, resolution: '480p', quality: 'low', timeoutMs: JOB_TIMEOUT_MS });

  it('text file named .mp4', async () => {
    const input = writeInput('notes.mp4', 'These are meeting notes, not a video.\n'.repeat(50));
    await expect(rejectsWith(input)).rejects.toThrow(/not a video or audio file ffmpeg can read/);
  });

  it('zero-byte file', async () => {
    const input = writeInput('empty.mp4', '');
    await expect(rejectsWith(input)).rejects.toThrow(/not a video or audio file ffmpeg can read: the file is empty/);
  });

  it('truncated mp4 missing its index', async () => {
    // The sample keeps its moov box at the end, so the first megabyte has frames but no index.
    const input = writeInput('truncated.mp4', readFileSync(path.join(MEDIA, 'camera-640x360-17s.mp4')).subarray(0, 1_000_000));
    const error = await rejectsWith(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TranscodeError);
    expect((error as TranscodeError).code).toBe('invalid_input');
    expect((error as Error).message).toMatch(/not a video or audio file ffmpeg can read/);
  });

  it('job over its timeout and ends the worker', async () => {
    const before = openFileCount();
    const outputDir = mkdtempSync(path.join(workDir, 'timeout-'));
    const startedAt = Date.now();
    const error = await transcodeToHls({
      inputPath: path.join(MEDIA, 'camera-640x360-17s.mp4'),
      outputDir,
      resolution: '480p',
      quality: 'low',
      timeoutMs: 3_000,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TranscodeError);
    expect((error as TranscodeError).code).toBe('timeout');
    expect((error as Error).message).toMatch(/timed out after 3 s/);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    // The worker's open source and segment files are closed once it has exited.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(openFileCount()).toBeLessThanOrEqual(before);
  });

  it('aborted job', async () => {
    const controller = new AbortController();
    const outputDir = mkdtempSync(path.join(workDir, 'abort-'));
    const job = transcodeToHls({
      inputPath: path.join(MEDIA, 'camera-640x360-17s.mp4'),
      outputDir,
      resolution: '480p',
      quality: 'low',
      timeoutMs: JOB_TIMEOUT_MS,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('lease lost')), 1_000);
    await expect(job).rejects.toThrow('Transcoding was stopped: lease lost');
  });
});
