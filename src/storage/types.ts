/** Metadata of a stored object. `etag` is quoted-free and stable for unchanged content. */
export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  uploaded: Date;
  contentType?: string;
}

/** A byte range: `offset` from the start with an optional `length`, or the last `suffix` bytes. */
export type ByteRange = { offset: number; length?: number } | { suffix: number };

export interface StoredObject extends ObjectInfo {
  body: ReadableStream<Uint8Array>;
  /** The bytes actually returned when a range was requested. */
  range?: { offset: number; length: number };
}

export interface PutOptions {
  contentType?: string;
  /** Exact byte length of a streamed body when known; R2 needs it to store a stream in one request. */
  length?: number;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

export type PutBody = ReadableStream<Uint8Array> | Uint8Array | string;

/**
 * Object storage sized for video: bodies move as streams, never read whole into memory.
 * Implemented over an R2 bucket binding and over a local directory.
 */
export interface ObjectStore {
  /** Smallest part size that multipart uploads accept for every part except the last (5 MiB on R2). */
  readonly minPartSize: number;
  /** Largest object one streamed `put` may store (5 GiB on R2); larger ones need a multipart upload. */
  readonly maxPutSize: number;

  put(key: string, body: PutBody, options?: PutOptions): Promise<ObjectInfo>;
  /** Returns null when the key does not exist. A range past the end throws RangeNotSatisfiableError. */
  get(key: string, options?: { range?: ByteRange }): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Deletes the keys; missing keys are ignored. */
  delete(keys: string | string[]): Promise<void>;
  /** Lists up to `limit` objects whose key starts with `prefix`, in key order. */
  list(prefix: string, options?: { cursor?: string; limit?: number }): Promise<{ objects: ObjectInfo[]; cursor?: string }>;

  createMultipartUpload(key: string, options?: PutOptions): Promise<string>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: PutBody, length?: number): Promise<UploadedPart>;
  completeMultipartUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<ObjectInfo>;
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
}

export class RangeNotSatisfiableError extends Error {
  constructor(readonly size: number) {
    super(`Requested range is outside the object's ${size} bytes`);
    this.name = 'RangeNotSatisfiableError';
  }
}
