/**
 * One revision file's metadata, whatever its language: what Alembic's `Script` takes from a
 * module (revision, down_revision, branch_labels, depends_on, docstring), plus the problems met
 * while reading it, with their lines.
 */
import path from 'node:path';
import { Problem } from '../errors';
import { HeaderValue, PyHeader, PyLiteral, readPythonHeader } from './pyHeader';
import { readJsHeader } from './jsHeader';
import { readSqlHeader } from './sqlHeader';

export type RevisionFileKind = 'python' | 'typescript' | 'javascript' | 'sql';

export interface RevisionFileInfo {
  path: string;
  kind: RevisionFileKind;
  /** Undefined when the file declares no usable revision id (see problems). */
  revision?: string;
  downRevision: string | string[] | null;
  branchLabels: string[];
  dependsOn: string[];
  /** The docstring, stripped: Alembic's `Script.longdoc`. */
  longdoc: string;
  /** 1-based lines of the header assignments, for diagnostics and CodeLens. */
  lines: Partial<Record<'revision' | 'down_revision' | 'branch_labels' | 'depends_on', number>>;
  problems: Problem[];
}

/** Alembic reads `*.py` except `__init__*` and editor lock files `.#*`. */
const PY_FILE = /^(?!\.#|__init__).*\.py$/;
const JS_FILE = /^(?!\.#|__init__).*(?<!\.d)\.(ts|mts|cts|js|mjs|cjs)$/;
const SQL_FILE = /^(?!\.#).*\.sql$/;

export function revisionFileKind(fileName: string): RevisionFileKind | undefined {
  if (PY_FILE.test(fileName)) return 'python';
  const js = JS_FILE.exec(fileName);
  if (js) return js[1].endsWith('ts') ? 'typescript' : 'javascript';
  if (SQL_FILE.test(fileName)) return 'sql';
  return undefined;
}

const LEGACY_REV = /^([a-f0-9]+)\.py$/; // Python's re.match: anchored at the start

/**
 * `resolve`: the value of a header name that is not a literal (`evaluatedHeader.ts` evaluates the
 * module for it), or why it has none; without it such a name is a problem.
 */
export function readRevisionFile(file: string, text: string, kind = revisionFileKind(path.basename(file))!, resolve?: (name: string) => { value: PyLiteral } | { why: string }): RevisionFileInfo {
  const header: PyHeader = kind === 'python' ? readPythonHeader(text) : kind === 'sql' ? readSqlHeader(text) : readJsHeader(text);
  const problems: Problem[] = [];
  const lines: RevisionFileInfo['lines'] = {};
  const problem = (code: string, message: string, line?: number, severity: Problem['severity'] = 'error') =>
    problems.push({ severity, code, message, file, line });

  const get = (name: 'revision' | 'down_revision' | 'branch_labels' | 'depends_on'): PyLiteral | undefined => {
    const v: HeaderValue | undefined = header.values.get(name);
    if (!v) return undefined;
    lines[name] = v.line;
    if (!v.ok) {
      const r = resolve?.(name);
      if (r && 'value' in r) return r.value;
      const why = r ? ` (the embedded engine cannot compute it: ${r.why})` : '';
      problem('non-literal', `${name} = ${v.source} is not a literal value; it cannot be read without running Python${why}. Write it as a string, a tuple of strings or None.`, v.line);
      return undefined;
    }
    return v.value;
  };

  let revision: string | undefined;
  const rev = get('revision');
  if (typeof rev === 'string') revision = rev;
  else if (rev !== undefined) problem('bad-value', `revision must be a string, not ${describe(rev)}.`, lines.revision);
  else if (!header.values.has('revision')) {
    const legacy = kind === 'python' ? LEGACY_REV.exec(path.basename(file)) : null;
    if (legacy) revision = legacy[1];
    else if (kind === 'python') {
      problem('no-revision', `Could not determine revision id from filename ${path.basename(file)}. Be sure the 'revision' variable is declared inside the script (please see 'Upgrading from Alembic 0.1 to 0.2' in the documentation).`);
    }
  }

  const down = get('down_revision');
  let downRevision: string | string[] | null = null;
  if (down === undefined) {
    if (!header.values.has('down_revision') && revision !== undefined) {
      problem('no-down-revision', `No down_revision is declared; write down_revision = None for a first revision, or the id of its parent.`);
    }
  } else if (down === null || typeof down === 'string') downRevision = down;
  else if (Array.isArray(down) && down.every((d) => typeof d === 'string')) downRevision = down as string[];
  else problem('bad-value', `down_revision must be None, a string or a tuple of strings, not ${describe(down)}.`, lines.down_revision);

  const list = (name: 'branch_labels' | 'depends_on'): string[] => {
    const v = get(name);
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    problem('bad-value', `${name} must be None, a string or a sequence of strings, not ${describe(v)}.`, lines[name]);
    return [];
  };

  return {
    path: file,
    kind,
    revision,
    downRevision,
    branchLabels: list('branch_labels'),
    dependsOn: list('depends_on'),
    longdoc: (header.docstring ?? '').replace(/^\s+|\s+$/g, ''),
    lines,
    problems,
  };
}

function describe(v: PyLiteral): string {
  return v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : Array.isArray(v) ? 'a sequence of non-strings' : typeof v === 'number' ? `the number ${v}` : JSON.stringify(v);
}
