import { z } from 'zod';

const MiB = 1024 * 1024;

const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

/**
 * Settings read from environment variables (Node) or Worker vars and secrets.
 * Every field has a default except the secrets, which each entry resolves.
 */
const configSchema = z.object({
  BASE_URL: z.string().url().optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
  JWT_ISSUER: z.string().default('hlsmith'),
  JWT_AUDIENCE: z.string().default('hlsmith-api'),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  PLAYBACK_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(6 * 3600),
  CORS_ORIGINS: list.default(['*']),
  ADMIN_EMAILS: list.default([]),
  RUNNER_REGISTRATION_TOKEN: z.string().min(16).optional(),
  MAX_JSON_BYTES: z.coerce.number().int().positive().default(1 * MiB),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(10 * 1024 * MiB),
  DEFAULT_CHUNK_SIZE: z.coerce.number().int().positive().default(5 * MiB),
  MIN_CHUNK_SIZE: z.coerce.number().int().positive().default(64 * 1024),
  MAX_CHUNK_SIZE: z.coerce.number().int().positive().default(100 * MiB),
  UPLOAD_SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  CLEANUP_INTERVAL_SECONDS: z.coerce.number().int().positive().default(3600),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  PASSWORD_ITERATIONS: z.coerce.number().int().min(10_000).max(100_000).default(100_000),
  JOB_LEASE_SECONDS: z.coerce.number().int().positive().default(60),
  JOB_MAX_RETRIES: z.coerce.number().int().min(0).default(3),
  JOB_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).default(10),
  DEFAULT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(10).default(3),
});

export type Config = z.infer<typeof configSchema>;

/** Parses settings from a flat string map; throws an Error naming each invalid setting. */
export function parseConfig(source: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
