// Turning ffprobe's JSON (-print_format json -show_format -show_streams) into MediaInfo.
import { TranscodeError, UNREADABLE_INPUT_MESSAGE } from './errors.js';
import type { MediaInfo } from './types.js';

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { duration?: string };
}

export const PROBE_ARGS = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];

/** Parse ffprobe's JSON output, rejecting sources that have no decodable video or audio. */
export function parseProbeOutput(json: string): MediaInfo {
  let output: ProbeOutput;
  try {
    output = JSON.parse(json) as ProbeOutput;
  } catch {
    throw new TranscodeError('invalid_input', UNREADABLE_INPUT_MESSAGE);
  }

  const streams = output.streams ?? [];
  // Cover art in music files is a video stream with one picture; it is not video to stream.
  const video = streams.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic && stream.width && stream.height);
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (!video && !audio) {
    throw new TranscodeError('invalid_input', `${UNREADABLE_INPUT_MESSAGE}: it contains no video or audio stream`);
  }

  const durationSeconds = readDuration(output, streams);
  if (!(durationSeconds > 0)) {
    throw new TranscodeError('invalid_input', 'The file has no duration: it is a still image, empty or damaged');
  }

  const rotation = video ? readRotation(video) : 0;
  const width = video?.width ?? 0;
  const height = video?.height ?? 0;
  const display = displaySize(width, height, video?.sample_aspect_ratio, rotation);

  return {
    durationSeconds,
    hasVideo: Boolean(video),
    hasAudio: Boolean(audio),
    width,
    height,
    rotation,
    displayWidth: display.width,
    displayHeight: display.height,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    audioChannels: audio?.channels ?? 0,
    videoStreamIndex: video?.index ?? null,
    audioStreamIndex: audio?.index ?? null,
  };
}

/** Use the container duration, falling back to the longest stream (WebM often lacks one or the other). */
function readDuration(output: ProbeOutput, streams: ProbeStream[]) {
  const container = Number(output.format?.duration);
  if (container > 0) return container;
  return Math.max(0, ...streams.map((stream) => Number(stream.duration) || 0));
}

/** Read the rotation in degrees counterclockwise, normalized to 0, 90, 180 or -90. */
function readRotation(stream: ProbeStream) {
  const matrix = stream.side_data_list?.find((data) => data.side_data_type === 'Display Matrix' && typeof data.rotation === 'number');
  // Files written before ffmpeg 5.0 may carry a clockwise `rotate` tag instead of side data.
  const degrees = matrix?.rotation ?? -Number(stream.tags?.rotate ?? 0);
  const quarterTurns = Math.round(degrees / 90);
  const normalized = (((quarterTurns % 4) + 4) % 4) * 90;
  return normalized === 270 ? -90 : normalized;
}

/** Compute the size a player shows: the sample aspect ratio stretches the width, then rotation applies. */
function displaySize(width: number, height: number, sampleAspectRatio: string | undefined, rotation: number) {
  const [num, den] = (sampleAspectRatio ?? '1:1').split(':').map(Number);
  const stretch = num > 0 && den > 0 ? num / den : 1;
  const stretchedWidth = Math.round(width * stretch);
  const quarterTurn = Math.abs(rotation) === 90;
  return quarterTurn ? { width: height, height: stretchedWidth } : { width: stretchedWidth, height };
}
