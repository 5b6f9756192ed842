// One ffmpeg or ffprobe run in a fresh core instance, with the source and output directory mounted.
import path from 'node:path';
import { createCore } from './core.js';
import { INPUT_DIR, OUTPUT_DIR } from './ffmpeg-args.js';
import { mountOutputDirectory, mountSourceFile, type OpenFileLedger } from './host-fs.js';

const STDERR_LINES_KEPT = 40;

export interface FfmpegRunOptions {
  program: 'ffmpeg' | 'ffprobe';
  args: string[];
  inputPath: string;
  /** Host directory mounted at OUTPUT_DIR; omitted for runs that write nothing. */
  outputDir?: string;
  onFileWritten?: (name: string) => void;
  /** Ratio 0-1 of the input duration processed so far. */
  onProgress?: (ratio: number) => void;
}

export interface FfmpegRunResult {
  exitCode: number;
  stdout: string;
  /** The last lines of ffmpeg's log, without progress lines, for error messages. */
  stderrTail: string[];
}

export class FfmpegRunner {
  constructor(
    private readonly wasmModule: WebAssembly.Module,
    private readonly ledger: OpenFileLedger,
  ) {}

  /** Return the source's path inside the wasm file system. */
  inputFile(inputPath: string) {
    return `${INPUT_DIR}/${virtualSourceName(inputPath)}`;
  }

  async run(options: FfmpegRunOptions): Promise<FfmpegRunResult> {
    const core = await createCore(this.wasmModule);
    mountSourceFile(core.FS, this.ledger, INPUT_DIR, virtualSourceName(options.inputPath), options.inputPath);
    if (options.outputDir) {
      mountOutputDirectory(core.FS, this.ledger, OUTPUT_DIR, options.outputDir, options.onFileWritten ?? (() => {}));
    }

    const stdout: string[] = [];
    const stderrTail: string[] = [];
    core.setLogger(({ type, message }) => {
      if (type === 'stdout') {
        stdout.push(message);
        return;
      }
      if (isNoise(message)) return;
      stderrTail.push(message);
      if (stderrTail.length > STDERR_LINES_KEPT) stderrTail.shift();
    });
    if (options.onProgress) {
      const report = options.onProgress;
      core.setProgress(({ progress }) => report(Math.min(Math.max(progress, 0), 1)));
    }

    const exitCode = options.program === 'ffprobe' ? core.ffprobe(...options.args) : core.exec(...options.args);
    return { exitCode, stdout: stdout.join('\n'), stderrTail };
  }
}

/**
 * Name the source inside the wasm file system. Only a plain extension of the host name is
 * kept, as a hint for the few demuxers that need one: characters such as ':' would make
 * ffmpeg read the name as a protocol.
 */
function virtualSourceName(inputPath: string) {
  const extension = path.extname(inputPath).toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(extension) ? `source${extension}` : 'source';
}

/** Progress lines and the core's exit marker carry nothing an error message needs. */
function isNoise(message: string) {
  return message.startsWith('frame=') || message.startsWith('size=') || message.startsWith('Aborted(') || message.trim() === '';
}
