/**
 * ObjectStore over an R2 bucket binding. Runs in Workers and, through Miniflare's binding proxy, in Node
 * tests, so it must not import node: modules.
 */
import type {
  R2Bucket,
  R2ListOptions,
  R2Object,
  R2ObjectBody,
  R2PutOptions,
  R2Range,
  ReadableStream as WorkersReadableStream,
} from '@cloudflare/workers-types';

import { checkDeclaredLength, normalizeBody, readBlocks, validateDeclaredLength, validateRange } from './shared';
import {
  RangeNotSatisfiableError,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type PutBody,
  type PutOptions,
  type StoredObject,
  type UploadedPart,
} from './types';

const MIB = 1024 * 1024;

/** R2 rejects non-final parts below 5 MiB. */
const R2_MIN_PART_SIZE = 5 * MIB;

/**
 * Part size for streams of unknown length. R2 allows at most 10,000 parts, so this caps such uploads at
 * about 78 GiB, and holding one part in memory at a time stays well inside a Worker's 128 MB.
 */
const BUFFERED_PART_SIZE = 8 * MIB;

/** R2 deletes at most 1000 keys per call. */
const MAX_DELETE_BATCH = 1000;

/** R2's error code for "The requested range is not satisfiable". */
const INVALID_RANGE_CODE = '(10039)';

/** The Workers runtime global that gives a stream the known length R2 requires. Absent in Node. */
type FixedLengthStreamConstructor = new (length: number) => TransformStream<Uint8Array, Uint8Array>;

export class R2ObjectStore implements ObjectStore {
  readonly minPartSize = R2_MIN_PART_SIZE;
  // R2 stores at most 5 GiB in a single PUT.
  readonly maxPutSize = 5 * 1024 * MIB;

  constructor(private readonly bucket: R2Bucket) {}

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<ObjectInfo> {
    validateDeclaredLength(options.length);
    const data = normalizeBody(body);
    const putOptions: R2PutOptions = options.contentType ? { httpMetadata: { contentType: options.contentType } } : {};

    if (data instanceof Uint8Array) {
      checkDeclaredLength(options.length, data.byteLength);
      return toInfo(await this.bucket.put(key, data, putOptions));
    }

    const FixedLengthStream = fixedLengthStream();
    if (options.length !== undefined && FixedLengthStream) {
      const sized = withFixedLength(FixedLengthStream, data, options.length);
      return toInfo(await this.bucket.put(key, sized.readable, putOptions).finally(() => sized.pipe));
    }
    return this.putBuffered(key, data, options);
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<StoredObject | null> {
    const range = options.range;
    if (range) validateRange(range);

    let object: R2ObjectBody | null;
    try {
      object = await this.bucket.get(key, range ? { range: toR2Range(range) } : {});
    } catch (error) {
      // R2 rejects an offset at or past the end with error 10039, and the error does not carry the size.
      if (!(range && error instanceof Error && error.message.includes(INVALID_RANGE_CODE))) throw error;
      const head = await this.bucket.head(key);
      if (!head) return null;
      throw new RangeNotSatisfiableError(head.size);
    }
    if (!object) return null;

    const info = toInfo(object);
    const body = object.body as unknown as ReadableStream<Uint8Array>;
    if (!range) return { ...info, body };

    const resolved = resolveReturnedRange(object.range, object.size);
    if (resolved.length === 0) {
      // An empty object has no satisfiable range.
      await body.cancel().catch(() => {});
      throw new RangeNotSatisfiableError(object.size);
    }
    return { ...info, body, range: resolved };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const object = await this.bucket.head(key);
    return object ? toInfo(object) : null;
  }

  async delete(keys: string | string[]): Promise<void> {
    if (typeof keys === 'string') {
      await this.bucket.delete(keys);
      return;
    }
    for (let start = 0; start < keys.length; start += MAX_DELETE_BATCH) {
      await this.bucket.delete(keys.slice(start, start + MAX_DELETE_BATCH));
    }
  }

  async list(prefix: string, options: { cursor?: string; limit?: number } = {}): Promise<{ objects: ObjectInfo[]; cursor?: string }> {
    const listOptions: R2ListOptions & { include?: ('httpMetadata' | 'customMetadata')[] } = {
      prefix,
      cursor: options.cursor,
      limit: options.limit,
      // From compatibility date 2022-08-04 on, R2 omits httpMetadata from list results unless requested, so
      // contentType would be missing. The default workers-types entry point predates `include`.
      include: ['httpMetadata'],
    };
    const result = await this.bucket.list(listOptions);
    const objects = result.objects.map(toInfo);
    return result.truncated ? { objects, cursor: result.cursor } : { objects };
  }

  async createMultipartUpload(key: string, options: PutOptions = {}): Promise<string> {
    const upload = await this.bucket.createMultipartUpload(
      key,
      options.contentType ? { httpMetadata: { contentType: options.contentType } } : {},
    );
    return upload.uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: PutBody, length?: number): Promise<UploadedPart> {
    validateDeclaredLength(length);
    const upload = this.bucket.resumeMultipartUpload(key, uploadId);
    const data = normalizeBody(body);

    let part;
    const FixedLengthStream = fixedLengthStream();
    if (data instanceof Uint8Array) {
      checkDeclaredLength(length, data.byteLength);
      part = await upload.uploadPart(partNumber, data);
    } else if (length !== undefined && FixedLengthStream) {
      const sized = withFixedLength(FixedLengthStream, data, length);
      part = await upload.uploadPart(partNumber, sized.readable).finally(() => sized.pipe);
    } else {
      // Without a known length R2 cannot take the stream, so the part is buffered. Its size is the
      // caller's part size, which bounds the memory used.
      const bytes = await readWhole(data);
      checkDeclaredLength(length, bytes.byteLength);
      part = await upload.uploadPart(partNumber, bytes);
    }
    return { partNumber: part.partNumber, etag: part.etag };
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<ObjectInfo> {
    const upload = this.bucket.resumeMultipartUpload(key, uploadId);
    return toInfo(await upload.complete(parts));
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.bucket.resumeMultipartUpload(key, uploadId).abort();
  }

  /**
   * Stores a stream whose length is unknown (or, outside Workers, cannot be declared to R2). Blocks of
   * BUFFERED_PART_SIZE are buffered one at a time, because R2 needs each part's length up front. A stream
   * that ends within the first block becomes a plain put, and a longer one becomes a multipart upload.
   */
  private async putBuffered(key: string, stream: ReadableStream<Uint8Array>, options: PutOptions): Promise<ObjectInfo> {
    const httpMetadata = options.contentType ? { contentType: options.contentType } : undefined;
    const blocks = readBlocks(stream, BUFFERED_PART_SIZE);

    const first = await blocks.next();
    if (first.done || first.value.byteLength < BUFFERED_PART_SIZE) {
      const bytes = first.done ? new Uint8Array(0) : first.value;
      checkDeclaredLength(options.length, bytes.byteLength);
      return toInfo(await this.bucket.put(key, bytes, { httpMetadata }));
    }

    const upload = await this.bucket.createMultipartUpload(key, { httpMetadata });
    try {
      const parts = [await upload.uploadPart(1, first.value)];
      let size = first.value.byteLength;
      for await (const block of blocks) {
        parts.push(await upload.uploadPart(parts.length + 1, block));
        size += block.byteLength;
      }
      checkDeclaredLength(options.length, size);
      return toInfo(await upload.complete(parts));
    } catch (error) {
      await blocks.return(undefined);
      await upload.abort().catch(() => {});
      throw error;
    }
  }
}

function fixedLengthStream(): FixedLengthStreamConstructor | undefined {
  return (globalThis as { FixedLengthStream?: FixedLengthStreamConstructor }).FixedLengthStream;
}

/**
 * Pipes `stream` through a FixedLengthStream. The pipe promise is kept so that its rejection (for
 * example a length mismatch, which also fails the R2 call) is observed instead of left unhandled.
 */
function withFixedLength(
  FixedLengthStream: FixedLengthStreamConstructor,
  stream: ReadableStream<Uint8Array>,
  length: number,
): { readable: WorkersReadableStream; pipe: Promise<void> } {
  const sized = new FixedLengthStream(length);
  const pipe = stream.pipeTo(sized.writable).catch(() => {});
  return { readable: sized.readable as unknown as WorkersReadableStream, pipe };
}

async function readWhole(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const block of readBlocks(stream, BUFFERED_PART_SIZE)) {
    chunks.push(block);
    size += block.byteLength;
  }
  if (chunks.length === 1) return chunks[0];

  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function toR2Range(range: ByteRange): R2Range {
  if ('suffix' in range) return { suffix: range.suffix };
  return range.length === undefined ? { offset: range.offset } : { offset: range.offset, length: range.length };
}

/** Normalizes the range R2 reports, which may still be in the requested form, to an offset and a clipped length. */
function resolveReturnedRange(range: R2Range | undefined, size: number): { offset: number; length: number } {
  if (!range) return { offset: 0, length: size };
  // R2 reports ranges as { offset, length, suffix: undefined }, so test the value, not the key.
  if ('suffix' in range && range.suffix !== undefined) {
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  const { offset: start, length: requested } = range as { offset?: number; length?: number };
  const offset = Math.min(start ?? 0, size);
  const length = Math.min(requested ?? size - offset, size - offset);
  return { offset, length };
}

function toInfo(object: R2Object): ObjectInfo {
  const info: ObjectInfo = { key: object.key, size: object.size, etag: object.etag, uploaded: object.uploaded };
  const contentType = object.httpMetadata?.contentType;
  if (contentType !== undefined) info.contentType = contentType;
  return info;
}
