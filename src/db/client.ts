import type { Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from './schema.js';

export type Database = ReturnType<typeof createDatabase>;

/** Wraps a libSQL client (file, sqld or Turso; Node or web transport) in Drizzle with the app's schema. */
export function createDatabase(client: Client) {
  return drizzle(client, { schema });
}
