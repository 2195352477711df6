/**
 * `init`: a new Alembic project in a folder: alembic.ini, <dir>/env.py, <dir>/script.py.mako and
 * <dir>/versions/, usable by the real `alembic` as well. Never writes over an existing file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../errors';
import { bundledTemplates } from './revision';

export interface InitResult { created: string[]; ini: string }

export function initProject(root: string, scriptDir = 'alembic'): InitResult {
  const ini = path.join(root, 'alembic.ini');
  const dir = path.resolve(root, scriptDir);
  if (fs.existsSync(ini)) throw new CommandError(`${ini} already exists; nothing was written.`, ini, 'Open the existing project, or choose another folder.');
  if (fs.existsSync(dir) && fs.readdirSync(dir).length) throw new CommandError(`Directory ${dir} already exists and is not empty`, dir);
  const templates = bundledTemplates();
  const created: string[] = [];
  const write = (file: string, text: string) => {
    fs.writeFileSync(file, text, { flag: 'wx' });
    created.push(file);
  };
  fs.mkdirSync(path.join(dir, 'versions'), { recursive: true });
  created.push(dir, path.join(dir, 'versions'));
  write(path.join(dir, 'env.py'), fs.readFileSync(path.join(templates, 'project', 'env.py'), 'utf8'));
  write(path.join(dir, 'script.py.mako'), fs.readFileSync(path.join(templates, 'script.py.mako'), 'utf8'));
  write(path.join(dir, 'README'), 'Alembic revisions: `migrations revision -m "..."` (or `alembic revision`) writes them into versions/.\n');
  const rel = path.relative(root, dir).split(path.sep).join('/');
  write(ini, fs.readFileSync(path.join(templates, 'project', 'alembic.ini'), 'utf8').replace('${script_dir}', rel));
  return { created, ini };
}
