/**
 * `npm run survey:drift -- [--databases sqlite,postgresql] [--alembic-path P] <project>...`: drift on
 * real projects' schemas. For each version folder and database, the real Alembic builds the schema on
 * an empty scratch database (test/diff/stairway_alembic.py, online, unknown project imports stubbed:
 * the walk stops where a revision cannot run there), then our `migrations drift --json` compares that
 * database with what our engine builds from the same revisions. The expected answer is "no drift":
 * every difference is a place where our engine builds another schema than Alembic (or a false drift).
 * Prints Markdown.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriftReport } from '../../src/engine/drift/types';
import { readProject } from './projects';
import { PGURL, RefRun, runStairwayReference, scratchDatabase } from './stairwayReference';
import { iniFor, revisionDirs } from './surveyIni';

type Db = 'sqlite' | 'postgresql';
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function parseArgs(argv: string[]) {
  const o = { dirs: [] as string[], databases: ['sqlite', 'postgresql'] as Db[], alembicPath: process.env.SURVEY_ALEMBIC_PATH ?? '/work/survey-projects/.reference' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--databases') o.databases = argv[++i].split(',') as Db[];
    else if (argv[i] === '--alembic-path') o.alembicPath = argv[++i];
    else if (argv[i].startsWith('--')) throw new Error(`unknown option ${argv[i]}`);
    else o.dirs.push(argv[i]);
  }
  return o;
}

interface Row { project: string; folder: string; database: Db; built: string; stopped?: string; result: string; differences: string[] }

/** Why Alembic's walk stopped: the last revision's failing step. */
const lastFailure = (ref: RefRun): string | undefined => {
  const last = ref.revisions[ref.revisions.length - 1];
  return [last?.upgrade, last?.downgrade, last?.upgrade_again].find((e) => e && e !== 'ok') ?? undefined;
};

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-survey-'));
  for (const dir of o.dirs.filter((d) => fs.statSync(d).isDirectory() && !path.basename(d).startsWith('.'))) {
    const p = readProject(dir);
    for (const folder of p.folders) {
      const revs = p.revisions.filter((r) => r.file.startsWith(folder + path.sep));
      for (const database of o.databases.filter((d) => revs.some((r) => r.dialects.includes(d)))) {
        const mine = revs.filter((r) => r.dialects.includes(database));
        const versions = mine.length === revs.length ? [folder] : [...new Set(mine.map((r) => path.join(folder, path.relative(folder, r.file).split(path.sep)[0])))];
        const row: Row = { project: p.name, folder: path.relative(p.root, folder), database, built: '', result: '', differences: [] };
        rows.push(row);
        const db = await scratchDatabase(database, `drift_${path.basename(p.root)}`);
        try {
          const ref = await runStairwayReference({ url: db.url, versions, paths: p.pythonPaths, root: p.root, pythonPath: o.alembicPath, timeout: 120, upgradeOnly: true });
          const applied = ref.revisions.filter((r) => r.upgrade === 'ok').length;
          row.built = `${applied}/${ref.order.length}`;
          if (ref.stopped || ref.error) row.stopped = (ref.error ?? lastFailure(ref) ?? ref.stopped ?? '').slice(0, 200);
          if (!applied) { row.result = 'nothing built by Alembic'; continue; }
          const locations = ref.locations ?? versions.flatMap(revisionDirs);
          const ini = iniFor(folder, locations, fs.mkdtempSync(path.join(tmp, 'p-')), p.pythonPaths);
          const r = spawnSync(process.execPath, [CLI, '-c', ini, 'drift', '--json', ...(database === 'postgresql' ? ['--postgres-url', PGURL] : [])],
            { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8', maxBuffer: 256 << 20 });
          let report: DriftReport | undefined;
          try { report = JSON.parse(r.stdout) as DriftReport; } catch { /* a FAILED line instead */ }
          const said = `${r.stdout}\n${r.stderr}`;
          if (!report) { row.result = `not compared: ${(said.match(/FAILED: (.*)/)?.[1] ?? said.trim().split('\n').pop() ?? '').slice(0, 300)}`; continue; }
          row.differences = report.differences.map((d) => d.message);
          row.result = row.differences.length ? `${row.differences.length} difference(s)` : `no drift (${Object.keys(report.actual.tables).length} tables)`;
        } catch (e) {
          row.result = `not compared: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`;
        } finally { await db.drop(); }
        console.error(`${row.project} ${row.folder} ${database}: ${row.built} ${row.result}${row.stopped ? ` (Alembic stopped: ${row.stopped})` : ''}`);
      }
    }
  }
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = ['| project | folder | database | revisions Alembic applied | our drift of Alembic\'s database | why Alembic stopped |', '| --- | --- | --- | ---: | --- | --- |',
    ...rows.map((r) => `| ${r.project} | ${esc(r.folder)} | ${r.database} | ${r.built} | ${esc(r.result)} | ${esc(r.stopped ?? '')} |`), ''];
  for (const r of rows.filter((x) => x.differences.length)) out.push(`- ${r.project} ${r.folder} (${r.database}): ${r.differences.map(esc).join('; ')}`);
  console.log(out.join('\n'));
}

if (require.main === module) main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
