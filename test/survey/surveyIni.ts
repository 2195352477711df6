/** The survey's scripts give our CLI one version folder of a real project through an alembic.ini of their own. */
import fs from 'node:fs';
import path from 'node:path';

/** Folders under `folder` holding .py files: the version locations (Alembic 1.8 is not recursive). */
export function revisionDirs(folder: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.py'))) out.push(d);
    for (const e of entries) if (e.isDirectory() && !['__pycache__', 'tests', 'test'].includes(e.name)) visit(path.join(d, e.name));
  };
  visit(folder);
  return out;
}

/**
 * An alembic.ini for one version folder, for our CLI: the folder's parent as script_location;
 * `importRoots` (the project's Python paths) as prepend_sys_path, since the ini is not in the project.
 */
export function iniFor(folder: string, locations: string[], dir: string, importRoots: string[] = []): string {
  const ini = path.join(dir, 'alembic.ini');
  const prepend = importRoots.length ? `prepend_sys_path = ${importRoots.join(':')}\n` : '';
  fs.writeFileSync(ini, `[alembic]\nscript_location = ${path.dirname(folder)}\nversion_locations = ${locations.join(':')}\npath_separator = os\n${prepend}`);
  return ini;
}
