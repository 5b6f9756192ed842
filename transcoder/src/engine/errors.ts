export type TranscodeErrorCode =
  /** The source is missing, empty, not media, or too damaged to decode. Retrying will not help. */
  | 'invalid_input'
  /** ffmpeg read the source but failed while converting it. */
  | 'ffmpeg_failed'
  | 'timeout'
  | 'aborted'
  /** The worker running ffmpeg died (wasm trap, out of memory, bug in the engine). */
  | 'crashed';

/** An engine failure with a message meant for the person who uploaded the file. */
export class TranscodeError extends Error {
  readonly code: TranscodeErrorCode;

  constructor(code: TranscodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TranscodeError';
    this.code = code;
  }

  /** True when running the same job again might succeed. */
  get retryable() {
    return this.code === 'timeout' || this.code === 'crashed';
  }
}

export const UNREADABLE_INPUT_MESSAGE = 'The file is not a video or audio file ffmpeg can read';

/** A plain object that survives postMessage, because class instances lose their prototype. */
export interface SerializedError {
  code: TranscodeErrorCode;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof TranscodeError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'crashed', message: `The transcoding engine failed unexpectedly: ${message}` };
}
