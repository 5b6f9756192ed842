// HTTP client for the HLSmith runner protocol (see the README's "Transcoder protocol" section).
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ClaimedJob {
  id: number;
  leaseId: string;
  leaseSeconds: number;
  videoId: number;
  quality: 'low' | 'medium' | 'high';
  resolution: '480p' | '720p' | '1080p';
  attempt: number;
  source: { size: number; mimeType: string; url: string };
}

/** An error response of the API, with its HTTP status and the envelope's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the job is no longer this runner's (lease lost, job or video deleted): stop working on it. */
  get jobGone() {
    return this.status === 409 || this.status === 404;
  }
}

const LEASE_HEADER = 'X-Lease-Id';

export class RunnerApi {
  constructor(
    readonly baseUrl: string,
    private runnerToken?: string,
  ) {}

  private async request(path: string, init: RequestInit & { lease?: string } = {}) {
    const headers = new Headers(init.headers);
    if (this.runnerToken) headers.set('Authorization', `Bearer ${this.runnerToken}`);
    if (init.lease) headers.set(LEASE_HEADER, init.lease);
    const response = await fetch(new URL(path, this.baseUrl), { ...init, headers });
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new ApiError(response.status, body?.error?.code ?? 'HTTP_ERROR', body?.error?.message ?? `HTTP ${response.status} on ${path}`);
    }
    return response;
  }

  private async json<T>(path: string, body: unknown, lease?: string): Promise<T> {
    const response = await this.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      lease,
    });
    const envelope = (await response.json()) as { data: T };
    return envelope.data;
  }

  async register(registrationToken: string, name: string) {
    const data = await this.json<{ runnerId: number; runnerToken: string }>('/api/runners/register', { registrationToken, name });
    this.runnerToken = data.runnerToken;
    return data;
  }

  async claim(options: { videoId?: number; leaseSeconds?: number } = {}) {
    const data = await this.json<{ job: ClaimedJob | null }>('/api/runners/jobs/claim', options);
    return data.job;
  }

  async heartbeat(job: ClaimedJob, progress?: number) {
    await this.json(`/api/runners/jobs/${job.id}/heartbeat`, progress === undefined ? {} : { progress }, job.leaseId);
  }

  /**
   * Streams the job's source to `target`. After a dropped connection it resumes with a Range request
   * from the bytes already written, up to `attempts` times.
   */
  async downloadSource(job: ClaimedJob, target: string, attempts = 5) {
    for (let attempt = 1; ; attempt++) {
      const have = await stat(target).then((info) => info.size, () => 0);
      if (have >= job.source.size) return;
      try {
        const response = await this.request(job.source.url, {
          lease: job.leaseId,
          headers: have > 0 ? { Range: `bytes=${have}-` } : {},
        });
        const append = have > 0 && response.status === 206;
        await pipeline(Readable.fromWeb(response.body as never), createWriteStream(target, { flags: append ? 'a' : 'w' }));
      } catch (error) {
        if (error instanceof ApiError || attempt >= attempts) throw error;
      }
    }
  }

  async uploadFile(job: ClaimedJob, name: string, path: string) {
    const { size } = await stat(path);
    await this.request(`/api/runners/jobs/${job.id}/files/${name}`, {
      method: 'PUT',
      lease: job.leaseId,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      body: Readable.toWeb(createReadStream(path)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  }

  async complete(job: ClaimedJob, result: { duration: number; width?: number; height?: number; segments: string[] }) {
    await this.json(`/api/runners/jobs/${job.id}/complete`, result, job.leaseId);
  }

  async fail(job: ClaimedJob, message: string, retryable: boolean) {
    await this.json(`/api/runners/jobs/${job.id}/fail`, { message, retryable }, job.leaseId);
  }

  async release(job: ClaimedJob) {
    await this.json(`/api/runners/jobs/${job.id}/release`, {}, job.leaseId);
  }
}
