// `npm run bench`: times our CLI and the real Alembic on the same generated projects, in the
// same run, and rewrites the generated section of docs/PERFORMANCE.md with the figures.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProject } from './generate.mjs';
import { measureEditor } from './vscode.mjs';
import { measureMigrations, migrateTable } from './migrate.mjs';
import { measureVerify, verifyTable } from './verify.mjs';
import { driftTable, measureDrift } from './drift.mjs';
import { graphTable, measureGraph } from './graph.mjs';
import { graphPaintTable, measureGraphPaintRuns } from './graphPaint.mjs';
import { measureReads, readsTable } from './reads.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const work = path.join(here, '.work');
const cli = path.join(repo, 'dist', 'cli.js');
const python = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const sizes = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
// Which parts to run (all by default): readonly, editor, migrate, reads, verify, drift, graph.
const parts = new Set((process.env.BENCH_PARTS ?? 'readonly,editor,migrate,reads,verify,drift,graph').split(','));
const pgUrl = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function time(cmd, args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: r.stdout };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function measure(label, fn) {
  fn(); // warm the OS file cache; not counted
  const times = Array.from({ length: runs }, fn);
  return { label, ms: median(times) };
}

const rows = [];
for (const n of parts.has('readonly') ? sizes : []) {
  const proj = generateProject(path.join(work, `p${n}`), n);
  const ini = path.join(proj, 'alembic.ini');
  const cacheHome = path.join(work, `cache${n}`);
  for (const verb of ['heads', 'history']) {
    const alembic = measure('alembic', () => time(python, ['-m', 'alembic', '-c', ini, verb]).ms);
    const cold = measure('ours (cold, no header cache)', () => time(process.execPath, [cli, '-c', ini, verb], { MIGRATIONS_NO_CACHE: '1' }).ms);
    fs.rmSync(cacheHome, { recursive: true, force: true });
    const warm = measure('ours (warm header cache)', () => time(process.execPath, [cli, '-c', ini, verb], { XDG_CACHE_HOME: cacheHome }).ms);
    const a = time(python, ['-m', 'alembic', '-c', ini, verb]).out;
    const b = time(process.execPath, [cli, '-c', ini, verb], { MIGRATIONS_NO_CACHE: '1' }).out;
    const same = a === b ? 'identical' : 'DIFFERENT';
    rows.push({ n, verb, alembic: alembic.ms, cold: cold.ms, warm: warm.ms, same });
    console.log(`${verb} on ${n} files: alembic ${alembic.ms.toFixed(0)} ms, ours cold ${cold.ms.toFixed(0)} ms (${(alembic.ms / cold.ms).toFixed(1)}x), warm ${warm.ms.toFixed(0)} ms (${(alembic.ms / warm.ms).toFixed(1)}x), output ${same}`);
  }
}

const alembicVersion = execFileSync(python, ['-m', 'alembic', '--version'], { encoding: 'utf8' }).trim();
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.version}, ${alembicVersion} (Python ${execFileSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim()}). Median of ${runs} runs after one warm-up, whole process (start-up included).`,
  '',
  '| verb | revision files | alembic | ours, cold | speed-up | ours, warm cache | speed-up | output |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.verb} | ${r.n.toLocaleString('en')} | ${r.alembic.toFixed(0)} ms | ${r.cold.toFixed(0)} ms | ${(r.alembic / r.cold).toFixed(1)}x | ${r.warm.toFixed(0)} ms | ${(r.alembic / r.warm).toFixed(1)}x | ${r.same} |`),
].join('\n');

// The editor: activation and first render of the Migrations view in a real VS Code.
const editorRows = [];
for (const n of parts.has('editor') ? sizes : []) {
  const r = await measureEditor(n);
  editorRows.push(r);
  console.log(`editor on ${n} revisions: activate() ${r.cold.activation} / ${r.warm.activation} ms (bundle evaluated in ${r.cold.bundle} / ${r.warm.bundle} ms), first rows ${r.cold.firstRows} ms (${r.cold.rowsFrom}) / ${r.warm.firstRows} ms (${r.warm.rowsFrom}), files read ${r.cold.filesRead} / ${r.warm.filesRead} ms, icon clicked to first row on screen ${r.cold.clickToRow} / ${r.warm.clickToRow} ms`);
}
const editorTable = [
  `Measured ${new Date().toISOString().slice(0, 10)} in code-server 4.139.1 (VS Code 1.139.1, Node 24 extension host) driven by headless Chromium, same machine. One launch each, the view opened as soon as its icon shows. Cold: a new user-data folder (no header cache, no snapshot). Warm: a second launch with the same user data. "First rows": from activate() to the view's first rows handed to VS Code, and where they came from; "files read": from activate() to the graph built from the files (the rows then show the files' state). The last column is mostly VS Code's own start-up: the click lands while the window is still loading.`,
  '',
  '| revisions | activate() cold / warm | bundle evaluation, cold / warm | first rows, cold | first rows, warm | files read, cold / warm | icon clicked as it shows to first row on screen, cold / warm |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...editorRows.map((r) => `| ${r.count.toLocaleString('en')} | ${r.cold.activation} / ${r.warm.activation} ms | ${r.cold.bundle} / ${r.warm.bundle} ms | ${r.cold.firstRows} ms (${r.cold.rowsFrom}) | ${r.warm.firstRows} ms (${r.warm.rowsFrom}) | ${r.cold.filesRead} / ${r.warm.filesRead} ms | ${r.cold.clickToRow} / ${r.warm.clickToRow} ms |`),
].join('\n');

// Migrations: upgrade head + downgrade base of 1,000 revisions, SQLite file and PostgreSQL.
const migrateRuns = Number(process.env.BENCH_MIGRATE_RUNS ?? 3);
const migrateRows = parts.has('migrate') ? measureMigrations({ work, cli, python, pgUrl, n: 1000, runs: migrateRuns }) : [];

// A migration reading rows back in a loop (SQLite answers during the evaluation; PostgreSQL evaluates again per read).
const readsRuns = Number(process.env.BENCH_READS_RUNS ?? 3);
const readsRows = parts.has('reads') ? measureReads({ work, cli, python, pgUrl, runs: readsRuns, cases: [{ kind: 'sqlite', n: 2000 }, { kind: 'sqlite', n: 10000 }, { kind: 'postgresql', n: 300 }, { kind: 'postgresql', n: 3000 }] }) : [];

// verify: the stairway check of 100 revisions, ours against the real Alembic's stairway.
const verifyResult = parts.has('verify')
  ? measureVerify({ work, cli, python, pgUrl, n: Number(process.env.BENCH_VERIFY_REVISIONS ?? 100), runs: Number(process.env.BENCH_VERIFY_RUNS ?? 3), alembicRuns: Number(process.env.BENCH_VERIFY_ALEMBIC_RUNS ?? 1) })
  : undefined;

// drift: a 200-table schema changed by hand, ours against Alembic's compare_metadata.
const driftResult = parts.has('drift')
  ? await measureDrift({ work, cli, python, pgUrl, n: Number(process.env.BENCH_DRIFT_TABLES ?? 200), runs: Number(process.env.BENCH_DRIFT_RUNS ?? 3) })
  : undefined;

// The revision graph: its layout in Node (against dagre, when installed), its webview in VS Code.
const graphRows = parts.has('graph') ? await measureGraph({ sizes, runs }) : [];
const graphPaintRows = [];
for (const n of parts.has('graph') ? [10, ...sizes] : []) graphPaintRows.push(await measureGraphPaintRuns(n));

const doc = path.join(repo, 'docs', 'PERFORMANCE.md');
const replaceSection = (text, name, body) => text.replace(new RegExp(`<!-- bench:${name}:start -->[\\s\\S]*?<!-- bench:${name}:end -->`), `<!-- bench:${name}:start -->\n${body}\n<!-- bench:${name}:end -->`);
let text = fs.readFileSync(doc, 'utf8');
if (rows.length) text = replaceSection(text, 'readonly', table);
if (editorRows.length) text = replaceSection(text, 'editor', editorTable);
if (migrateRows.length) text = replaceSection(text, 'migrate', migrateTable(migrateRows, migrateRuns, alembicVersion));
if (readsRows.length) text = replaceSection(text, 'reads', readsTable(readsRows, readsRuns, alembicVersion));
if (verifyResult) text = replaceSection(text, 'verify', verifyTable(verifyResult, alembicVersion));
if (driftResult) text = replaceSection(text, 'drift', driftTable(driftResult, alembicVersion));
if (graphRows.length) text = replaceSection(text, 'graph', graphTable(graphRows, runs));
if (graphPaintRows.length) text = replaceSection(text, 'graph-webview', graphPaintTable(graphPaintRows));
fs.writeFileSync(doc, text);
console.log(`\nWrote ${path.relative(repo, doc)}`);
if (rows.some((r) => r.same !== 'identical')) { console.error('Outputs differ from Alembic'); process.exit(1); }
if (driftResult?.problems.length) { console.error(`drift: ${driftResult.problems.join('\n')}`); process.exit(1); }
if (verifyResult?.problems.length) { console.error(`verify: not every revision passed:\n${verifyResult.problems.join('\n')}`); process.exit(1); }
