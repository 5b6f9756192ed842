// hlsmith-transcoder: a runner that turns HLSmith uploads into HLS with ffmpeg.wasm.
// Configuration comes from flags or environment variables; `--help` lists them.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { errorMessage, log } from './log.js';
import { startRunner } from './runner.js';

const HELP = `Usage: hlsmith-transcoder [options]

Options (each also read from the environment variable shown):
  --api URL               HLSmith API base URL (HLSMITH_API_URL, default http://127.0.0.1:3001)
  --registration-token T  token to register this runner (HLSMITH_REGISTRATION_TOKEN)
  --runner-token T        token of an already registered runner (HLSMITH_RUNNER_TOKEN)
  --name NAME             runner name shown in logs (HLSMITH_RUNNER_NAME, default the host name)
  --concurrency N         jobs run at once, one worker thread each (HLSMITH_CONCURRENCY, default 1)
  --poll-interval MS      wait between claims when the queue is empty (HLSMITH_POLL_INTERVAL_MS, default 2000)
  --job-timeout MS        a transcode running longer is ended and reported failed (HLSMITH_JOB_TIMEOUT_MS, default 3600000)
  --shutdown-grace MS     on SIGTERM, wait this long for running jobs before releasing them (HLSMITH_SHUTDOWN_GRACE_MS, default 30000)
  --work-dir DIR          where sources and outputs are kept while a job runs (HLSMITH_WORK_DIR, default the OS temp dir)
  --help                  show this text
`;

function positiveInteger(value: string | undefined, fallback: number, name: string) {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return parsed;
}

async function main() {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      'registration-token': { type: 'string' },
      'runner-token': { type: 'string' },
      name: { type: 'string' },
      concurrency: { type: 'string' },
      'poll-interval': { type: 'string' },
      'job-timeout': { type: 'string' },
      'shutdown-grace': { type: 'string' },
      'work-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const env = process.env;
  const runner = await startRunner({
    apiUrl: values.api ?? env.HLSMITH_API_URL ?? 'http://127.0.0.1:3001',
    registrationToken: values['registration-token'] ?? env.HLSMITH_REGISTRATION_TOKEN,
    runnerToken: values['runner-token'] ?? env.HLSMITH_RUNNER_TOKEN,
    name: values.name ?? env.HLSMITH_RUNNER_NAME ?? os.hostname(),
    concurrency: positiveInteger(values.concurrency ?? env.HLSMITH_CONCURRENCY, 1, '--concurrency'),
    pollIntervalMs: positiveInteger(values['poll-interval'] ?? env.HLSMITH_POLL_INTERVAL_MS, 2000, '--poll-interval'),
    jobTimeoutMs: positiveInteger(values['job-timeout'] ?? env.HLSMITH_JOB_TIMEOUT_MS, 3_600_000, '--job-timeout'),
    shutdownGraceMs: positiveInteger(values['shutdown-grace'] ?? env.HLSMITH_SHUTDOWN_GRACE_MS, 30_000, '--shutdown-grace'),
    workDir: values['work-dir'] || env.HLSMITH_WORK_DIR || undefined,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('Stopping: no new jobs will be claimed', { signal });
    runner.stop().then(
      () => process.exit(0),
      (error) => {
        log.error('Stop failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  // A bug in one job must not end the runner and every other job with it.
  process.on('unhandledRejection', (reason) => log.error('Unhandled rejection in the runner', { error: errorMessage(reason) }));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  log.error('Transcoder could not start', { error: errorMessage(error) });
  process.exit(1);
});
