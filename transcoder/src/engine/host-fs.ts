// Emscripten file systems that pass ffmpeg's reads and writes straight to host files.
//
// The core (@ffmpeg/core 0.12.10, Emscripten 3.1.40) has only MEMFS and WORKERFS compiled in.
// MEMFS would hold the whole source and every output in wasm memory, and WORKERFS needs the
// browser's FileReaderSync. These mounts keep memory flat whatever the file sizes: ffmpeg's
// avio buffers are the only copies.
import fs from 'node:fs';
import path from 'node:path';

// Emscripten errno values (they follow WASI, not Linux).
const ERRNO = { EACCES: 2, EBADF: 8, EEXIST: 20, EINVAL: 28, EIO: 29, EISDIR: 31, ENOSPC: 51, ENOENT: 44, ENOTDIR: 54, EPERM: 63 };
const HOST_ERRNO: Record<string, number> = { ENOENT: ERRNO.ENOENT, EEXIST: ERRNO.EEXIST, EACCES: ERRNO.EACCES, EISDIR: ERRNO.EISDIR, ENOSPC: ERRNO.ENOSPC };

const DIRECTORY_MODE = 0o040777;
const READ_ONLY_FILE_MODE = 0o100444;
const FILE_MODE = 0o100666;
const O_ACCMODE = 3;
const O_RDONLY = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;

/** The part of Emscripten's FS object these mounts use. */
export interface EmscriptenFS {
  createNode(parent: FsNode | null, name: string, mode: number, rdev?: number): FsNode;
  mount(type: { mount(mount: unknown): FsNode }, opts: object, mountPoint: string): FsNode;
  mkdir(path: string): void;
  lookupNode(parent: FsNode, name: string): FsNode;
  hashRemoveNode(node: FsNode): void;
  isFile(mode: number): boolean;
  ErrnoError: new (errno: number) => Error;
}

export interface FsNode {
  id: number;
  name: string;
  mode: number;
  parent: FsNode;
  node_ops: object;
  stream_ops: object;
}

interface FsStream {
  node: FsNode;
  flags: number;
  position: number;
  hostFd?: number;
}

/**
 * Registry of the file descriptors the worker has open, kept in shared memory. Ending a worker
 * does not close descriptors opened with `fs.openSync`, because they belong to the process, so
 * the main thread closes what a terminated worker left open.
 */
export class OpenFileLedger {
  readonly slots: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer);
  }

  static createBuffer(capacity = 64): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(capacity * Int32Array.BYTES_PER_ELEMENT);
    new Int32Array(buffer).fill(-1);
    return buffer;
  }

  open(hostPath: string, flags: string): number {
    const fd = fs.openSync(hostPath, flags);
    for (let slot = 0; slot < this.slots.length; slot++) {
      if (Atomics.compareExchange(this.slots, slot, -1, fd) === -1) return fd;
    }
    fs.closeSync(fd);
    throw new Error(`More than ${this.slots.length} files open at once in one ffmpeg run`);
  }

  close(fd: number) {
    // The slot is cleared before the close: if the worker ends in between, a descriptor leaks,
    // which is better than the main thread later closing a number the process has reused.
    const slot = this.slots.indexOf(fd);
    if (slot >= 0) Atomics.store(this.slots, slot, -1);
    fs.closeSync(fd);
  }

  /** Close every descriptor still recorded. Only for the main thread, after the worker has exited. */
  closeLeftovers() {
    for (let slot = 0; slot < this.slots.length; slot++) {
      const fd = Atomics.exchange(this.slots, slot, -1);
      if (fd === -1) continue;
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed: the worker ended between its close and the slot update.
      }
    }
  }
}

/** Mount `hostPath` read-only as the only file `fileName` of a new directory `mountPoint`. */
export function mountSourceFile(FS: EmscriptenFS, ledger: OpenFileLedger, mountPoint: string, fileName: string, hostPath: string) {
  const fail = (errno: number) => new FS.ErrnoError(errno);

  const streamOps = {
    open(stream: FsStream) {
      if ((stream.flags & O_ACCMODE) !== O_RDONLY) throw fail(ERRNO.EPERM);
      stream.hostFd = callHost(FS, () => ledger.open(hostPath, 'r'));
    },
    close(stream: FsStream) {
      closeHostFile(FS, ledger, stream);
    },
    read(stream: FsStream, buffer: Int8Array, offset: number, length: number, position: number) {
      return callHost(FS, () => fs.readSync(requireFd(FS, stream), buffer, offset, length, position));
    },
    llseek: (stream: FsStream, offset: number, whence: number) => seekPosition(FS, stream, offset, whence),
  };

  const nodeOps = {
    getattr: (node: FsNode) => nodeAttributes(FS, node, node === root ? null : hostPath),
    setattr() {
      // ffmpeg never changes the source; mode and time updates are ignored.
    },
    lookup() {
      throw fail(ERRNO.ENOENT);
    },
    mknod() {
      throw fail(ERRNO.EPERM);
    },
    rename() {
      throw fail(ERRNO.EPERM);
    },
    unlink() {
      throw fail(ERRNO.EPERM);
    },
    rmdir() {
      throw fail(ERRNO.EPERM);
    },
    readdir: () => ['.', '..', fileName],
    symlink() {
      throw fail(ERRNO.EPERM);
    },
  };

  let root: FsNode;
  const type = {
    mount() {
      root = createNode(FS, null, '/', DIRECTORY_MODE, nodeOps, streamOps);
      createNode(FS, root, fileName, READ_ONLY_FILE_MODE, nodeOps, streamOps);
      return root;
    },
  };

  FS.mkdir(mountPoint);
  FS.mount(type, {}, mountPoint);
}

/**
 * Mount the host directory `hostDir` at `mountPoint` for ffmpeg's outputs. Only plain files
 * directly inside it are supported. `onFileWritten(name)` runs when a stream that was open
 * for writing is closed.
 */
export function mountOutputDirectory(
  FS: EmscriptenFS,
  ledger: OpenFileLedger,
  mountPoint: string,
  hostDir: string,
  onFileWritten: (name: string) => void,
) {
  const fail = (errno: number) => new FS.ErrnoError(errno);
  const hostPathOf = (node: FsNode) => path.join(hostDir, node.name);

  const streamOps = {
    open(stream: FsStream) {
      // FS.open has already created the file through mknod and truncated it through setattr.
      const flags = (stream.flags & O_ACCMODE) === O_RDONLY ? 'r' : 'r+';
      stream.hostFd = callHost(FS, () => ledger.open(hostPathOf(stream.node), flags));
    },
    close(stream: FsStream) {
      closeHostFile(FS, ledger, stream);
      if ((stream.flags & O_ACCMODE) !== O_RDONLY) onFileWritten(stream.node.name);
    },
    read(stream: FsStream, buffer: Int8Array, offset: number, length: number, position: number) {
      return callHost(FS, () => fs.readSync(requireFd(FS, stream), buffer, offset, length, position));
    },
    write(stream: FsStream, buffer: Int8Array, offset: number, length: number, position: number) {
      return callHost(FS, () => fs.writeSync(requireFd(FS, stream), buffer, offset, length, position));
    },
    llseek: (stream: FsStream, offset: number, whence: number) => seekPosition(FS, stream, offset, whence),
  };

  const nodeOps = {
    getattr: (node: FsNode) => nodeAttributes(FS, node, node === root ? hostDir : hostPathOf(node)),
    setattr(node: FsNode, attributes: { size?: number }) {
      if (attributes.size !== undefined) callHost(FS, () => fs.truncateSync(hostPathOf(node), attributes.size));
    },
    lookup(parent: FsNode, name: string) {
      const stats = callHost(FS, () => fs.statSync(path.join(hostDir, name)));
      if (!stats.isFile()) throw fail(ERRNO.EPERM);
      return createNode(FS, parent, name, FILE_MODE, nodeOps, streamOps);
    },
    mknod(parent: FsNode, name: string, mode: number) {
      if (!FS.isFile(mode)) throw fail(ERRNO.EPERM);
      callHost(FS, () => fs.closeSync(fs.openSync(path.join(hostDir, name), 'w')));
      return createNode(FS, parent, name, FILE_MODE, nodeOps, streamOps);
    },
    rename(node: FsNode, newParent: FsNode, newName: string) {
      callHost(FS, () => fs.renameSync(hostPathOf(node), path.join(hostDir, newName)));
      forgetCachedNode(FS, newParent, newName);
      node.name = newName;
    },
    unlink(_parent: FsNode, name: string) {
      callHost(FS, () => fs.unlinkSync(path.join(hostDir, name)));
    },
    rmdir() {
      throw fail(ERRNO.EPERM);
    },
    readdir: () => ['.', '..', ...callHost(FS, () => fs.readdirSync(hostDir))],
    symlink() {
      throw fail(ERRNO.EPERM);
    },
  };

  let root: FsNode;
  const type = {
    mount() {
      root = createNode(FS, null, '/', DIRECTORY_MODE, nodeOps, streamOps);
      return root;
    },
  };

  FS.mkdir(mountPoint);
  FS.mount(type, {}, mountPoint);
}

function createNode(FS: EmscriptenFS, parent: FsNode | null, name: string, mode: number, nodeOps: object, streamOps: object) {
  const node = FS.createNode(parent, name, mode);
  node.node_ops = nodeOps;
  node.stream_ops = streamOps;
  return node;
}

/** Drop the cached node a rename replaces, so later lookups reach the renamed node. */
function forgetCachedNode(FS: EmscriptenFS, parent: FsNode, name: string) {
  try {
    FS.hashRemoveNode(FS.lookupNode(parent, name));
  } catch {
    // Nothing cached under that name.
  }
}

/** Build a stat result from the host file; directories without a host path report size 0. */
function nodeAttributes(FS: EmscriptenFS, node: FsNode, hostPath: string | null) {
  const stats = hostPath === null ? null : callHost(FS, () => fs.statSync(hostPath));
  const size = stats?.isFile() ? stats.size : 4096;
  const time = stats?.mtime ?? new Date(0);
  return {
    dev: 1,
    ino: node.id,
    mode: node.mode,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size,
    atime: time,
    mtime: time,
    ctime: time,
    blksize: 4096,
    blocks: Math.ceil(size / 4096),
  };
}

function seekPosition(FS: EmscriptenFS, stream: FsStream, offset: number, whence: number) {
  let position = offset;
  if (whence === SEEK_CUR) position += stream.position;
  if (whence === SEEK_END) position += callHost(FS, () => fs.fstatSync(requireFd(FS, stream)).size);
  if (position < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
  return position;
}

function closeHostFile(FS: EmscriptenFS, ledger: OpenFileLedger, stream: FsStream) {
  const fd = requireFd(FS, stream);
  stream.hostFd = undefined;
  callHost(FS, () => ledger.close(fd));
}

function requireFd(FS: EmscriptenFS, stream: FsStream) {
  if (stream.hostFd === undefined) throw new FS.ErrnoError(ERRNO.EBADF);
  return stream.hostFd;
}

/** Run a host file call, turning its Node error into the errno ffmpeg expects. */
function callHost<T>(FS: EmscriptenFS, call: () => T): T {
  try {
    return call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FS.ErrnoError((code && HOST_ERRNO[code]) || ERRNO.EIO);
  }
}
