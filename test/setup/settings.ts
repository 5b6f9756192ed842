// Settings shared by the Node and the Workers server that the API tests run against, and the
// values those servers hand to the tests through vitest's provide/inject.

export const ADMIN_EMAIL = 'admin@example.test';
export const RUNNER_REGISTRATION_TOKEN = 'test-runner-registration-token-0123456789';

/** Known to the tests, so they can forge tokens (expired, wrong audience) that the server must reject. */
export const JWT = {
  secret: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
  issuer: 'hlsmith',
  audience: 'hlsmith-api',
};

const MiB = 1024 * 1024;

/** Server settings for both runtimes; the limits are small so tests can reach them quickly. */
export const serverSettings: Record<string, string> = {
  JWT_SECRET: JWT.secret,
  JWT_ISSUER: JWT.issuer,
  JWT_AUDIENCE: JWT.audience,
  ADMIN_EMAILS: ADMIN_EMAIL,
  RUNNER_REGISTRATION_TOKEN,
  CORS_ORIGINS: '*',
  MAX_JSON_BYTES: String(1 * MiB),
  MAX_UPLOAD_BYTES: String(200 * MiB),
  LOGIN_MAX_FAILURES: '5',
  LOGIN_LOCK_SECONDS: '60',
  // Short backoff so the retry tests see a failed job come back within seconds.
  JOB_RETRY_BASE_SECONDS: '1',
  // Test files run in parallel against one server, and each has a job or two claimed at a time.
  DEFAULT_MAX_CONCURRENT: '10',
};

export type Runtime = 'node' | 'workers';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    runtime: Runtime;
    runnerRegistrationToken: string;
    adminEmail: string;
    jwt: { secret: string; issuer: string; audience: string };
    /** Server settings the tests may rely on, e.g. LOGIN_MAX_FAILURES. */
    settings: Record<string, string>;
  }
}

/** Hands a started server's address and the shared test settings to the project's tests. */
export function provideServer(
  project: { provide: <K extends keyof import('vitest').ProvidedContext>(key: K, value: import('vitest').ProvidedContext[K]) => void },
  server: { url: string; runtime: Runtime; settings: Record<string, string> },
) {
  project.provide('baseUrl', server.url);
  project.provide('runtime', server.runtime);
  project.provide('runnerRegistrationToken', RUNNER_REGISTRATION_TOKEN);
  project.provide('adminEmail', ADMIN_EMAIL);
  project.provide('jwt', JWT);
  project.provide('settings', server.settings);
}
