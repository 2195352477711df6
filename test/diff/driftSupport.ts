/**
 * Shared by the drift tests: a copy of the drift fixture project pointed at a database, upgraded
 * with our engine; hand changes made on the live database (sql.js on the file, or pg); drift run
 * through the engine; and the real Alembic's compare_metadata on the same database
 * (test/diff/drift_alembic.py), both reduced to (kind, object kind, table, name, property).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadProjectConfig } from '../../src/engine/config/project';
import { parseDatabaseUrl } from '../../src/engine/config/url';
import { upgrade } from '../../src/engine/commands/migrate';
import { loadSqlJs } from '../../src/engine/db/sqlJs';
import { drift, DriftDifference, DriftOptions, DriftReport } from '../../src/engine/drift';
import { loadScriptDirectory } from '../../src/engine/scripts/scriptDirectory';
import { REPO } from './oracle';

export const FIXTURE = path.join(REPO, 'test/fixtures/drift/project');
export const HEAD = 'd3c0c0ffee03';
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

/** A copy of the fixture whose alembic.ini points at `url`. */
export function project(url: string, extra: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'drift-')));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  setUrl(dir, url);
  for (const [rel, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

export function setUrl(dir: string, url: string): void {
  fs.writeFileSync(path.join(dir, 'alembic.ini'), `[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = ${url}\n`);
}

export const scripts = (dir: string) => loadScriptDirectory(loadProjectConfig({ iniPath: path.join(dir, 'alembic.ini') }));

export async function upgradeOurs(dir: string, target = 'heads'): Promise<void> {
  await upgrade(scripts(dir), target, { backups: 0 });
}

export async function runDrift(dir: string, o: Partial<DriftOptions> = {}): Promise<DriftReport> {
  const d = scripts(dir);
  return drift(d, { url: parseDatabaseUrl(d.config.database!.url), cwd: dir, ...o });
}

/** Hand changes on a SQLite file, through sql.js, as a person with a SQLite shell would make them. */
export async function editSqlite(file: string, sql: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db = fs.existsSync(file) ? new SQL.Database(fs.readFileSync(file)) : new SQL.Database();
  try { db.exec(sql); fs.writeFileSync(file, db.export()); } finally { db.close(); }
}

export async function editPostgres(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

export type Key = [kind: string, what: string, table: string, name: string, property: string];

/** Our difference as compare_metadata would name it. */
export function keyOf(d: DriftDifference): Key {
  const what = d.objectType === 'unique constraint' ? 'unique' : d.objectType;
  return [d.kind, what, d.table ?? '', d.objectType === 'table' ? '' : d.name ?? '', d.property ?? ''];
}

/** What compare_metadata (with compare_type on, server defaults off) looks at. */
export const ALEMBIC_LOOKS_AT = (k: Key) => ['table', 'column', 'index', 'unique', 'foreign key'].includes(k[1]) && k[4] !== 'default';

export interface AlembicAnswer { alembic: string; heads: string[]; diffs: Key[] }

/** The real Alembic: migrations upgraded on `scratchUrl` (empty), compared with the live database. */
export function alembicCompare(dir: string, liveUrl: string, scratchUrl: string): AlembicAnswer {
  const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/drift_alembic.py'), '--config', path.join(dir, 'alembic.ini'), '--live', liveUrl, '--scratch', scratchUrl], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', DATABASE_URL: '' },
  });
  return JSON.parse(out) as AlembicAnswer;
}

export const sortKeys = (ks: Key[]) => ks.map((k) => k.join('|')).sort();
