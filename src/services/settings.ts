import { eq, sql } from 'drizzle-orm';
import { settings } from '../db/schema.js';
import type { Deps } from '../env.js';

export async function readSetting(deps: Deps, key: string) {
  const [row] = await deps.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row?.value;
}

export async function writeSetting(deps: Deps, key: string, value: string) {
  const now = deps.clock().toISOString();
  await deps.db
    .insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: now } });
}
