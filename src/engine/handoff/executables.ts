/** Finding the user's programs (alembic, pg_dump) without a shell. */
import fs from 'node:fs';
import path from 'node:path';

export function isExecutable(p: string): boolean {
  try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; }
}

/** `name` in the folders of PATH, as a shell would find it. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exe = process.platform === 'win32' && !name.endsWith('.exe') ? `${name}.exe` : name;
  for (const d of (env.PATH ?? '').split(path.delimiter)) {
    if (d && isExecutable(path.join(d, exe))) return path.join(d, exe);
  }
  return undefined;
}

/** A PostgreSQL tool: on PATH, else the newest in Debian/Ubuntu's /usr/lib/postgresql/<version>/bin. */
export function findPgTool(name: string): string | undefined {
  const onPath = findOnPath(name);
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (isExecutable(path.join(root, v, 'bin', name))) return path.join(root, v, 'bin', name);
  return undefined;
}
