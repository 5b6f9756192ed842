// The steps of a job inside the worker: probe → thumbnail → HLS encode → playlist.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TranscodeError, UNREADABLE_INPUT_MESSAGE } from './errors.js';
import { thumbnailArgs, transcodeArgs, type TranscodePlan } from './ffmpeg-args.js';
import type { FfmpegRunner } from './ffmpeg-run.js';
import { parseProbeOutput, PROBE_ARGS } from './media-info.js';
import {
  PLAYLIST_NAME,
  SEGMENT_NAME,
  THUMBNAIL_NAME,
  outputFrameSize,
  thumbnailFrameSize,
  thumbnailSeekSeconds,
} from './settings.js';
import type { MediaInfo, Quality, Resolution, TranscodeResult } from './types.js';

export interface PipelineEvents {
  progress(percent: number): void;
  file(name: string): void;
}

export interface TranscodeTask {
  inputPath: string;
  outputDir: string;
  resolution: Resolution;
  quality: Quality;
}

export async function probeMedia(runner: FfmpegRunner, inputPath: string): Promise<MediaInfo> {
  const inputFile = runner.inputFile(inputPath);
  const run = await runner.run({ program: 'ffprobe', args: [...PROBE_ARGS, inputFile], inputPath });
  // The core leaves ffprobe's exit code at -1 on success (0.12.10 sets it only on exit()), so
  // success is judged by the JSON and the log. With `-v error` the log holds only errors.
  const unreadable = () => new TranscodeError('invalid_input', `${UNREADABLE_INPUT_MESSAGE} (ffprobe: ${lastLogLine(run.stderrTail, inputFile)})`);
  if (run.exitCode > 0) throw unreadable();
  try {
    return parseProbeOutput(run.stdout);
  } catch (error) {
    if (error instanceof TranscodeError && run.stderrTail.length > 0) throw unreadable();
    throw error;
  }
}

export async function transcodeMedia(runner: FfmpegRunner, task: TranscodeTask, events: PipelineEvents): Promise<TranscodeResult> {
  const media = await probeMedia(runner, task.inputPath);
  const plan: TranscodePlan = {
    inputFile: runner.inputFile(task.inputPath),
    media,
    quality: task.quality,
    frameSize: media.hasVideo ? outputFrameSize(displayedSize(media), task.resolution) : null,
  };

  // Audio-only sources get no thumbnail: there is no picture to take, and cover art is ignored.
  if (media.hasVideo) {
    await makeThumbnail(runner, task, plan);
    events.file(THUMBNAIL_NAME);
  }

  const reported = new Set<string>();
  await encodeHls(runner, task, plan, events, reported);

  const playlist = await readPlaylist(path.join(task.outputDir, PLAYLIST_NAME));
  for (const name of playlist.segments) {
    // Every segment is reported when ffmpeg closes it; this only catches one the hook missed.
    if (!reported.has(name)) events.file(name);
  }
  events.file(PLAYLIST_NAME);

  return {
    durationSeconds: playlist.durationSeconds,
    width: plan.frameSize?.width ?? 0,
    height: plan.frameSize?.height ?? 0,
    segments: playlist.segments,
    hasAudio: media.hasAudio,
    hasVideo: media.hasVideo,
    hasThumbnail: media.hasVideo,
  };
}

function displayedSize(media: MediaInfo) {
  return { width: media.displayWidth, height: media.displayHeight };
}

async function makeThumbnail(runner: FfmpegRunner, task: TranscodeTask, plan: TranscodePlan) {
  const frameSize = thumbnailFrameSize(displayedSize(plan.media));
  const thumbnailPath = path.join(task.outputDir, THUMBNAIL_NAME);

  // Seeking can land past the last decodable frame of a damaged or oddly timed file, so the
  // first frame is the fallback.
  let stderrTail: string[] = [];
  for (const seekSeconds of new Set([thumbnailSeekSeconds(plan.media), 0])) {
    const run = await runner.run({
      program: 'ffmpeg',
      args: thumbnailArgs(plan.inputFile, plan.media, frameSize, seekSeconds),
      inputPath: task.inputPath,
      outputDir: task.outputDir,
    });
    if (run.exitCode === 0 && (await fileSize(thumbnailPath)) > 0) return;
    stderrTail = run.stderrTail;
  }
  throw new TranscodeError('invalid_input', `ffmpeg could not decode a video frame for the thumbnail: ${lastLogLine(stderrTail, plan.inputFile)}`);
}

async function encodeHls(runner: FfmpegRunner, task: TranscodeTask, plan: TranscodePlan, events: PipelineEvents, reported: Set<string>) {
  // The last percent is left for the playlist, so 100 means every file is written.
  let lastPercent = -1;
  const run = await runner.run({
    program: 'ffmpeg',
    args: transcodeArgs(plan),
    inputPath: task.inputPath,
    outputDir: task.outputDir,
    onFileWritten(name) {
      // The playlist is rewritten during the run, so it is reported only after ffmpeg exits.
      if (!SEGMENT_NAME.test(name) || reported.has(name)) return;
      reported.add(name);
      events.file(name);
    },
    onProgress(ratio) {
      const percent = Math.floor(ratio * 99);
      if (percent <= lastPercent) return;
      lastPercent = percent;
      events.progress(percent);
    },
  });
  if (run.exitCode !== 0) {
    throw new TranscodeError('ffmpeg_failed', `ffmpeg failed to convert the file: ${lastLogLine(run.stderrTail, plan.inputFile)}`);
  }
}

interface Playlist {
  segments: string[];
  durationSeconds: number;
}

/** Read segment names and the total of their #EXTINF durations from the written playlist. */
async function readPlaylist(playlistPath: string): Promise<Playlist> {
  const text = await readFile(playlistPath, 'utf8').catch(() => '');
  const segments: string[] = [];
  let durationSeconds = 0;
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    if (line.startsWith('#EXTINF:')) durationSeconds += Number.parseFloat(line.slice('#EXTINF:'.length)) || 0;
    else if (line && !line.startsWith('#')) segments.push(line);
  }
  if (segments.length === 0) {
    throw new TranscodeError('invalid_input', 'ffmpeg wrote no segments: the file is probably truncated or damaged');
  }
  return { segments, durationSeconds: Math.round(durationSeconds * 1000) / 1000 };
}

async function fileSize(filePath: string) {
  return stat(filePath).then(
    (stats) => stats.size,
    () => 0,
  );
}

/** Pick the log line that explains a failure, without ffmpeg's generic closing line or our wasm paths. */
function lastLogLine(stderrTail: string[], inputFile: string) {
  const generic = /^(Conversion failed!|Exiting normally)/;
  const line = [...stderrTail].reverse().find((candidate) => !generic.test(candidate.trim()));
  if (!line) return 'no error message';
  return line.trim().replaceAll(`${inputFile}: `, '').replaceAll(inputFile, 'the source');
}
