// Loading @ffmpeg/core 0.12 in Node. Its Emscripten glue is built for browsers and web workers
// only, and @ffmpeg/ffmpeg refuses Node, so the module factory is called directly.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { EmscriptenFS } from './host-fs.js';

const require = createRequire(import.meta.url);

export interface LogLine {
  type: 'stdout' | 'stderr';
  message: string;
}

/** The API of an @ffmpeg/core 0.12 instance (see its dist/umd/ffmpeg-core.js). */
export interface FfmpegCore {
  /** Run ffmpeg with the arguments after `ffmpeg -nostdin -y` and return its exit code. */
  exec(...args: string[]): number;
  /** Run ffprobe with the arguments after `ffprobe` and return its exit code. */
  ffprobe(...args: string[]): number;
  setLogger(logger: (line: LogLine) => void): void;
  /** `progress` is a ratio of the input duration, `time` the output time in microseconds. */
  setProgress(handler: (event: { progress: number; time: number }) => void): void;
  FS: EmscriptenFS;
}

type CoreFactory = (options: object) => Promise<FfmpegCore>;

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Compile ffmpeg-core.wasm once per process. A compiled module can be posted to workers, and V8
 * shares its machine code between them, so later workers skip compilation and tier-up.
 */
export function compileCore(): Promise<WebAssembly.Module> {
  compiled ??= readFile(require.resolve('@ffmpeg/core/wasm')).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/**
 * Create a fresh core instance from a compiled module. Each ffmpeg run gets its own instance,
 * because ffmpeg's global state is not reliably reset after it exits.
 */
export async function createCore(wasmModule: WebAssembly.Module): Promise<FfmpegCore> {
  // The glue thinks it runs in a web worker and reads self.location.href for its script
  // directory. It never loads anything from there, because the instance is supplied below.
  const scope = globalThis as { self?: unknown };
  scope.self ??= { location: { href: 'file:///ffmpeg-core/' } };

  const factory = require('@ffmpeg/core') as CoreFactory;
  return new Promise((resolve, reject) => {
    const options = {
      // The glue waits forever for receiveInstance, so a failed instantiation must reject here.
      instantiateWasm(imports: WebAssembly.Imports, receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => receiveInstance(instance, wasmModule), reject);
        return {};
      },
    };
    factory(options).then(resolve, reject);
  });
}
