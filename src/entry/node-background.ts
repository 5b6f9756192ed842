import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Deps } from '../env.js';
import { describeError } from '../lib/logger.js';
import { runScheduledCleanup } from '../services/maintenance.js';

export interface BackgroundOptions {
  deps: Deps;
  apiUrl: string;
  projectRoot: string;
  dataDir: string;
  onNextCleanup(at: Date): void;
}

/** Starts the periodic cleanup timer and, unless TRANSCODER=off, a transcoder process beside the API. */
export function startBackgroundTasks(options: BackgroundOptions) {
  const { deps } = options;
  const intervalMs = deps.config.CLEANUP_INTERVAL_SECONDS * 1000;
  options.onNextCleanup(new Date(Date.now() + intervalMs));

  const timer = setInterval(() => {
    options.onNextCleanup(new Date(Date.now() + intervalMs));
    runScheduledCleanup(deps).catch((error) => deps.logger.log('error', 'Scheduled cleanup failed', describeError(error)));
  }, intervalMs);
  timer.unref();

  const transcoder = process.env.TRANSCODER === 'off' ? null : superviseTranscoder(options);

  return {
    async stop() {
      clearInterval(timer);
      await transcoder?.stop();
    },
  };
}

/**
 * Runs one transcoder CLI as a child process, registered with the deployment's registration token,
 * and starts it again (after a pause) if it exits on its own.
 */
function superviseTranscoder(options: BackgroundOptions) {
  const { deps } = options;
  const require = createRequire(import.meta.url);
  const cli = path.join(options.projectRoot, 'transcoder', 'src', 'cli.ts');
  let child: ChildProcess | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;

  const start = () => {
    child = spawn(process.execPath, ['--import', require.resolve('tsx'), cli], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        HLSMITH_API_URL: options.apiUrl,
        HLSMITH_REGISTRATION_TOKEN: deps.config.RUNNER_REGISTRATION_TOKEN,
        HLSMITH_RUNNER_NAME: process.env.HLSMITH_RUNNER_NAME ?? 'embedded',
      },
    });
    deps.logger.log('info', 'Transcoder started', { pid: child.pid });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      deps.logger.log('warn', 'Transcoder exited; restarting in 5 s', { code, signal });
      restartTimer = setTimeout(start, 5000);
    });
  };
  start();

  return {
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
