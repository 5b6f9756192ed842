// Settings of the servers the end-to-end projects run against: the API suite's, with a short retry
// backoff so broken files reach `failed` within seconds, and room for two runners.
import { serverSettings } from './settings.js';

export const e2eSettings: Record<string, string> = {
  ...serverSettings,
  JOB_RETRY_BASE_SECONDS: '1',
  JOB_LEASE_SECONDS: '30',
  DEFAULT_MAX_CONCURRENT: '4',
};

/** Runners beside each end-to-end server; the machines have 2 cores and ffmpeg.wasm uses one each. */
export const E2E_RUNNERS = 2;
