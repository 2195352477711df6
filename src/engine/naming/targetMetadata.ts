/**
 * Finds the naming convention Alembic's ops would use, without running Python: reads env.py (with
 * @lezer/python), finds what `context.configure(target_metadata=...)` / `target_metadata = ...`
 * is, and follows imports statically inside the workspace to the `MetaData(naming_convention=X)`
 * (directly, through `declarative_base(metadata=...)`, a `DeclarativeBase` subclass, Flask-SQLAlchemy's
 * `SQLAlchemy(metadata=...)`, or `Base.metadata.naming_convention = X`).
 *
 * Alembic builds each op's throwaway MetaData with `target_metadata.naming_convention` when
 * target_metadata has one; otherwise (none, None, a list of MetaData) SQLAlchemy's default applies
 * (`{"ix": "ix_%(column_0_label)s"}`). When the chain cannot be followed the answer says exactly why.
 *
 * This file finds target_metadata in env.py and concludes; the static reading of Python it relies
 * on is in staticPy/ (imports.ts, expressions.ts, calls.ts, statements.ts, conventionDict.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SyntaxNode, Tree } from '@lezer/common';
import { DEFAULT_CONVENTION, NamingConvention } from './convention';
import { isInside } from './pyModules';
import type { FindConventionOptions } from './staticPy/imports';
import { StaticInterpreter } from './staticPy/statements';
import { children, describe, lineOf, Loc, ModuleCtx, newCtx, parse, text, Value } from './staticPy/values';

export type { FindConventionOptions } from './staticPy/imports';

export type ConventionLookup =
  | {
    convention: NamingConvention;
    /** `file:line` (relative to the workspace root) of the dict, or of what made the default apply. */
    source: string;
    file: string;
    line: number;
    /** SQLAlchemy's default convention applies (no naming_convention given, no target_metadata, a list...). */
    isDefault: boolean;
    /** Why the default applies, when it does. */
    note?: string;
  }
  | { convention: undefined; reason: string; file?: string; line?: number };

export function findNamingConvention(options: FindConventionOptions): ConventionLookup {
  return new Finder(options).find();
}

/** Reads env.py for what Alembic would receive as target_metadata, then concludes on its convention. */
class Finder extends StaticInterpreter {
  find(): ConventionLookup {
    const envPy = path.resolve(this.opts.envPy);
    if (!isInside(this.root, envPy)) return { convention: undefined, reason: `${envPy} is outside the workspace ${this.root}` };
    let src: string;
    try { src = fs.readFileSync(envPy, 'utf8'); } catch (e) {
      return { convention: undefined, reason: `cannot read ${this.rel(envPy)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file: envPy };
    }
    const env = newCtx(envPy, src);
    const tree = parse(env.src);
    const syntaxError = firstError(tree);
    if (syntaxError !== undefined) {
      const line = lineOf(env, syntaxError);
      return { convention: undefined, reason: `${this.rel(envPy)}:${line} has a syntax error`, file: envPy, line };
    }
    this.modules.set(envPy, env);
    this.exec(tree.topNode, env);
    env.loading = false;

    // What Alembic receives is context.configure's target_metadata= argument.
    const configured: SyntaxNode[] = [];
    let configureCalls = 0;
    let configureSpread = false;
    tree.iterate({
      enter: (n) => {
        if (n.name !== 'CallExpression') return;
        const callee = n.node.firstChild;
        if (!callee || !/(^|\.)configure$/.test(text(env, callee))) return;
        configureCalls++;
        const { keywords, spread } = keywordArgs(n.node, env);
        if (spread) configureSpread = true;
        for (const kw of keywords) if (kw.name === 'target_metadata') configured.push(kw.value);
      },
    });
    let expr: SyntaxNode | undefined = configured[0];
    if (!expr) {
      const assigned = this.moduleAssignment(tree.topNode, env, 'target_metadata');
      if (assigned && (configureCalls === 0 || configureSpread)) expr = assigned;
      else if (!assigned && (configureCalls === 0 || configureSpread) && env.scope.has('target_metadata')) {
        // Bound otherwise than by `=` (`from app.models import metadata as target_metadata`).
        return this.conclude(env.scope.get('target_metadata')!, { file: envPy, line: 1 }, 'target_metadata');
      } else {
        const at = { file: envPy, line: 1 };
        return this.defaultFound(at, configureCalls > 0 ? 'env.py passes no target_metadata to context.configure()' : 'env.py sets no target_metadata');
      }
    }
    // `target_metadata=target_metadata`: show the module-level assignment it names.
    if (expr.name === 'VariableName') expr = this.moduleAssignment(tree.topNode, env, text(env, expr)) ?? expr;
    const at = { file: envPy, line: lineOf(env, expr.from) };
    const value = this.eval(expr, env);
    return this.conclude(value, at, text(env, expr));
  }

  private conclude(value: Value, at: Loc, exprText: string): ConventionLookup {
    const where = `target_metadata = ${exprText} (${this.rel(at.file)}:${at.line})`;
    switch (value.t) {
      case 'metadata': {
        const m = value.m;
        if (m.unknown) return this.notFound(`${where}: ${m.unknown.why}`, m.unknown.at ?? m.at);
        if (!m.convention) return this.defaultFound(m.at, `the MetaData at ${this.rel(m.at.file)}:${m.at.line} has no naming_convention`);
        const src = m.conventionAt ?? m.at;
        return { convention: m.convention, source: `${this.rel(src.file)}:${src.line}`, file: src.file, line: src.line, isDefault: false };
      }
      case 'none': return this.defaultFound(at, 'target_metadata is None');
      case 'list': return this.defaultFound(at, 'target_metadata is a list of MetaData, which Alembic does not take a naming_convention from');
      case 'unknown': return this.notFound(`${where}: ${value.why}`, value.at ?? at);
      default: return this.notFound(`${where} is ${describe(value)}, not a MetaData`, at);
    }
  }

  private defaultFound(at: Loc, note: string): ConventionLookup {
    return { convention: DEFAULT_CONVENTION, source: `${this.rel(at.file)}:${at.line}`, file: at.file, line: at.line, isDefault: true, note };
  }

  private notFound(reason: string, at?: Loc): ConventionLookup {
    const extra = this.dropped.length ? ` (sys.path entries outside the workspace ignored: ${this.dropped.join(', ')})` : '';
    return { convention: undefined, reason: reason + extra, file: at?.file, line: at?.line };
  }

  /** The last module-level `name = <expr>` of env.py: its expression. */
  private moduleAssignment(top: SyntaxNode, ctx: ModuleCtx, name: string): SyntaxNode | undefined {
    let found: SyntaxNode | undefined;
    for (let n = top.firstChild; n; n = n.nextSibling) {
      if (n.name !== 'AssignStatement') continue;
      const kids = children(n).filter((k) => k.name !== 'TypeDef');
      if (kids.length < 3 || kids[kids.length - 2].name !== 'AssignOp') continue;
      if (kids.slice(0, -1).some((k) => k.name === 'VariableName' && text(ctx, k) === name)) found = kids[kids.length - 1];
    }
    return found;
  }
}

function firstError(tree: Tree): number | undefined {
  let at: number | undefined;
  tree.iterate({ enter: (n) => { if (at === undefined && n.type.isError) at = n.from; return at === undefined; } });
  return at;
}

function keywordArgs(call: SyntaxNode, ctx: ModuleCtx): { keywords: Array<{ name: string; value: SyntaxNode }>; spread: boolean } {
  const list = call.getChild('ArgList');
  const keywords: Array<{ name: string; value: SyntaxNode }> = [];
  if (!list) return { keywords, spread: false };
  const kids = children(list);
  for (let i = 0; i + 2 < kids.length; i++) {
    if (kids[i].name === 'VariableName' && kids[i + 1].name === 'AssignOp') keywords.push({ name: text(ctx, kids[i]), value: kids[i + 2] });
  }
  return { keywords, spread: kids.some((k) => k.name === '**') };
}
