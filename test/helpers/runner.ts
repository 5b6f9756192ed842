// Drives the runner protocol the way a transcoder does, so API tests can move jobs through the queue
// without waiting for ffmpeg. Every call goes through the real HTTP API.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { api, authHeader, registerUser, type ApiResponse } from './api.js';

// The sample videos are kept in shared/media beside the repository; HLSMITH_MEDIA_DIR points elsewhere.
export const MEDIA_DIR = process.env.HLSMITH_MEDIA_DIR ?? fileURLToPath(new URL('../../../shared/media/', import.meta.url));
export const SAMPLE_VIDEO = `${MEDIA_DIR}bear-vp9-161x121.webm`;

export interface TestRunner {
  token: string;
  runnerId: number;
  call(path: string, init?: { method?: string; json?: unknown; lease?: string; body?: BodyInit; headers?: Record<string, string> }): Promise<ApiResponse>;
}

export async function registerRunner(name = 'test-runner'): Promise<TestRunner> {
  const res = await api('/api/runners/register', {
    method: 'POST',
    json: { registrationToken: inject('runnerRegistrationToken'), name },
  });
  if (res.status !== 201) throw new Error(`Runner registration failed with HTTP ${res.status}: ${res.text}`);
  const { runnerToken, runnerId } = res.body.data;
  return {
    token: runnerToken,
    runnerId,
    call(path, init = {}) {
      const headers: Record<string, string> = { ...authHeader(runnerToken), ...init.headers };
      if (init.lease) headers['X-Lease-Id'] = init.lease;
      return api(path, { method: init.method ?? 'POST', json: init.json, body: init.body, headers });
    },
  };
}

export interface ClaimedJob {
  id: number;
  leaseId: string;
  videoId: number;
  leaseSeconds: number;
  quality: string;
  resolution: string;
  attempt: number;
}

/**
 * Claims the pending job of one video; returns null when there is none to claim. The lease is short
 * (20 s unless given), so a job a test leaves behind frees its concurrency slot soon.
 */
export async function claimFor(runner: TestRunner, videoId: number, leaseSeconds = 20): Promise<ClaimedJob | null> {
  const res = await runner.call('/api/runners/jobs/claim', { json: { videoId, leaseSeconds } });
  if (res.status !== 200) throw new Error(`Claim failed with HTTP ${res.status}: ${res.text}`);
  return res.body.data.job;
}

/** Uploads a small real video for a fresh or given user and returns the video and the user. */
export async function uploadSample(user?: Awaited<ReturnType<typeof registerUser>>, title = 'Queue sample') {
  const owner = user ?? (await registerUser());
  const form = new FormData();
  form.set('title', title);
  form.set('video', new Blob([readFileSync(SAMPLE_VIDEO)], { type: 'video/webm' }), 'bear.webm');
  const res = await api('/api/videos/upload', { method: 'POST', body: form, headers: authHeader(owner.token) });
  if (res.status !== 201) throw new Error(`Upload failed with HTTP ${res.status}: ${res.text}`);
  return { user: owner, video: res.body.data as { id: number; status: string } };
}

/** Gives a claimed job back to the queue, freeing its concurrency slot. */
export async function release(runner: TestRunner, job: ClaimedJob) {
  await runner.call(`/api/runners/jobs/${job.id}/release`, { lease: job.leaseId });
}

/** Uploads the given outputs for a claimed job; names are playlist.m3u8, segment_NNN.ts or thumbnail.jpg. */
export async function putOutputs(runner: TestRunner, job: ClaimedJob, files: Record<string, Uint8Array | string>) {
  for (const [name, content] of Object.entries(files)) {
    const res = await runner.call(`/api/runners/jobs/${job.id}/files/${name}`, {
      method: 'PUT',
      lease: job.leaseId,
      body: typeof content === 'string' ? content : new Blob([new Uint8Array(content)]),
    });
    if (res.status !== 200) throw new Error(`Uploading ${name} failed with HTTP ${res.status}: ${res.text}`);
  }
}

/** Logs in as the configured admin, registering the account on first use (other test files may race to it). */
export async function adminToken() {
  const email = inject('adminEmail');
  const password = 'admin-password-123';
  const register = await api('/api/auth/register', { method: 'POST', json: { username: 'admin', email, password } });
  if (register.status === 201) return register.body.data.token as string;
  const login = await api('/api/auth/login', { method: 'POST', json: { email, password } });
  if (login.status !== 200) throw new Error(`Admin login failed with HTTP ${login.status}: ${login.text}`);
  return login.body.data.token as string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
