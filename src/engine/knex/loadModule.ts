/**
 * Loads a TypeScript or JavaScript revision file without a build step: sucrase strips the types
 * and turns `import`/`export` into CommonJS, then the code runs as a CommonJS module whose
 * `require` resolves from the file's folder. Returns its `upgrade` / `downgrade` functions.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { Unsupported } from '../ops/values';

export type MigrationFn = (knex: unknown) => unknown;

export function loadMigrationModule(file: string): { upgrade?: MigrationFn; downgrade?: MigrationFn } {
  const source = fs.readFileSync(file, 'utf8');
  const ts = /\.[cm]?ts$/.test(file);
  let code = source;
  if (!file.endsWith('.cjs')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { transform } = require('sucrase') as typeof import('sucrase');
    try {
      code = transform(source, { transforms: ts ? ['typescript', 'imports'] : ['imports'], filePath: file }).code;
    } catch (e) {
      const m = /\((\d+):\d+\)/.exec((e as Error).message);
      throw new Unsupported(m ? Number(m[1]) : 1, path.basename(file), `cannot be read: ${(e as Error).message}`);
    }
  }
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: file });
  try {
    wrapper(mod.exports, createRequire(file), mod, file, path.dirname(file));
  } catch (e) {
    throw new Unsupported(1, path.basename(file), `failed while loading: ${(e as Error).message}`);
  }
  const exp = mod.exports as Record<string, unknown> & { default?: Record<string, unknown> };
  const pick = (name: string) => {
    const f = exp[name] ?? exp.default?.[name];
    return typeof f === 'function' ? (f as MigrationFn) : undefined;
  };
  return { upgrade: pick('upgrade'), downgrade: pick('downgrade') };
}
