// ffmpeg command lines for one job. Paths are inside the wasm file system (see host-fs.ts).
import {
  AUDIO_SAMPLE_RATE,
  MAX_AUDIO_CHANNELS,
  MAX_FRAME_RATE,
  QUALITY_SETTINGS,
  SEGMENT_PATTERN,
  SEGMENT_SECONDS,
  PLAYLIST_NAME,
  THUMBNAIL_NAME,
  type FrameSize,
} from './settings.js';
import type { MediaInfo, Quality } from './types.js';

export const INPUT_DIR = '/input';
export const OUTPUT_DIR = '/output';

export interface TranscodePlan {
  inputFile: string;
  media: MediaInfo;
  quality: Quality;
  /** Null for audio-only output. */
  frameSize: FrameSize | null;
}

export function transcodeArgs(plan: TranscodePlan): string[] {
  return [
    '-hide_banner',
    '-i', plan.inputFile,
    ...videoArgs(plan),
    ...audioArgs(plan),
    '-sn', '-dn',
    // Sparse audio next to video can otherwise stop ffmpeg with "Too many packets buffered".
    '-max_muxing_queue_size', '1024',
    ...hlsArgs(),
  ];
}

function videoArgs(plan: TranscodePlan): string[] {
  const { media, frameSize } = plan;
  if (media.videoStreamIndex === null || !frameSize) return ['-vn'];

  const settings = QUALITY_SETTINGS[plan.quality];
  return [
    '-map', `0:${media.videoStreamIndex}`,
    // ffmpeg 5.1 rotates frames by the display matrix before this filter, so the size is the displayed one.
    // yadif with deint=interlaced touches only frames flagged interlaced, so progressive input passes through.
    '-vf', `yadif=deint=interlaced,scale=${frameSize.width}:${frameSize.height},setsar=1`,
    '-fpsmax', String(MAX_FRAME_RATE),
    '-c:v', 'libx264',
    '-preset', settings.preset,
    '-crf', String(settings.crf),
    '-pix_fmt', 'yuv420p',
    // The core is built without pthreads, so more threads would only add overhead.
    '-threads', '1',
    // A keyframe at every segment boundary, so each segment can be decoded on its own.
    '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
  ];
}

function audioArgs(plan: TranscodePlan): string[] {
  const { media } = plan;
  if (media.audioStreamIndex === null) return ['-an'];

  const channels = Math.min(media.audioChannels || MAX_AUDIO_CHANNELS, MAX_AUDIO_CHANNELS);
  return [
    '-map', `0:${media.audioStreamIndex}`,
    '-c:a', 'aac',
    '-b:a', QUALITY_SETTINGS[plan.quality].audioBitrate,
    '-ac', String(channels),
    '-ar', String(AUDIO_SAMPLE_RATE),
  ];
}

function hlsArgs(): string[] {
  return [
    '-f', 'hls',
    '-hls_time', String(SEGMENT_SECONDS),
    '-hls_playlist_type', 'vod',
    '-hls_list_size', '0',
    '-hls_segment_type', 'mpegts',
    '-hls_flags', 'independent_segments',
    '-start_number', '0',
    '-hls_segment_filename', `${OUTPUT_DIR}/${SEGMENT_PATTERN}`,
    `${OUTPUT_DIR}/${PLAYLIST_NAME}`,
  ];
}

/** Build the thumbnail command. `-ss` before `-i` seeks in the demuxer, so decoding starts at the keyframe before that time. */
export function thumbnailArgs(inputFile: string, media: MediaInfo, frameSize: FrameSize, seekSeconds: number): string[] {
  return [
    '-hide_banner',
    ...(seekSeconds > 0 ? ['-ss', String(seekSeconds)] : []),
    '-i', inputFile,
    '-map', `0:${media.videoStreamIndex}`,
    '-frames:v', '1',
    // yadif with deint=interlaced touches only frames flagged interlaced, so progressive input passes through.
    '-vf', `yadif=deint=interlaced,scale=${frameSize.width}:${frameSize.height},setsar=1`,
    '-q:v', '3',
    // With its default optimal Huffman tables, the mjpeg encoder of @ffmpeg/core 0.12.10 hangs or
    // traps on some frames, for example the first frame of camera-640x360-17s.mp4 at its own size.
    // The standard tables avoid that code path.
    '-huffman', 'default',
    '-f', 'image2',
    '-update', '1',
    `${OUTPUT_DIR}/${THUMBNAIL_NAME}`,
  ];
}
