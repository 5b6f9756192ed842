import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Logger } from './lib/logger.js';
import type { ObjectStore } from './storage/types.js';

export interface MemoryFigures {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** Runtime facts that differ between the Node and the Workers entry, for /api/health and background work. */
export interface RuntimeInfo {
  name: 'node' | 'workers';
  startedAt: Date;
  /** Process memory, or null where the runtime cannot report it (Workers). */
  memory(): MemoryFigures | null;
  /** Time of the next scheduled cleanup, or null when the entry has no schedule. */
  nextScheduledCleanup(): Date | null;
}

/** Everything the app needs, built once by an entry and handed to createApp. */
export interface Deps {
  db: Database;
  store: ObjectStore;
  config: Config;
  clock: () => Date;
  logger: Logger;
  runtime: RuntimeInfo;
}

export interface AuthUser {
  id: number;
  email: string;
  username: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    user: AuthUser;
    runnerId: number;
  };
}
