/**
 * The real Alembic's offline SQL for the surveyed revisions: one `alembic_offline.py` process for
 * all of them (Debian's /usr/bin/python3; `pythonPath` puts upstream Alembic/SQLAlchemy first).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { DialectName } from '../../src/engine/ops/ddl/dialect';
import { Project } from './projects';

export type FnResult = { ok: true; statements: string[]; missing?: boolean } | { ok: false; error: string; line: number | null; custom_env?: boolean; raised?: boolean; statements?: string[] };
export type FileResult = { load: string | null } & Partial<Record<DialectName, { upgrade: FnResult; downgrade: FnResult }>>;
export interface Reference { alembic: string; sqlalchemy: string; results: Record<string, FileResult> }

export interface ReferenceOptions { python: string; pythonPath?: string; timeout: number; paramstyle?: string }

export function runReference(projects: Project[], o: ReferenceOptions): Reference {
  const script = path.resolve(__dirname, '../../../test/survey/alembic_offline.py');
  const job = {
    timeout: o.timeout, paramstyle: o.paramstyle ?? null,
    projects: projects.map((p) => ({ root: p.root, paths: p.pythonPaths, files: p.revisions.map((r) => ({ file: r.file, dialects: r.dialects })) })),
  };
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: o.pythonPath ?? '' };
  const r = spawnSync(o.python, [script], { input: JSON.stringify(job), env, maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  if (r.status !== 0) throw new Error(`alembic_offline.py failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${r.error?.message ?? ''}`);
  return JSON.parse(r.stdout) as Reference;
}
