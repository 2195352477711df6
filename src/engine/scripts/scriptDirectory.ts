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
import { withEvaluatedHeader } from './evaluatedHeader';
import { Script } from './script';

export interface ScriptDirectory {
  config: ProjectConfig;
  files: RevisionFileInfo[];
  /** Every revision (built with the map: like Alembic, a bad id fails when the graph is first used). */
  readonly scripts: Script[];
  map: RevisionMap<Script>;
  /** Problems found in the files (non-literal values, missing revision ids...). */
  problems: Problem[];
  /** Warnings Alembic would print (duplicate files, graph warnings raised while building). */
  warnings: string[];
}

/** `onWarning` hears the warnings Alembic would print, when they happen (some only once the graph is walked). */
export function loadScriptDirectory(config: ProjectConfig, cache = new HeaderCache(), onWarning?: (message: string) => void): ScriptDirectory {
  const { warnings, warn } = collectWarnings(onWarning);
  const listed = listRevisionFiles(config.versionLocations, config.recursiveVersionLocations, warn);
  return scriptDirectoryOf(config, cache.readAll(listed.map((f) => f.path)), warnings, warn);
}

/**
 * The same, for a host that must stay responsive (the editor's extension host): reads the files
 * in slices and lets `pause()` give the event loop back between them.
 */
export async function loadScriptDirectoryCooperatively(config: ProjectConfig, cache: HeaderCache, pause: () => Promise<void>): Promise<ScriptDirectory> {
  const { warnings, warn } = collectWarnings();
  const listed = listRevisionFiles(config.versionLocations, config.recursiveVersionLocations, warn);
  await pause();
  return scriptDirectoryOf(config, await cache.readAllInSlices(listed.map((f) => f.path), pause), warnings, warn);
}

function collectWarnings(onWarning?: (message: string) => void) {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => { warnings.push(m); onWarning?.(m); } };
}

function scriptDirectoryOf(config: ProjectConfig, read: RevisionFileInfo[], warnings: string[], warn: (m: string) => void): ScriptDirectory {
  const files = read.map((f) => withEvaluatedHeader(f, config.importRoots));
  const problems = files.flatMap((f) => f.problems);
  const readable = files.filter((f): f is RevisionFileInfo & { revision: string } =>
    f.revision !== undefined && !f.problems.some((p) => p.severity === 'error'));
  const map = new RevisionMap<Script>(() => readable.map((f) => new Script(f)), warn);
  return { config, files, get scripts() { return map.revisions(); }, map, problems, warnings };
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
