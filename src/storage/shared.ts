// Helpers used by both stores. This module must stay free of node: imports because the R2 store runs in Workers.
import { RangeNotSatisfiableError, type ByteRange, type PutBody } from './types';

/** Thrown when a key or prefix could not be mapped safely to an object name. */
export class InvalidKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

/** Thrown when a body's byte count differs from the `length` the caller declared. */
export class LengthMismatchError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Body has ${actual} bytes but its declared length is ${expected}`);
    this.name = 'LengthMismatchError';
  }
}

const encoder = new TextEncoder();

/** Converts a string body to UTF-8 bytes and passes bytes and streams through. */
export function normalizeBody(body: PutBody): Uint8Array | ReadableStream<Uint8Array> {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

export function checkDeclaredLength(declared: number | undefined, actual: number): void {
  if (declared !== undefined && declared !== actual) throw new LengthMismatchError(declared, actual);
}

export function validateDeclaredLength(length: number | undefined): void {
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    throw new RangeError(`Invalid body length ${length}: expected a non-negative integer`);
  }
}

/** Throws a RangeError for a range that no object size could satisfy, such as a negative offset. */
export function validateRange(range: ByteRange): void {
  const isCount = (n: number, min: number) => Number.isSafeInteger(n) && n >= min;

  if ('suffix' in range) {
    if (!isCount(range.suffix, 1)) throw new RangeError(`Invalid range suffix ${range.suffix}: expected an integer >= 1`);
    return;
  }
  if (!isCount(range.offset, 0)) throw new RangeError(`Invalid range offset ${range.offset}: expected an integer >= 0`);
  if (range.length !== undefined && !isCount(range.length, 1)) {
    throw new RangeError(`Invalid range length ${range.length}: expected an integer >= 1`);
  }
}

/**
 * Resolves a range against an object of `size` bytes: a length running past the end is clipped and a
 * suffix longer than the object returns the whole object. Throws RangeNotSatisfiableError when the range
 * starts at or after the end, which includes every range on an empty object.
 */
export function resolveRange(range: ByteRange, size: number): { offset: number; length: number } {
  validateRange(range);
  if (size === 0) throw new RangeNotSatisfiableError(size);

  if ('suffix' in range) {
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  if (range.offset >= size) throw new RangeNotSatisfiableError(size);
  const available = size - range.offset;
  return { offset: range.offset, length: Math.min(range.length ?? available, available) };
}

/**
 * Reads a stream as consecutive `partSize` byte blocks, of which only the last may be shorter.
 * Memory stays bounded by one block plus one incoming chunk. Yields nothing for an empty stream.
 */
export async function* readBlocks(stream: ReadableStream<Uint8Array>, partSize: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let block = new Uint8Array(partSize);
  let filled = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;

      let consumed = 0;
      while (consumed < value.byteLength) {
        const count = Math.min(partSize - filled, value.byteLength - consumed);
        block.set(value.subarray(consumed, consumed + count), filled);
        filled += count;
        consumed += count;
        if (filled === partSize) {
          yield block;
          // A fresh block, because the consumer may still hold the previous one (an upload in flight).
          block = new Uint8Array(partSize);
          filled = 0;
        }
      }
    }
    finished = true;
    if (filled > 0) yield block.subarray(0, filled);
  } finally {
    // Reached without `finished` when reading failed or the consumer stopped early, so release the source.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
