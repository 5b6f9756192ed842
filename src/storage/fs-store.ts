/**
 * ObjectStore over a local directory, for the Node entry.
 *
 * Layout under rootDir:
 *   <key>                              object bytes; a key's `/` segments become directories
 *   .hlsmith/meta/<key>                sidecar JSON with the md5 etag, the content type and the inode it describes
 *   .hlsmith/tmp/<uuid>                files being written, renamed into place once complete
 *   .hlsmith/uploads/<uploadId>/       multipart state: upload.json and one <partNumber>.part per part
 *
 * Keys whose first segment is `.hlsmith` are rejected, so list() never returns internal files.
 * The content type is whatever put() or createMultipartUpload() received, never derived from the
 * extension, so both stores return the same value. Because keys are paths, a key cannot also be a
 * "directory" of another key: after put('a'), put('a/b') fails, which R2 would allow.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';

import { checkDeclaredLength, InvalidKeyError, normalizeBody, resolveRange, validateDeclaredLength } from './shared';
import type { ByteRange, ObjectInfo, ObjectStore, PutBody, PutOptions, StoredObject, UploadedPart } from './types';

const INTERNAL_DIR = '.hlsmith';
const MAX_KEY_BYTES = 1024; // The R2 limit, kept here so a key that works locally also works on R2.
const MAX_LIST_LIMIT = 1000;
const MAX_PART_NUMBER = 10_000;
const UPLOAD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Sidecar contents. `ino` and `size` tie it to one version of the object file. */
interface ObjectMeta {
  etag: string;
  contentType?: string;
  ino: number;
  size: number;
}

interface UploadState {
  key: string;
  contentType?: string;
}

/** A finished temporary file, ready to be renamed into place. */
interface WrittenFile {
  path: string;
  size: number;
  md5: string;
  ino: number;
}

export class FsObjectStore implements ObjectStore {
  /** The filesystem has no minimum part size. */
  readonly minPartSize = 1;
  readonly maxPutSize = Number.MAX_SAFE_INTEGER;

  private readonly root: string;
  private readonly metaRoot: string;
  private readonly tmpDir: string;
  private readonly uploadsDir: string;
  /** Serializes the rename of an object and its sidecar per key, so two puts cannot interleave them. */
  private readonly keyLocks = new Map<string, Promise<unknown>>();

  // NOTE: files are renamed into place without fsync, so a power loss can still lose a recent put, and temp
  // files of a crashed process stay in .hlsmith/tmp until removed by hand.
  constructor(rootDir: string) {
    this.root = resolve(rootDir);
    this.metaRoot = join(this.root, INTERNAL_DIR, 'meta');
    this.tmpDir = join(this.root, INTERNAL_DIR, 'tmp');
    this.uploadsDir = join(this.root, INTERNAL_DIR, 'uploads');
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<ObjectInfo> {
    validateKey(key);
    validateDeclaredLength(options.length);

    const written = await this.writeTemp(normalizeBody(body), [], options.length);
    return this.commit(key, written, options.contentType);
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<StoredObject | null> {
    validateKey(key);

    // Stat through the open handle, so size, etag and bytes all come from the same version
    // even if a put renames a new file over the key meanwhile.
    const handle = await openIfFile(this.objectPath(key));
    if (!handle) return null;

    try {
      const stats = await handle.stat();
      const info = await this.describe(key, stats);
      const range = options.range ? resolveRange(options.range, stats.size) : undefined;

      let body: ReadableStream<Uint8Array>;
      if (range) {
        body = toWebStream(handle, range.offset, range.offset + range.length - 1);
      } else if (stats.size === 0) {
        await handle.close();
        body = new ReadableStream({ start: (controller) => controller.close() });
      } else {
        body = toWebStream(handle, 0, stats.size - 1);
      }
      return range ? { ...info, body, range } : { ...info, body };
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    validateKey(key);
    const stats = await statIfFile(this.objectPath(key));
    return stats ? this.describe(key, stats) : null;
  }

  async delete(keys: string | string[]): Promise<void> {
    const list = typeof keys === 'string' ? [keys] : keys;
    list.forEach(validateKey);

    for (const key of list) {
      await this.withKeyLock(key, async () => {
        await unlinkIfPresent(this.objectPath(key));
        await unlinkIfPresent(this.metaPath(key));
      });
      await this.pruneEmptyDirs(dirname(this.objectPath(key)), this.root);
      await this.pruneEmptyDirs(dirname(this.metaPath(key)), this.metaRoot);
    }
  }

  /**
   * Lists keys in JavaScript string order, which compares UTF-16 code units. R2 compares UTF-8 bytes, and the
   * two orders differ only for characters above U+FFFF. The cursor is the last key of the previous page.
   */
  async list(prefix: string, options: { cursor?: string; limit?: number } = {}): Promise<{ objects: ObjectInfo[]; cursor?: string }> {
    validatePrefix(prefix);
    const limit = Math.min(options.limit ?? MAX_LIST_LIMIT, MAX_LIST_LIMIT);
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new RangeError(`Invalid list limit ${options.limit}: expected an integer >= 1`);

    // Walk only the deepest directory that the prefix names in full.
    const slash = prefix.lastIndexOf('/');
    const startKey = slash === -1 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    await this.collectKeys(startKey, keys);

    // NOTE: every page walks the whole subtree below the prefix, which suits per-video prefixes of a few
    // thousand keys. Paging through a much larger tree would need an index.
    const cursor = options.cursor;
    const matching = keys.filter((key) => key.startsWith(prefix) && (cursor === undefined || key > cursor)).sort();
    const page = matching.slice(0, limit);

    const objects: ObjectInfo[] = [];
    for (const key of page) {
      const stats = await statIfFile(this.objectPath(key));
      // Skip a key deleted between the walk and the stat.
      if (stats) objects.push(await this.describe(key, stats));
    }
    return matching.length > limit ? { objects, cursor: page[page.length - 1] } : { objects };
  }

  async createMultipartUpload(key: string, options: PutOptions = {}): Promise<string> {
    validateKey(key);
    const uploadId = randomUUID();
    const dir = join(this.uploadsDir, uploadId);
    await mkdir(dir, { recursive: true });

    const state: UploadState = { key, contentType: options.contentType };
    await writeFile(join(dir, 'upload.json'), JSON.stringify(state));
    return uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: PutBody, length?: number): Promise<UploadedPart> {
    validateDeclaredLength(length);
    if (!(Number.isSafeInteger(partNumber) && partNumber >= 1 && partNumber <= MAX_PART_NUMBER)) {
      throw new RangeError(`Invalid part number ${partNumber}: expected an integer from 1 to ${MAX_PART_NUMBER}`);
    }
    const dir = await this.openUpload(key, uploadId);

    const written = await this.writeTemp(normalizeBody(body), [], length);
    try {
      // Renaming makes a retried part replace the earlier attempt whole.
      await rename(written.path, join(dir, `${partNumber}.part`));
    } catch (error) {
      await unlinkIfPresent(written.path);
      throw error;
    }
    return { partNumber, etag: written.md5 };
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<ObjectInfo> {
    const dir = await this.openUpload(key, uploadId);
    if (parts.length === 0) throw new Error(`Multipart upload ${uploadId} cannot complete without parts`);

    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i].partNumber === ordered[i - 1].partNumber) {
        throw new Error(`Multipart upload ${uploadId} lists part ${ordered[i].partNumber} twice`);
      }
    }

    const state = await readUploadState(dir);
    const sources = ordered.map((part) => ({ path: join(dir, `${part.partNumber}.part`), part }));
    const written = await this.writeTemp(null, sources);
    const info = await this.commit(key, written, state.contentType);

    await rm(dir, { recursive: true, force: true });
    return info;
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    const dir = await this.openUpload(key, uploadId);
    await rm(dir, { recursive: true, force: true });
  }

  private objectPath(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  /** Mirrors the object path under another root, so two keys conflict in the meta tree only if their objects do. */
  private metaPath(key: string): string {
    return join(this.metaRoot, ...key.split('/'));
  }

  /** Returns the upload's directory after checking that the upload exists and belongs to `key`. */
  private async openUpload(key: string, uploadId: string): Promise<string> {
    validateKey(key);
    if (!UPLOAD_ID_PATTERN.test(uploadId)) throw new Error(`Multipart upload ${JSON.stringify(uploadId)} not found: invalid upload id`);

    const dir = join(this.uploadsDir, uploadId);
    let state: UploadState;
    try {
      state = await readUploadState(dir);
    } catch (error) {
      if (isCode(error, 'ENOENT')) throw new Error(`Multipart upload ${uploadId} not found for key ${JSON.stringify(key)}`);
      throw error;
    }
    if (state.key !== key) throw new Error(`Multipart upload ${uploadId} belongs to key ${JSON.stringify(state.key)}, not ${JSON.stringify(key)}`);
    return dir;
  }

  /**
   * Writes a body, or the concatenation of part files, to a new file in the temp directory while
   * computing its md5. Each part's md5 must match the etag the caller passed for it.
   */
  private async writeTemp(
    body: Uint8Array | ReadableStream<Uint8Array> | null,
    parts: { path: string; part: UploadedPart }[],
    declaredLength?: number,
  ): Promise<WrittenFile> {
    await mkdir(this.tmpDir, { recursive: true });
    const path = join(this.tmpDir, randomUUID());
    const handle = await open(path, 'wx');
    const hash = createHash('md5');
    let size = 0;

    const write = async (chunk: Uint8Array) => {
      hash.update(chunk);
      size += chunk.byteLength;
      await writeAll(handle, chunk);
    };

    try {
      if (body instanceof Uint8Array) {
        await write(body);
      } else if (body) {
        await pumpStream(body, write);
      }
      for (const { path: partPath, part } of parts) {
        const partHash = createHash('md5');
        const source = await open(partPath, 'r').catch((error: unknown) => {
          if (isCode(error, 'ENOENT')) throw new Error(`Part ${part.partNumber} was never uploaded`);
          throw error;
        });
        try {
          for await (const chunk of source.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
            partHash.update(chunk);
            await write(chunk);
          }
        } finally {
          await source.close();
        }
        const etag = partHash.digest('hex');
        if (etag !== part.etag) throw new Error(`Part ${part.partNumber} has etag ${etag}, not the ${part.etag} that was passed`);
      }
      checkDeclaredLength(declaredLength, size);

      const { ino } = await handle.stat();
      await handle.close();
      return { path, size, md5: hash.digest('hex'), ino };
    } catch (error) {
      await handle.close().catch(() => {});
      await unlinkIfPresent(path);
      throw error;
    }
  }

  /** Renames a finished temp file over the key and writes its sidecar. */
  private async commit(key: string, written: WrittenFile, contentType: string | undefined): Promise<ObjectInfo> {
    const objectPath = this.objectPath(key);
    const meta: ObjectMeta = { etag: written.md5, contentType, ino: written.ino, size: written.size };

    try {
      await this.withKeyLock(key, async () => {
        await renameCreatingDirs(written.path, objectPath, key);
        await this.writeMeta(key, meta);
      });
    } catch (error) {
      await unlinkIfPresent(written.path);
      throw error;
    }

    const stats = await statIfFile(objectPath);
    return { key, size: written.size, etag: written.md5, uploaded: stats?.mtime ?? new Date(), contentType };
  }

  private async writeMeta(key: string, meta: ObjectMeta): Promise<void> {
    const tmpPath = join(this.tmpDir, `${randomUUID()}.json`);
    await writeFile(tmpPath, JSON.stringify(meta));
    await renameCreatingDirs(tmpPath, this.metaPath(key), key);
  }

  /**
   * Builds the ObjectInfo of the file version described by `stats`. A sidecar that belongs to another
   * version (a put from another process mid-rename, or a file copied in by hand) is ignored, and the etag
   * then falls back to a hash of inode, size and mtime, which stays stable while the file is unchanged.
   */
  private async describe(key: string, stats: Stats): Promise<ObjectInfo> {
    const meta = await readMeta(this.metaPath(key));
    const info: ObjectInfo = { key, size: stats.size, etag: '', uploaded: stats.mtime };

    if (meta && meta.ino === stats.ino && meta.size === stats.size) {
      info.etag = meta.etag;
      if (meta.contentType !== undefined) info.contentType = meta.contentType;
    } else {
      info.etag = createHash('md5').update(`${stats.ino}:${stats.size}:${stats.mtimeMs}`).digest('hex');
    }
    return info;
  }

  private async collectKeys(dirKey: string, keys: string[]): Promise<void> {
    const dir = dirKey === '' ? this.root : this.objectPath(dirKey);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return;
      throw error;
    }

    for (const entry of entries) {
      if (dirKey === '' && entry.name === INTERNAL_DIR) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) await this.collectKeys(key, keys);
      else if (entry.isFile()) keys.push(key);
    }
  }

  /** Removes empty directories from `dir` upwards, stopping below `stopAt` or at the first non-empty one. */
  private async pruneEmptyDirs(dir: string, stopAt: string): Promise<void> {
    while (dir.startsWith(stopAt + sep)) {
      try {
        await rmdir(dir);
      } catch (error) {
        if (isCode(error, 'ENOENT')) {
          dir = dirname(dir);
          continue;
        }
        return; // ENOTEMPTY and friends: the directory is still in use.
      }
      dir = dirname(dir);
    }
  }

  private async withKeyLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.keyLocks.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const settled = current.catch(() => {});
    this.keyLocks.set(key, settled);
    try {
      return await current;
    } finally {
      if (this.keyLocks.get(key) === settled) this.keyLocks.delete(key);
    }
  }
}

/** Throws InvalidKeyError unless the key maps to a path strictly inside the root and outside `.hlsmith`. */
function validateKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new InvalidKeyError(String(key), 'the key is empty');
  validatePathText(key);
  if (key.endsWith('/')) throw new InvalidKeyError(key, 'a key cannot end with "/"');
}

/** Validates a list() prefix: like a key, except that it may be empty or end with "/". */
function validatePrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new InvalidKeyError(String(prefix), 'the prefix is not a string');
  if (prefix === '') return;
  validatePathText(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

function validatePathText(text: string): void {
  if (new TextEncoder().encode(text).byteLength > MAX_KEY_BYTES) throw new InvalidKeyError(text, `longer than ${MAX_KEY_BYTES} bytes`);
  if (text.includes('\0')) throw new InvalidKeyError(text, 'contains a NUL character');
  if (text.includes('\\')) throw new InvalidKeyError(text, 'contains a backslash');
  if (text.startsWith('/') || /^[A-Za-z]:/.test(text)) throw new InvalidKeyError(text, 'is an absolute path');

  const segments = text.split('/');
  for (const segment of segments) {
    if (segment === '') throw new InvalidKeyError(text, 'contains an empty path segment');
    if (segment === '.' || segment === '..') throw new InvalidKeyError(text, `contains a "${segment}" segment`);
  }
  if (segments[0] === INTERNAL_DIR) throw new InvalidKeyError(text, `the "${INTERNAL_DIR}" folder is reserved for the store's own files`);
}

async function pumpStream(stream: ReadableStream<Uint8Array>, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await write(value);
    }
    finished = true;
  } finally {
    // A failed write leaves the source unread, so cancel it to let its producer stop.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Streams bytes `start`..`end` (inclusive) of an open file, closing the handle when the stream ends or is cancelled. */
function toWebStream(handle: FileHandle, start: number, end: number): ReadableStream<Uint8Array> {
  const nodeStream = handle.createReadStream({ start, end, autoClose: true });
  return Readable.toWeb(nodeStream) as unknown as ReadableStream<Uint8Array>;
}

async function renameCreatingDirs(from: string, to: string, key: string): Promise<void> {
  // A concurrent delete may prune the parent directory between mkdir and rename, hence the retries.
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(to), { recursive: true }).catch((error: unknown) => {
      if (isCode(error, 'EEXIST') || isCode(error, 'ENOTDIR')) throw keyConflict(key);
      throw error;
    });
    try {
      await rename(from, to);
      return;
    } catch (error) {
      if (isCode(error, 'EISDIR') || isCode(error, 'ENOTDIR') || isCode(error, 'ENOTEMPTY')) throw keyConflict(key);
      if (!isCode(error, 'ENOENT') || attempt === 3) throw error;
    }
  }
}

function keyConflict(key: string): InvalidKeyError {
  return new InvalidKeyError(key, 'another key already uses one of its segments as a file or as a folder, which a filesystem store cannot hold');
}

async function openIfFile(path: string): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EISDIR')) return null;
    throw error;
  }
  try {
    if ((await handle.stat()).isFile()) return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  return null;
}

async function statIfFile(path: string): Promise<Stats | null> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : null;
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return null;
    throw error;
  }
}

async function readMeta(path: string): Promise<ObjectMeta | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ObjectMeta;
  } catch (error) {
    // A missing or half-written sidecar only costs the md5 etag and the content type.
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || error instanceof SyntaxError) return null;
    throw error;
  }
}

async function readUploadState(dir: string): Promise<UploadState> {
  return JSON.parse(await readFile(join(dir, 'upload.json'), 'utf8')) as UploadState;
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!(isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EISDIR') || isCode(error, 'EPERM'))) throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
