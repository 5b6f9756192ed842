// Starts transcoder runners as separate processes, exactly as the README runs one by hand.
import path from 'node:path';
import { projectRoot, spawnService } from '../../scripts/workers-stack.mjs';

export const TRANSCODER_BIN = path.join(projectRoot, 'transcoder', 'bin', 'hlsmith-transcoder.mjs');

export interface RunnerProcess {
  pid: number;
  logFile: string;
  stop(): Promise<void>;
  /** Ends the process at once with SIGKILL, as a crash or an OOM kill would. */
  kill(): Promise<void>;
  /** True while the process has not exited. */
  alive(): boolean;
}

export function startTranscoder(options: { apiUrl: string; registrationToken: string; name: string; logDir: string; env?: Record<string, string> }): RunnerProcess {
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const service = spawnService({
    name: options.name,
    command: process.execPath,
    args: [TRANSCODER_BIN],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HLSMITH_API_URL: options.apiUrl,
      HLSMITH_REGISTRATION_TOKEN: options.registrationToken,
      HLSMITH_RUNNER_NAME: options.name,
      HLSMITH_POLL_INTERVAL_MS: '500',
      LOG_FORMAT: 'json',
      ...options.env,
    },
    logFile,
  });
  return {
    pid: service.pid!,
    logFile,
    stop: () => service.stop(),
    alive: () => service.exitStatus() === null,
    async kill() {
      process.kill(-service.pid!, 'SIGKILL');
      await service.exited;
    },
  };
}
