// Upload throughput and server memory on loopback: `npm run bench` (add `-- --workers` for the Workers
// stack, `-- --size-mib 256` for a quicker run). Starts its own servers on 127.0.0.1 with temporary data
// directories, prints a table and appends the figures to docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort, projectRoot, startWorkersStack, waitForHttpOk } from './workers-stack.mjs';

const MiB = 1024 * 1024;
const SAMPLE_FILE = path.join(process.env.HLSMITH_MEDIA_DIR ?? path.resolve(projectRoot, '../shared/media'), 'camera-640x360-17s.mp4');
const BENCH_DOC = path.join(projectRoot, 'docs/benchmarks.md');

const { values: options } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'chunk-mib': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '6' },
    workers: { type: 'boolean', default: false },
    'no-transcode': { type: 'boolean', default: false },
    'clip-seconds': { type: 'string', default: '60' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const totalBytes = Number(options['size-mib']) * MiB;
const chunkBytes = Number(options['chunk-mib']) * MiB;
const concurrency = Number(options.concurrency);

// ---------------------------------------------------------------------------------------------
// Body generation: a real MP4 header (so content sniffing accepts the upload), then a 1 MiB block of
// random bytes repeated. Nothing on the path compresses, so repeating the block does not flatter the figures.

const header = existsSync(SAMPLE_FILE)
  ? new Uint8Array(readFileSync(SAMPLE_FILE).subarray(0, 4096))
  : // NOTE: without the shared samples, a minimal `ftyp` box replaces the real header.
    new Uint8Array([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomiso2')]);
const randomBlock = new Uint8Array(randomBytes(MiB));

/** Returns `length` bytes of the generated file starting at `offset`, as a new buffer. */
function fileSlice(offset, length) {
  const out = new Uint8Array(length);
  for (let written = 0; written < length; ) {
    const position = offset + written;
    let piece;
    if (position < header.length) piece = header.subarray(position, Math.min(header.length, position + length - written));
    else {
      const inBlock = position % randomBlock.length;
      piece = randomBlock.subarray(inBlock, Math.min(randomBlock.length, inBlock + length - written));
    }
    out.set(piece, written);
    written += piece.length;
  }
  return out;
}

/** Yields the generated file in 1 MiB pieces without ever holding it whole. */
function* filePieces(size) {
  for (let offset = 0; offset < size; offset += MiB) yield fileSlice(offset, Math.min(MiB, size - offset));
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

/** Samples VmRSS of `pid` every 100 ms; stop() returns the peak in bytes (and VmHWM when readable). */
function sampleRss(pid) {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      peak = Math.max(peak, rss);
      return hwm;
    } catch {
      return 0;
    }
  };
  const timer = setInterval(read, 100);
  return {
    stop() {
      clearInterval(timer);
      const hwm = read();
      return { peakRss: peak, hwm };
    },
  };
}

/** Streams `pieces` as one POST (chunked transfer) and resolves with the status and body text. */
function streamPost(url, headers, pieces) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (piece) => (text += piece));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    (async () => {
      for (const piece of pieces) {
        if (!req.write(piece)) await new Promise((resume) => req.once('drain', resume));
      }
      req.end();
    })().catch(reject);
  });
}

async function json(url, init = {}) {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} failed with HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

const mbPerSecond = (bytes, ms) => bytes / 1e6 / (ms / 1000);

// ---------------------------------------------------------------------------------------------
// Benchmarks

/** (a) Raw loopback: a Node HTTP server that discards a streamed body of `size` bytes. */
async function loopbackBaseline(size) {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.end('ok'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const started = performance.now();
  await streamPost(url, { 'Content-Type': 'application/octet-stream' }, filePieces(size));
  const ms = performance.now() - started;
  server.close();
  return { name: 'loopback baseline (Node http, discard)', bytes: size, ms };
}

async function registerUser(baseUrl) {
  const suffix = crypto.randomUUID().slice(0, 8);
  const body = await json(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: `bench_${suffix}`, email: `bench_${suffix}@example.test`, password: `bench-${suffix}` }),
  });
  return { Authorization: `Bearer ${body.data.token}` };
}

/** (b) Chunked upload: init, `concurrency` chunk requests in flight, complete. */
async function chunkedUpload(baseUrl, auth, size, chunkSize, inFlight) {
  const started = performance.now();
  const init = await json(`${baseUrl}/api/upload/init`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename: 'bench.mp4', fileSize: size, chunkSize }),
  });
  const { id, total_chunks: totalChunks } = init.data;

  let next = 0;
  const worker = async () => {
    while (next < totalChunks) {
      const n = next++;
      const form = new FormData();
      form.append('uploadId', id);
      form.append('chunkNumber', String(n));
      form.append('chunk', new Blob([fileSlice(n * chunkSize, Math.min(chunkSize, size - n * chunkSize))]), 'blob');
      await json(`${baseUrl}/api/upload/chunk`, { method: 'POST', headers: auth, body: form });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const done = await json(`${baseUrl}/api/upload/complete`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ uploadId: id, title: 'Bench chunked' }),
  });
  if (done.data.file_size !== size) throw new Error(`Chunked upload stored ${done.data.file_size} bytes, expected ${size}`);
  return { name: `chunked upload (${chunkSize / MiB} MiB chunks, ${inFlight} in flight)`, bytes: size, ms: performance.now() - started };
}

/** (c) One multipart/form-data request carrying the whole file. */
async function singleUpload(baseUrl, auth, size) {
  const boundary = `bench-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  function* body() {
    yield encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBench single\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    yield* filePieces(size);
    yield encoder.encode(`\r\n--${boundary}--\r\n`);
  }
  const started = performance.now();
  const res = await streamPost(`${baseUrl}/api/videos/upload`, { ...auth, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body());
  const ms = performance.now() - started;
  if (res.status !== 201) throw new Error(`Single upload failed with HTTP ${res.status}: ${res.text}`);
  return { name: 'single multipart upload', bytes: size, ms };
}

/**
 * Times the transcoding engine on a 60 s 1080p H.264 + AAC clip (made once with Debian's ffmpeg, which
 * must be installed) to 720p medium, against native ffmpeg with the same arguments, and reads the
 * engine process's peak RSS. Returns a Markdown table.
 */
export async function transcoderBenchmarks() {
  const clip = path.join(os.tmpdir(), `hlsmith-bench-1080p-${options['clip-seconds']}s.mp4`);
  if (!existsSync(clip)) {
    console.log(`Making ${clip} with Debian's ffmpeg`);
    await run('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${options['clip-seconds']}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${options['clip-seconds']}`,
      '-c:v', 'libx264', '-preset', 'fast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip,
    ]);
  }
  console.log('Transcoding it with the engine, then with native ffmpeg (a few minutes)');
  const output = await run(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'transcoder/bench/engine-bench.ts'), clip, '720p', 'medium', '--native', '--json']);
  const figures = JSON.parse(output.trim().split('\n').pop());
  const ratio = figures.engineSeconds / figures.nativeSeconds;
  return [
    `| transcode (${options['clip-seconds']} s 1080p H.264 → 720p HLS, medium) | seconds | × native | peak RSS (MiB) |`,
    '| --- | ---: | ---: | ---: |',
    `| engine (ffmpeg.wasm in a worker thread) | ${figures.engineSeconds.toFixed(1)} | ${ratio.toFixed(1)} | ${figures.peakRssMb} |`,
    `| native ffmpeg, same arguments | ${figures.nativeSeconds.toFixed(1)} | 1.0 | – |`,
  ].join('\n');
}

/** Runs a command to its end and returns its standard output; rejects with its standard error. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// Servers

async function startNodeServer(dataDir) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/entry/node.ts')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TRANSCODER: 'off',
      LOG_LEVEL: 'warn',
      MAX_UPLOAD_BYTES: String(64 * 1024 * MiB),
      JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const service = { name: 'node server', logFile: '(stderr)', exitStatus: () => (child.exitCode === null ? null : { code: child.exitCode }) };
  await waitForHttpOk(`${url}/api/health`, service, 60_000);
  return {
    url,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), delay(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs one upload benchmark with RSS sampling of `pid`. */
async function measured(pid, run) {
  const sampler = sampleRss(pid);
  try {
    const row = await run();
    const { peakRss, hwm } = sampler.stop();
    return { ...row, peakRss, hwm };
  } catch (error) {
    sampler.stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function formatRows(rows) {
  const lines = ['| benchmark | MB/s | seconds | server peak RSS (MiB) |', '| --- | ---: | ---: | ---: |'];
  for (const row of rows) {
    const rss = row.peakRss ? (Math.max(row.peakRss, row.hwm ?? 0) / MiB).toFixed(0) : '–';
    lines.push(`| ${row.name} | ${mbPerSecond(row.bytes, row.ms).toFixed(1)} | ${(row.ms / 1000).toFixed(2)} | ${rss} |`);
  }
  return lines.join('\n');
}

async function main() {
  const rows = [];
  const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
  console.log(`Machine: ${machine}`);
  console.log(`Body: ${totalBytes / MiB} MiB generated on the fly\n`);

  rows.push(await loopbackBaseline(totalBytes));
  console.log(formatRows(rows.slice(-1)));

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hlsmith-bench-'));
  const server = await startNodeServer(dataDir);
  try {
    const auth = await registerUser(server.url);
    const chunked = await measured(server.pid, () => chunkedUpload(server.url, auth, totalBytes, chunkBytes, concurrency));
    rows.push({ ...chunked, name: `Node: ${chunked.name}` });
    console.log(formatRows(rows.slice(-1)).split('\n').pop());
    // A fresh server keeps the peak RSS of the single upload separate from the chunked run's.
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const singleDir = mkdtempSync(path.join(os.tmpdir(), 'hlsmith-bench-'));
  const singleServer = await startNodeServer(singleDir);
  try {
    const auth = await registerUser(singleServer.url);
    const single = await measured(singleServer.pid, () => singleUpload(singleServer.url, auth, totalBytes));
    rows.push({ ...single, name: `Node: ${single.name}` });
    console.log(formatRows(rows.slice(-1)).split('\n').pop());
  } finally {
    await singleServer.stop();
    rmSync(singleDir, { recursive: true, force: true });
  }

  if (options.workers) {
    const workersDir = mkdtempSync(path.join(os.tmpdir(), 'hlsmith-bench-workers-'));
    const stack = await startWorkersStack({
      dataDir: workersDir,
      vars: { JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(), MAX_UPLOAD_BYTES: String(64 * 1024 * MiB) },
      log: (message) => console.log(`[workers] ${message}`),
    });
    try {
      const auth = await registerUser(stack.url);
      // NOTE: no RSS figure here, because workerd runs as several processes under wrangler.
      const chunked = await chunkedUpload(stack.url, auth, totalBytes, chunkBytes, concurrency);
      rows.push({ ...chunked, name: `Workers (wrangler dev + sqld): ${chunked.name}` });
    } finally {
      await stack.stop();
      rmSync(workersDir, { recursive: true, force: true });
    }
  }

  let table = formatRows(rows);
  if (!options['no-transcode']) table += `\n\n${await transcoderBenchmarks()}`;
  console.log(`\n${table}`);

  if (!options['no-doc']) {
    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
    mkdirSync(path.dirname(BENCH_DOC), { recursive: true });
    if (!existsSync(BENCH_DOC)) {
      writeFileSync(
        BENCH_DOC,
        '# Benchmarks\n\nFigures from `scripts/bench.mjs`, newest last. Every run is on loopback (127.0.0.1), so the network ' +
          'is not the limit; the loopback baseline row is the same machine copying the same body through a Node ' +
          'HTTP server that discards it. Peak RSS is the Node server process, sampled from /proc every 100 ms.\n',
      );
    }
    appendFileSync(BENCH_DOC, `\n## ${new Date().toISOString().slice(0, 10)}\n\n- Machine: ${machine}\n- Command: \`${command}\`\n- Body: ${totalBytes / MiB} MiB\n\n${table}\n`);
    console.log(`\nAppended to ${path.relative(projectRoot, BENCH_DOC)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
