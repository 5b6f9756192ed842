// Debian's ffprobe, used by tests only to check what the product made; the product itself never runs it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  codec_type: 'video' | 'audio' | string;
  codec_name: string;
  width?: number;
  height?: number;
  side_data_list?: Array<{ rotation?: number }>;
  tags?: { rotate?: string };
}

export interface Probe {
  format: { duration?: string; format_name: string };
  streams: ProbedStream[];
}

/** Runs ffprobe on a file path or an http URL and returns its JSON report. */
export async function ffprobe(input: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Probe;
}

export function videoStream(probe: Probe) {
  return probe.streams.find((stream) => stream.codec_type === 'video' && stream.codec_name !== 'mjpeg' && stream.codec_name !== 'png');
}

/** Returns the frame size a player shows: coded size with a 90° rotation swapped. */
export function displaySize(stream: ProbedStream) {
  const rotation = Math.abs(stream.side_data_list?.find((data) => data.rotation !== undefined)?.rotation ?? Number(stream.tags?.rotate ?? 0));
  const swap = rotation % 180 === 90;
  return { width: swap ? stream.height! : stream.width!, height: swap ? stream.width! : stream.height! };
}

export function durationOf(probe: Probe) {
  return Number(probe.format.duration);
}
