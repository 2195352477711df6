/**
 * `revision` and `merge`: a new revision file, made as Alembic makes it (id, file name from
 * file_template and the message's slug, the project's script.py.mako, down_revision from the head
 * or the merged heads), written atomically and never over an existing file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../errors';
import { catchRevisionErrors } from '../graph';
import { Script } from '../scripts/script';
import { ScriptDirectory } from '../scripts/scriptDirectory';
import { renderTemplate, TemplateValue } from '../scripts/template';

export interface RevisionOptions {
  message?: string;
  head?: string;
  splice?: boolean;
  branchLabel?: string[];
  versionPath?: string;
  revId?: string;
  dependsOn?: string[];
  /** For tests and reproducible output. */
  now?: Date;
  /** Fills `upgrades` / `downgrades` in the template (merge leaves them empty). */
  upgrades?: string;
  downgrades?: string;
  /** Fills `imports` in the template (autogenerate's extra import lines). */
  imports?: string;
}

/** The bundled templates: `migrations/templates` beside dist/ in the package, or in the repository. */
export function bundledTemplates(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'migrations', 'templates');
    if (fs.existsSync(path.join(candidate, 'script.py.mako'))) return candidate;
    if (path.dirname(dir) === dir) throw new CommandError('The bundled revision templates are missing from this installation.');
  }
}

export const newRevisionId = (): string => crypto.randomUUID().replace(/-/g, '').slice(-12);

export function revision(dir: ScriptDirectory, o: RevisionOptions = {}): string {
  const heads = catchRevisionErrors(() => dir.map.getRevisions(o.head ?? 'head'),
    { multipleHeads: 'Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.' });
  return writeRevision(dir, heads.filter((h): h is Script => h instanceof Script), o);
}

export function merge(dir: ScriptDirectory, revisions: string[], o: RevisionOptions = {}): string {
  const heads = catchRevisionErrors(() => dir.map.getRevisions(revisions.length ? revisions : ['heads']))
    .filter((h): h is Script => h instanceof Script);
  return writeRevision(dir, heads, o);
}

function writeRevision(dir: ScriptDirectory, heads: Script[], o: RevisionOptions): string {
  const id = o.revId ?? newRevisionId();
  const illegal = [...new Set(id)].filter((c) => '@-+:'.includes(c)).sort();
  if (illegal.length) throw new CommandError(`Character(s) '${illegal.join(', ')}' not allowed in revision identifier '${id}'`);
  if (new Set(heads).size !== heads.length) throw new CommandError('Duplicate head revisions specified');
  if (!o.splice) {
    const notHead = heads.find((h) => !h.isHead);
    if (notHead) throw new CommandError(`Revision ${notHead.revision} is not a head revision; please specify --splice to create a new branch from this revision`);
  }
  const cfg = dir.config;
  let versionPath: string;
  if (o.versionPath) {
    versionPath = path.resolve(cfg.cwd, o.versionPath);
    if (!cfg.versionLocations.some((v) => path.resolve(v) === versionPath)) throw new CommandError(`Path ${o.versionPath} is not represented in current version locations`);
  } else if (cfg.versionLocations.length > 1) {
    if (!heads.length) throw new CommandError('Multiple version locations present, please specify --version-path');
    versionPath = path.dirname(heads[0].path);
  } else {
    versionPath = cfg.versionLocations[0];
  }
  const now = o.now ?? new Date();
  const dependsOn = o.dependsOn?.length ? catchRevisionErrors(() => o.dependsOn!.map((d) => {
    const rev = dir.map.getRevision(d) as Script;
    return rev.branchLabels.includes(d) ? d : rev.revision;
  })) : null;
  const message = o.message ?? 'empty message';
  const file = path.join(versionPath, `${formatFileTemplate(cfg.fileTemplate, id, o.message, now, cfg.truncateSlugLength)}.py`);
  const projectTemplate = path.join(cfg.scriptLocation, 'script.py.mako');
  const templateFile = fs.existsSync(projectTemplate) ? projectTemplate : path.join(bundledTemplates(), 'script.py.mako');
  let template: string;
  try { template = fs.readFileSync(templateFile, 'utf8'); } catch {
    throw new CommandError(`Cannot read the revision template ${templateFile}`);
  }
  const scalar = (ids: string[]): TemplateValue => (ids.length === 0 ? null : ids.length === 1 ? ids[0] : ids);
  const vars: Record<string, TemplateValue> = {
    up_revision: id, down_revision: scalar(heads.map((h) => h.revision)),
    branch_labels: o.branchLabel?.length ? o.branchLabel : null,
    depends_on: dependsOn ? scalar(dependsOn) : null,
    create_date: pythonDate(now), message, imports: o.imports ?? '', upgrades: o.upgrades ?? '', downgrades: o.downgrades ?? '',
  };
  const text = renderTemplate(template, vars, templateFile);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeNew(file, text);
  return file;
}

/** Writes a file that must not exist yet: temp file, fsync, then a link that fails if the name is taken. */
function writeNew(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'wx');
  try { fs.writeSync(fd, text); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CommandError(`${file} already exists; nothing was written.`);
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** `file_template` with Python's %-formatting of rev, slug, epoch and the date parts. */
export function formatFileTemplate(template: string, rev: string, message: string | undefined, d: Date, truncate: number): string {
  let slug = (message ?? '').match(/[\p{L}\p{M}\p{N}_]+/gu)?.join('_').toLowerCase() ?? '';
  if (slug.length > truncate) slug = slug.slice(0, truncate).split('_').slice(0, -1).join('_') + '_';
  const values: Record<string, string | number> = {
    rev, slug, epoch: Math.floor(d.getTime() / 1000), year: d.getFullYear(), month: d.getMonth() + 1,
    day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds(),
  };
  return template.replace(/%\((\w+)\)(0?)(\d*)(?:\.(\d+))?([sd])/g, (all, key: string, zero: string, width: string, precision: string | undefined, conv: string) => {
    if (!(key in values)) throw new CommandError(`file_template uses %(${key})s, which Alembic does not provide`);
    const raw = values[key];
    if (conv === 'd' && typeof raw !== 'number') return all;
    let v = String(raw);
    // Python: `.N` on %d is a minimum number of digits; on %s a maximum length.
    if (precision !== undefined) v = conv === 'd' ? v.padStart(Number(precision), '0') : v.slice(0, Number(precision));
    if (width) v = v.padStart(Number(width), zero ? '0' : ' ');
    return v;
  }).replace(/%%/g, '%');
}

/** Python's str(datetime.now()): `2025-03-01 10:00:00.123456` (no fraction when it is zero). */
function pythonDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const micro = d.getMilliseconds() * 1000;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${micro ? `.${p(micro, 6)}` : ''}`;
}
