/**
 * Which database a project talks to. Most env.py files read DATABASE_URL from the environment,
 * so that wins, then a `.env` file beside the config (or in the working directory), then
 * alembic.ini's `sqlalchemy.url`. The caller (the extension) may add its own settings/secrets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';

export interface ResolvedUrl {
  url: string;
  /** Human-readable origin, e.g. `DATABASE_URL (environment)` or `/app/.env`. */
  source: string;
}

export interface UrlSources {
  sqlalchemyUrl?: string;
  env: NodeJS.ProcessEnv;
  /** Folders searched for a `.env` file, first match wins. */
  folders: string[];
}

export function resolveDatabaseUrl(sources: UrlSources): ResolvedUrl | undefined {
  const fromEnv = sources.env.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, source: 'DATABASE_URL (environment)' };
  for (const folder of new Set(sources.folders)) {
    const file = path.join(folder, '.env');
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    const value = parseDotenv(text).DATABASE_URL;
    if (value) return { url: value, source: `DATABASE_URL (${file})` };
  }
  if (sources.sqlalchemyUrl) return { url: sources.sqlalchemyUrl, source: 'sqlalchemy.url (alembic.ini)' };
  return undefined;
}
