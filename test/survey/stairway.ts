/**
 * `npm run survey:stairway -- [options] <project>...`: the stairway check (upgrade one revision,
 * downgrade it, the schema must be the one before, upgrade again, the same schema again) on real
 * projects, by the real Alembic (test/diff/stairway_alembic.py, online, on scratch databases) and,
 * when the CLI has `verify`, by ours on the same version folders and databases; then, revision by
 * revision and database by database, whether both give each check the same verdict. Prints Markdown:
 * how many real revisions do not reverse and why, grouped by cause.
 *
 * Options: --databases sqlite,postgresql; --pg-url URL (the server; scratch databases are created
 * and dropped); --alembic-path P (PYTHONPATH first: upstream Alembic + SQLAlchemy; default
 * $SURVEY_ALEMBIC_PATH); --python exe; --timeout s (per step, 120); --no-ours; --cli dist/cli.js;
 * --ours-pg server|pglite (server); --out file.md; --json file; --doc docs/VERIFY.md (rewrites its
 * `<!-- verify-differential:start/end -->` section); --ref-json file (Alembic's side from an earlier --json
 * instead of running it again); --ours-args "..." (the arguments of our verify besides the database;
 * default --no-rows: the reference seeds no rows); --sqlite-outside-batch rebuild (our verify runs with that
 * pyproject.toml setting: ops Alembic runs on SQLite only in batch mode are rebuilt, so ours walks
 * on where Alembic stops; the report adds how far).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RevisionResult, VerifyDatabase, VerifyReport } from '../../src/engine/verify/types';
import { readProject } from './projects';
import { iniFor, revisionDirs } from './surveyIni';
import { causes, COMPARED, differenceCause, Disagreement, disagreements, errorCause, reverses } from './stairwayCompare';
import { PGURL, RefRevision, RefRun, runStairwayReference, scratchDatabase } from './stairwayReference';

interface Run {
  project: string;
  folder: string;
  database: VerifyDatabase;
  ref: RefRun | { error: string };
  ours?: VerifyReport | { error: string };
  compared: number;
  agreed: number;
  disagreements: { revision: string; file: string; d: Disagreement }[];
  /** Revisions Alembic walked that ours skipped, with its reason. */
  oursSkipped: { revision: string; reason: string }[];
  /** Revisions where Alembic failed on a stub standing in for a project import: not comparable. */
  stubbed?: number;
}

function parseArgs(argv: string[]) {
  const o = { dirs: [] as string[], databases: ['sqlite', 'postgresql'] as VerifyDatabase[], pgUrl: PGURL, alembicPath: process.env.SURVEY_ALEMBIC_PATH,
    python: '/usr/bin/python3', timeout: 120, ours: true, cli: path.resolve(__dirname, '../../../dist/cli.js'), oursPg: 'server',
    out: undefined as string | undefined, json: undefined as string | undefined, doc: undefined as string | undefined, refJson: undefined as string | undefined,
    oursArgs: ['--no-rows'], sqliteOutsideBatch: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--databases') o.databases = val().split(',') as VerifyDatabase[];
    else if (a === '--pg-url') o.pgUrl = val();
    else if (a === '--alembic-path') o.alembicPath = val();
    else if (a === '--python') o.python = val();
    else if (a === '--timeout') o.timeout = Number(val());
    else if (a === '--no-ours') o.ours = false;
    else if (a === '--cli') o.cli = path.resolve(val());
    else if (a === '--ours-pg') o.oursPg = val();
    else if (a === '--out') o.out = val();
    else if (a === '--json') o.json = val();
    else if (a === '--doc') o.doc = val();
    else if (a === '--ref-json') o.refJson = val();
    else if (a === '--ours-args') o.oursArgs = val().split(/\s+/).filter(Boolean);
    else if (a === '--sqlite-outside-batch') o.sqliteOutsideBatch = val();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.dirs.push(a);
  }
  return o;
}

/** Our CLI has `verify` (it lands after this harness). */
export function cliHasVerify(cli: string): boolean {
  if (!fs.existsSync(cli)) return false;
  const r = spawnSync(process.execPath, [cli, 'verify', '--help'], { encoding: 'utf8' });
  return r.status === 0 && /verify/.test(r.stdout + r.stderr);
}

export function runOursVerify(cli: string, ini: string, database: VerifyDatabase, postgresUrl?: string, timeoutMs = 30 * 60_000, extra: string[] = []): Promise<VerifyReport | { error: string }> {
  const args = [cli, '-c', ini, 'verify', '--json', '--database', database, ...extra];
  if (database === 'postgresql' && postgresUrl) args.push('--postgres-url', postgresUrl);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
    child.on('close', (code) => {
      clearTimeout(timer);
      try { resolve(JSON.parse(out) as VerifyReport); } catch { resolve({ error: `verify exited ${code}: ${(err || out).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}` }); }
    });
  });
}

function compare(run: Run): void {
  if ('error' in run.ref || !run.ours || 'error' in run.ours) return;
  const mine = new Map<string, RevisionResult>();
  for (const r of run.ours.results) if (r.database === run.database) mine.set(r.revision, r);
  for (const r of run.ref.revisions) {
    const o = [...mine.entries()].find(([k]) => k === r.revision || r.revision.startsWith(k) || k.startsWith(r.revision))?.[1];
    if (!o) { run.oursSkipped.push({ revision: r.revision, reason: 'not in the report' }); continue; }
    if (o.status === 'skipped') { run.oursSkipped.push({ revision: r.revision, reason: o.skippedReason ?? 'skipped' }); continue; }
    // The reference did not run the project's own code there (the harness's stub did): nothing to compare with.
    if ([r.upgrade, r.downgrade, r.upgrade_again].some((e) => e && e !== 'ok' && STUB.test(e))) { run.stubbed = (run.stubbed ?? 0) + 1; continue; }
    run.compared++;
    const ds = disagreements(r, o);
    if (!ds.length) run.agreed++;
    for (const d of ds) run.disagreements.push({ revision: r.revision, file: r.file, d });
  }
}

// ---- report ----------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string, max = 150) => `\`${esc(s.replace(/`/g, "'").replace(/\s+/g, ' ')).slice(0, max)}\``;
const DB: Record<VerifyDatabase, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

function refRevisions(run: Run): RefRevision[] { return 'error' in run.ref ? [] : run.ref.revisions; }

function report(runs: Run[], o: ReturnType<typeof parseArgs>, seconds: number, withOurs: boolean): string {
  const out: string[] = [];
  const ref = runs.map((r) => r.ref).find((r): r is RefRun => !('error' in r));
  const total = (f: (r: Run) => number) => runs.reduce((s, r) => s + f(r), 0);
  const count = (rs: RefRevision[], p: (x: RefRevision) => boolean) => rs.filter(p).length;
  out.push(`Stairway check on ${new Set(runs.map((r) => r.project)).size} real projects (${runs.length} version folder × database runs) in ${(seconds / 60).toFixed(0)} min: ` +
    `the real Alembic ${ref ? `${ref.alembic} with SQLAlchemy ${ref.sqlalchemy}` : ''}, online on scratch databases (a SQLite file; a new PostgreSQL ${'database on the server'}), ` +
    'each revision in walk order: upgrade, downgrade one step (`<rev>@<down revision>`), schema compared with the one before, upgrade again, schema compared with the first upgrade\'s. ' +
    'Unknown project imports stubbed as in the survey; no rows seeded. A failed upgrade stops the walk of that folder (the revisions after it are not reached).');
  out.push('');
  const head = ['project', 'database', 'revisions', 'walked', 'reverse cleanly', 'downgrade fails', 'schema not restored', 'second upgrade fails / differs', 'empty downgrade()', 'walk stopped by'];
  if (withOurs) head.push('ours: same verdicts', 'ours skipped', 'ours: walked', 'ours: reverse cleanly');
  out.push(`| ${head.join(' | ')} |`, `| --- | --- | ${head.slice(2).map(() => '---:').join(' | ')} |`);
  const line = (name: string, db: string, rs: Run[], bold = false) => {
    const revs = rs.flatMap(refRevisions);
    const n = rs.reduce((s, r) => s + ('error' in r.ref ? 0 : r.ref.order.length), 0);
    const stop = rs.map((r) => ('error' in r.ref ? `not walkable: ${stopCause(r.ref.error ?? '')}` : r.ref.stopped ? stopCause(lastError(r.ref)) : '')).filter(Boolean);
    const cells: (string | number)[] = [name, db, n, count(revs, (x) => x.upgrade === 'ok'), count(revs, reverses), count(revs, (x) => x.downgrade !== null && x.downgrade !== 'ok'),
      count(revs, (x) => x.restored === false), count(revs, (x) => (x.upgrade_again !== null && x.upgrade_again !== 'ok') || x.reproduced === false),
      count(revs, (x) => x.upgrade === 'ok' && !x.downgrade_present), bold ? '' : stop.map((s) => code(s, 70)).join('<br>')];
    if (withOurs) {
      const c = rs.reduce((s, r) => s + r.compared, 0);
      cells.push(`${rs.reduce((s, r) => s + r.agreed, 0)}/${c}`, rs.reduce((s, r) => s + r.oursSkipped.length, 0));
      const mine = rs.flatMap((r) => (r.ours && !('error' in r.ours) ? r.ours.results : []));
      cells.push(mine.filter((x) => x.status !== 'skipped').length, mine.filter((x) => x.status === 'passed').length);
    }
    out.push(`| ${cells.map((x) => (bold && x !== '' ? `**${x}**` : String(x))).join(' | ')} |`);
  };
  const projects = [...new Set(runs.map((r) => r.project))];
  for (const p of projects) for (const db of o.databases) { const rs = runs.filter((r) => r.project === p && r.database === db); if (rs.length) line(p, DB[db], rs); }
  for (const db of o.databases) line('all', DB[db], runs.filter((r) => r.database === db), true);
  out.push('');
  out.push('"walked": revisions whose upgrade ran (up to the first failing upgrade). "reverse cleanly": upgrade, downgrade, the schema restored, upgrade again and the same schema again. ' +
    'The failure columns count revisions (one may fail several ways); "empty downgrade()": a downgrade() that does nothing (`pass`), whatever its upgrade did.' +
    (withOurs ? ` "ours: walked": revisions our verify ran (the others it skipped: one it cannot run, or one after a failure); "ours: reverse cleanly": those that passed every check.${o.sqliteOutsideBatch ? ` Ours ran with \`sqlite-outside-batch = "${o.sqliteOutsideBatch}"\`.` : ''}` : ''));
  out.push('');
  // Causes.
  const m = new Map<string, { n: Record<VerifyDatabase, number>; example: string }>();
  for (const r of runs) for (const x of refRevisions(r)) for (const c of causes(x)) {
    const e = m.get(c) ?? { n: { sqlite: 0, postgresql: 0 }, example: `${r.project}/${path.relative(path.resolve(o.dirs.find((d) => x.file.startsWith(path.resolve(d))) ?? '/'), x.file)}: ${exampleOf(x, c)}` };
    e.n[r.database]++;
    m.set(c, e);
  }
  const notReversing = (db: VerifyDatabase) => total((r) => (r.database === db ? refRevisions(r).filter((x) => x.upgrade === 'ok' && !reverses(x)).length : 0));
  out.push(`Why the walked revisions that do not reverse (PostgreSQL ${notReversing('postgresql')}, SQLite ${notReversing('sqlite')}) do not (a revision under each of its causes):`);
  out.push('', '| cause | PostgreSQL | SQLite | example |', '| --- | ---: | ---: | --- |');
  for (const [c, e] of [...m].sort((a, b) => b[1].n.postgresql + b[1].n.sqlite - a[1].n.postgresql - a[1].n.sqlite || a[0].localeCompare(b[0]))) {
    out.push(`| ${esc(c)} | ${e.n.postgresql} | ${e.n.sqlite} | ${code(e.example, 200)} |`);
  }
  if (withOurs) {
    out.push('', `Where ours and Alembic differ (${COMPARED.join(', ')}; the rows checks are ours only):`, '', '| check | Alembic | ours | count | example |', '| --- | --- | --- | ---: | --- |');
    const g = new Map<string, { n: number; example: string }>();
    for (const r of runs) for (const x of r.disagreements) {
      const k = `${x.d.check} | ${x.d.alembic ? 'passes' : 'fails'} | ${x.d.ours ? 'passes' : 'fails'}`;
      const e = g.get(k) ?? { n: 0, example: `${r.project} ${DB[r.database]} ${x.revision}: Alembic: ${x.d.alembicSays ?? '-'} / ours: ${x.d.oursSays ?? '-'}` };
      e.n++;
      g.set(k, e);
    }
    for (const [k, e] of [...g].sort((a, b) => b[1].n - a[1].n)) out.push(`| ${k} | ${e.n} | ${code(e.example, 220)} |`);
    if (!g.size) out.push('| none | | | 0 | |');
    const skipped = new Map<string, number>();
    for (const r of runs) for (const s of r.oursSkipped) skipped.set(errorCause(s.reason), (skipped.get(errorCause(s.reason)) ?? 0) + 1);
    if (skipped.size) {
      out.push('', 'Revisions Alembic walked that ours skipped:', '', '| reason | revisions |', '| --- | ---: |');
      for (const [k, n] of [...skipped].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`| ${esc(k)} | ${n} |`);
    }
    const stubbed = total((r) => r.stubbed ?? 0);
    if (stubbed) out.push('', `Not compared: ${stubbed} revision(s) where Alembic failed on a stub standing in for a project import (the reference did not run the project's code there).`);
    const failedOurs = runs.filter((r) => r.ours && 'error' in r.ours);
    if (failedOurs.length) out.push('', `Our verify did not produce a report for ${failedOurs.length} runs: ${failedOurs.slice(0, 5).map((r) => `${r.project} ${DB[r.database]}: ${(r.ours as { error: string }).error}`).map((s) => code(s, 160)).join('; ')}`);
  }
  return out.join('\n') + '\n';
}

function exampleOf(x: RefRevision, cause: string): string {
  if (cause.startsWith('downgrade fails')) return x.downgrade ?? '';
  if (cause.startsWith('second upgrade fails')) return x.upgrade_again ?? '';
  if (cause.startsWith('downgrade() empty')) return x.downgrade === 'ok' ? 'def downgrade(): pass' : 'no def downgrade()';
  return x.differences.find((d) => differenceCause(d) === cause) ?? x.differences[0] ?? '';
}

/** The error that stopped a walk: the last revision's failing step, or why it could not go on. */
function lastError(ref: RefRun): string {
  const last = ref.revisions[ref.revisions.length - 1];
  return [last?.upgrade, last?.upgrade_again, last?.downgrade].find((e) => e && e !== 'ok') ?? ref.stopped ?? '';
}

const STUB = /\bstub\b|Stub\b/;

/** Errors that come from the stubs standing in for the project's own imports are the harness's limit, said so. */
function stopCause(e: string): string {
  return `${STUB.test(e) ? '(stubbed project import) ' : ''}${errorCause(e)}`;
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const withOurs = o.ours && cliHasVerify(o.cli);
  if (o.ours && !withOurs) console.error(`${o.cli} has no \`verify\` yet: Alembic's side only.`);
  const runs: Run[] = [];
  const earlier = o.refJson ? (JSON.parse(fs.readFileSync(o.refJson, 'utf8')) as Run[]) : undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stairway-survey-'));
  for (const dir of o.dirs.filter((d) => fs.statSync(d).isDirectory() && !path.basename(d).startsWith('.'))) {
    const p = readProject(dir);
    for (const folder of p.folders) {
      const revs = p.revisions.filter((r) => r.file.startsWith(folder + path.sep));
      const dialects = new Set(revs.flatMap((r) => r.dialects));
      for (const database of o.databases.filter((d) => dialects.has(d))) {
        // A folder with one subfolder per database (Prefect's versions/sqlite, versions/postgresql): that subfolder.
        const mine = revs.filter((r) => r.dialects.includes(database));
        const versions = mine.length === revs.length ? [folder] : [...new Set(mine.map((r) => path.join(folder, path.relative(folder, r.file).split(path.sep)[0])))];
        const run: Run = { project: p.name, folder: path.relative(p.root, folder), database, ref: { error: 'not run' }, compared: 0, agreed: 0, disagreements: [], oursSkipped: [] };
        const t0 = Date.now();
        const stored = earlier?.find((r) => r.project === run.project && r.folder === run.folder && r.database === database);
        if (stored) run.ref = stored.ref;
        else {
          const db = await scratchDatabase(database, path.basename(p.root), o.pgUrl);
          try {
            run.ref = await runStairwayReference({ url: db.url, versions, paths: p.pythonPaths, root: p.root, python: o.python, pythonPath: o.alembicPath, timeout: o.timeout });
          } catch (e) {
            run.ref = { error: e instanceof Error ? e.message : String(e) };
          } finally { await db.drop(); }
        }
        const t1 = Date.now();
        if (withOurs) {
          // The folders Alembic walked, so that both read the same history.
          const locations = 'order' in run.ref && run.ref.locations ? run.ref.locations : versions.flatMap(revisionDirs);
          // The project's own Python paths, as the reference runs with them (computed headers import the project).
          const ini = iniFor(folder, locations, fs.mkdtempSync(path.join(tmp, 'p-')), p.pythonPaths);
          if (o.sqliteOutsideBatch) fs.writeFileSync(path.join(path.dirname(ini), 'pyproject.toml'), `[tool.alembic-migrations]\nsqlite-outside-batch = ${JSON.stringify(o.sqliteOutsideBatch)}\n`);
          run.ours = await runOursVerify(o.cli, ini, database, o.oursPg === 'server' ? o.pgUrl : undefined, undefined, o.oursArgs);
          compare(run);
        }
        const revs2 = refRevisions(run);
        console.error(`${p.name} ${run.folder} ${database}: Alembic walked ${revs2.filter((x) => x.upgrade === 'ok').length}/${'error' in run.ref ? '?' : run.ref.order.length}, ${revs2.filter(reverses).length} reverse cleanly (${((t1 - t0) / 1000).toFixed(0)} s)` +
          `${'error' in run.ref ? ` — ${run.ref.error}` : run.ref.stopped ? ` — stopped: ${run.ref.stopped}` : ''}${withOurs ? `; ours: ${run.ours && 'error' in run.ours ? run.ours.error : `${run.agreed}/${run.compared} same verdicts (${((Date.now() - t1) / 1000).toFixed(0)} s)`}` : ''}`);
        runs.push(run);
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const text = report(runs, o, (Date.now() - started) / 1000, withOurs);
  process.stdout.write(text);
  if (o.out) fs.writeFileSync(o.out, text);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(runs, null, 1));
  if (o.doc) {
    const doc = fs.existsSync(o.doc) ? fs.readFileSync(o.doc, 'utf8') : '';
    const section = `<!-- verify-differential:start -->\n${text}<!-- verify-differential:end -->`;
    const re = /<!-- verify-differential:start -->[\s\S]*?<!-- verify-differential:end -->/;
    fs.writeFileSync(o.doc, re.test(doc) ? doc.replace(re, section) : `${doc}${doc.endsWith('\n') || !doc ? '' : '\n'}\n## Real projects\n\n${section}\n`);
  }
}

if (require.main === module) main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
