/**
 * Header values written as expressions (neutron's `branch_labels = (cli.CONTRACT_BRANCH,)`): the
 * module's top level evaluated by the safe evaluator, following the project's imports, as Alembic
 * imports the module. Only files whose header has such a value pay for it; the literal reading in
 * pyHeader.ts stays the fast path for every other file.
 */
import fs from 'node:fs';
import { Problem } from '../errors';
import { readModuleValues } from '../ops/python/reader';
import { Opaque, Value } from '../ops/python/eval/runtime';
import type { PyLiteral } from './pyHeader';
import { readRevisionFile, RevisionFileInfo } from './revisionFile';

const nonLiteral = (p: Problem) => p.code === 'non-literal';

/**
 * `info` again with its non-literal header values computed, when the evaluator can compute them;
 * `source`: the file's text when it is not the one on disk (an editor's unsaved buffer).
 */
export function withEvaluatedHeader(info: RevisionFileInfo, importRoots: string[], source?: string): RevisionFileInfo {
  if (info.kind !== 'python' || !info.problems.some(nonLiteral)) return info;
  let text: string;
  try { text = source ?? fs.readFileSync(info.path, 'utf8'); } catch { return info; }
  let values: ReturnType<typeof readModuleValues> | undefined;
  return readRevisionFile(info.path, text, info.kind, (name) => {
    values ??= readModuleValues(text, ['revision', 'down_revision', 'branch_labels', 'depends_on'], { file: info.path, importRoots });
    const v = values.get(name)!;
    if ('why' in v) return v;
    const unknown = [v.value, ...(Array.isArray(v.value) ? v.value : [])].find((x): x is Opaque => x instanceof Opaque);
    if (unknown) return { why: `${unknown.what}: ${unknown.why}` };
    const literal = toLiteral(v.value);
    return literal === undefined ? { why: `${name} is not a string, a tuple of strings or None` } : { value: literal };
  });
}

function toLiteral(v: Value): PyLiteral | undefined {
  if (v === null || typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}
