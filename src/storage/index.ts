// Worker-safe entry point. FsObjectStore is not re-exported here because it imports node:fs;
// the Node entry imports it from './fs-store' directly.
import type { ObjectStore } from './types';

export * from './types';
export { InvalidKeyError, LengthMismatchError } from './shared';
export { R2ObjectStore } from './r2-store';

/** Keys per list page and per delete call; R2 accepts at most 1000 for both. */
const DELETE_BATCH_SIZE = 1000;

/**
 * Deletes every object whose key starts with `prefix`, one listed page at a time, and returns how many
 * objects and bytes were removed. Rejects an empty prefix, which would empty the whole store.
 */
export async function deletePrefix(store: ObjectStore, prefix: string): Promise<{ count: number; bytes: number }> {
  if (prefix === '') throw new Error('deletePrefix needs a non-empty prefix; an empty one would delete every object');

  let count = 0;
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { cursor, limit: DELETE_BATCH_SIZE });
    if (page.objects.length > 0) {
      await store.delete(page.objects.map((object) => object.key));
      count += page.objects.length;
      bytes += page.objects.reduce((sum, object) => sum + object.size, 0);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);

  return { count, bytes };
}

/** Reads a whole body as UTF-8 text. Meant for small objects such as playlists, never for media. */
export async function streamToText(body: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(body).text();
}
