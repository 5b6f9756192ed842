// `npm run dev`: the Workers build on this machine (wrangler dev with simulated R2, plus sqld), with
// its state under DATA_DIR (default ./data/workers) so users, videos and objects survive restarts.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { projectRoot, startWorkersStack } from './workers-stack.mjs';

function log(message) {
  console.log(`[dev] ${message}`);
}

/** Reads a secret kept in `file`, generating it on first start; the file is readable by its owner only. */
function persistentSecret(file, bytes) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Reads the developer's .dev.vars, wrangler's file for local secrets and settings. The stack passes
 * settings to wrangler through its own file, so without this .dev.vars would be ignored.
 */
function readDevVars() {
  const file = path.join(projectRoot, '.dev.vars');
  if (!existsSync(file)) return {};
  const vars = parseEnv(readFileSync(file, 'utf8'));
  if ('DATABASE_URL' in vars) {
    log('Ignoring DATABASE_URL from .dev.vars: `npm run dev` always uses its own sqld under DATA_DIR');
    delete vars.DATABASE_URL;
  }
  log(`Using settings from ${file}: ${Object.keys(vars).join(', ') || '(none)'}`);
  return vars;
}

/**
 * Starts the stack and, when `startTranscoder` is given, a transcoder beside it; both stop on
 * SIGINT or SIGTERM. `startTranscoder({ apiUrl, dataDir, runnerRegistrationToken })` must return
 * an object with an async stop().
 */
export async function runDevStack({ startTranscoder } = {}) {
  const port = Number(process.env.PORT ?? 3001);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT must be a TCP port number, got ${process.env.PORT}`);
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(projectRoot, 'data', 'workers'));
  mkdirSync(dataDir, { recursive: true });

  const vars = {
    JWT_SECRET: persistentSecret(path.join(dataDir, 'jwt-secret'), 48),
    RUNNER_REGISTRATION_TOKEN: persistentSecret(path.join(dataDir, 'runner-registration-token'), 32),
    ...readDevVars(),
  };

  const running = [];
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, stopping`);
    for (const service of running.reverse()) await service.stop();
    process.exit(0);
  };
  // Registered before anything starts: a signal's default action would skip the 'exit' hooks that
  // kill the process groups of sqld and wrangler, and leave them running.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const stack = await startWorkersStack({ port, dataDir, vars, log });
  running.push(stack);
  if (startTranscoder) {
    running.push(await startTranscoder({ apiUrl: stack.url, dataDir, runnerRegistrationToken: vars.RUNNER_REGISTRATION_TOKEN }));
  }

  log(`HLSmith (Workers runtime) is running at ${stack.url}; data in ${dataDir}; press Ctrl-C to stop`);
}

/** Runs one transcoder CLI against the Worker, as `npm start` does beside the Node server. */
function startTranscoder({ apiUrl, runnerRegistrationToken }) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'transcoder', 'src', 'cli.ts')], {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, HLSMITH_API_URL: apiUrl, HLSMITH_REGISTRATION_TOKEN: runnerRegistrationToken, HLSMITH_RUNNER_NAME: 'dev' },
  });
  log(`Transcoder started (pid ${child.pid})`);
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const transcoderWanted = process.env.TRANSCODER !== 'off';
runDevStack(transcoderWanted ? { startTranscoder } : {}).catch((error) => {
  console.error(`[dev] Could not start the Workers stack: ${error.stack ?? error}`);
  process.exit(1);
});
