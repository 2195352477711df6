/**
 * The script directory of a project: its revision files read (through the header cache) into
 * Scripts, and the revision map built from them, as Alembic's `ScriptDirectory` does.
 */
import { ProjectConfig } from '../config/project';
import { CommandError, Problem } from '../errors';
import { RevisionMap } from '../graph/revisionMap';
import { HeaderCache } from './headerCache';
import { listRevisionFiles } from './listFiles';
import { RevisionFileInfo } from './revisionFile';
import { Script } from './script';

export interface ScriptDirectory {
  config: ProjectConfig;
  files: RevisionFileInfo[];
  scripts: Script[];
  map: RevisionMap<Script>;
  /** Problems found in the files (non-literal values, missing revision ids...). */
  problems: Problem[];
  /** Warnings Alembic would print (duplicate files, graph warnings raised while building). */
  warnings: string[];
}

export function loadScriptDirectory(config: ProjectConfig, cache = new HeaderCache()): ScriptDirectory {
  const warnings: string[] = [];
  const listed = listRevisionFiles(config.versionLocations, config.recursiveVersionLocations, (m) => warnings.push(m));
  const files = cache.readAll(listed.map((f) => f.path));
  const problems = files.flatMap((f) => f.problems);
  const scripts = files
    .filter((f): f is RevisionFileInfo & { revision: string } => f.revision !== undefined && !f.problems.some((p) => p.severity === 'error'))
    .map((f) => new Script(f));
  const map = new RevisionMap<Script>(() => scripts, (m) => warnings.push(m));
  return { config, files, scripts, map, problems, warnings };
}

/**
 * Alembic imports every revision module before any command and fails on the first it cannot
 * load; the CLI does the same with the first file problem that is an error, naming file and line.
 */
export function assertReadable(dir: ScriptDirectory): void {
  const first = dir.problems.find((p) => p.severity === 'error');
  if (first) {
    throw new CommandError(`${first.file}${first.line ? `:${first.line}` : ''}: ${first.message}`, first.file);
  }
}
