export type Resolution = '480p' | '720p' | '1080p';
export type Quality = 'low' | 'medium' | 'high';

/** Facts ffprobe reports about a source file. Sizes are in pixels, durations in seconds. */
export interface MediaInfo {
  durationSeconds: number;
  hasVideo: boolean;
  hasAudio: boolean;
  /** Coded frame size as stored in the file, before rotation and sample aspect ratio; 0 without video. */
  width: number;
  height: number;
  /** Display-matrix rotation in degrees counterclockwise, as ffprobe prints it: 0, 90, -90 or 180. */
  rotation: number;
  /** Frame size a player shows: rotation and sample aspect ratio applied; 0 without video. */
  displayWidth: number;
  displayHeight: number;
  /** ffmpeg codec names such as 'h264' or 'vp9'; null when the stream is missing. */
  videoCodec: string | null;
  audioCodec: string | null;
  audioChannels: number;
  /** Stream indexes in the file, used to map exactly these streams; null when missing. */
  videoStreamIndex: number | null;
  audioStreamIndex: number | null;
}

export interface TranscodeOptions {
  inputPath: string;
  /** An existing directory; the playlist, segments and thumbnail are written into it. */
  outputDir: string;
  resolution: Resolution;
  quality: Quality;
  /** Wall-clock limit for the whole job (probe, thumbnail and transcode); the worker is ended after it. */
  timeoutMs: number;
  /** Ends the worker and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Receives whole percents 0-100, each value at most once and in increasing order. */
  onProgress?: (percent: number) => void;
  /**
   * Receives the name of each output file once it is complete: segments in order while ffmpeg
   * is still running, the thumbnail, and `playlist.m3u8` last.
   */
  onFile?: (name: string) => void;
}

export interface TranscodeResult {
  durationSeconds: number;
  /** Output frame size; 0 for audio-only output. */
  width: number;
  height: number;
  /** Segment file names in playlist order. */
  segments: string[];
  hasAudio: boolean;
  hasVideo: boolean;
  /** False for audio-only sources, which get no thumbnail. */
  hasThumbnail: boolean;
}
