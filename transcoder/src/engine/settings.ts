// Encoding settings and output geometry. Pure functions, so tests can check them without ffmpeg.
import type { MediaInfo, Quality, Resolution } from './types.js';

export const PLAYLIST_NAME = 'playlist.m3u8';
export const THUMBNAIL_NAME = 'thumbnail.jpg';
export const SEGMENT_PATTERN = 'segment_%03d.ts';
export const SEGMENT_NAME = /^segment_\d{3,}\.ts$/;

/** Target segment length; keyframes are forced on these boundaries so every segment starts with one. */
export const SEGMENT_SECONDS = 6;

export const THUMBNAIL_MAX_WIDTH = 640;

/** Sources longer than this get their thumbnail from this time, shorter ones from the first frame. */
export const THUMBNAIL_SECONDS = 1;

/** Frame rates above this (slow-motion phone clips) are reduced, because every frame costs encoder time. */
export const MAX_FRAME_RATE = 60;

export const TARGET_HEIGHT: Record<Resolution, number> = { '480p': 480, '720p': 720, '1080p': 1080 };

export interface EncoderSettings {
  /** libx264 constant rate factor: lower is better quality and larger files. */
  crf: number;
  /** libx264 preset: slower presets compress better at the same CRF. */
  preset: string;
  audioBitrate: string;
}

// The wasm core runs x264 on one thread, about 6 times slower than native ffmpeg with the same
// arguments (133 s against 22 s for 60 s of 1080p30 to 720p, measured with test/engine-bench.ts on
// a 2-core x86-64 VM). So every level uses the same fast preset and trades quality through the CRF.
// On 20 s of that clip 'ultrafast' took 22 s against 42 s, but wrote files 5 times larger.
export const QUALITY_SETTINGS: Record<Quality, EncoderSettings> = {
  low: { crf: 28, preset: 'veryfast', audioBitrate: '96k' },
  medium: { crf: 23, preset: 'veryfast', audioBitrate: '128k' },
  high: { crf: 20, preset: 'veryfast', audioBitrate: '160k' },
};

export const AUDIO_SAMPLE_RATE = 48_000;
export const MAX_AUDIO_CHANNELS = 2;

export interface FrameSize {
  width: number;
  height: number;
}

/**
 * Compute the output frame size for a source's displayed size.
 *
 * The height is min(target height, displayed height), so a portrait phone clip at 720p becomes
 * about 406x720 rather than 720x1280, and a source is never upscaled. The width follows the
 * displayed aspect ratio. H.264 with 4:2:0 chroma needs even sizes, so the height is rounded
 * down to even (rounding up could upscale) and the width to the nearest even number.
 */
export function outputFrameSize(source: FrameSize, resolution: Resolution): FrameSize {
  const height = Math.max(2, floorEven(Math.min(TARGET_HEIGHT[resolution], source.height)));
  const width = Math.max(2, roundEven((height * source.width) / source.height));
  return { width, height };
}

/** Compute the thumbnail size: at most THUMBNAIL_MAX_WIDTH wide, the displayed aspect ratio kept. */
export function thumbnailFrameSize(source: FrameSize): FrameSize {
  const width = Math.max(2, floorEven(Math.min(THUMBNAIL_MAX_WIDTH, source.width)));
  const height = Math.max(2, roundEven((width * source.height) / source.width));
  return { width, height };
}

export function thumbnailSeekSeconds(media: MediaInfo): number {
  return media.durationSeconds > 2 * THUMBNAIL_SECONDS ? THUMBNAIL_SECONDS : 0;
}

function floorEven(value: number) {
  return Math.floor(value / 2) * 2;
}

function roundEven(value: number) {
  return Math.round(value / 2) * 2;
}
