/**
 * One Alembic project's configuration, read the way Alembic's `Config` and
 * `ScriptDirectory.from_config` read it: alembic.ini's `[alembic]` section first, then
 * pyproject.toml's `[tool.alembic]`, `%(here)s` being the config file's folder and relative
 * paths resolving against the working directory (as Alembic does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { CommandError } from '../errors';
import { IniFile, iniGet, iniHas, parseIni } from './ini';
import { resolveDatabaseUrl, ResolvedUrl } from './databaseUrl';
import type { ProjectConvention } from '../naming/opNames';
import { lookupProjectConvention, workspaceRootFor } from '../naming/projectConvention';
import { detectSqlalchemy, SqlalchemyRules } from './sqlalchemyVersion';
import { readSqliteOutsideBatch } from './toolSettings';
import { projectSitePackages } from './virtualenv';

export const DEFAULT_FILE_TEMPLATE = '%(rev)s_%(slug)s';

export interface ProjectConfig {
  /** The alembic.ini in use, if it exists. */
  iniFile?: string;
  /** The pyproject.toml holding `[tool.alembic]`, if any. */
  tomlFile?: string;
  /** Folder of the config file: `%(here)s`. */
  here: string;
  /** Working directory relative paths resolve against (Alembic's behaviour). */
  cwd: string;
  section: string;
  scriptLocation: string;
  versionLocations: string[];
  recursiveVersionLocations: boolean;
  sourceless: boolean;
  fileTemplate: string;
  truncateSlugLength: number;
  timezone?: string;
  versionTable: string;
  versionTableSchema?: string;
  /** The database URL and where it came from; undefined when none is configured. */
  database?: ResolvedUrl;
  /**
   * Folders the project's own Python modules are found in, for helpers a revision imports:
   * `prepend_sys_path` (as Alembic puts it on sys.path, relative to the working directory), then the
   * config file's folder and the script location's parent, then `projectImportRoots`, last the
   * site-packages of the project's virtualenv (`.venv`, `venv`, `env`), read like the project's modules.
   */
  importRoots: string[];
  /** The `[alembic]` section's options (interpolated), for `config.get_main_option()` in migrations. */
  mainOptions: Record<string, string>;
  /** Non-fatal notes (deprecated settings...), printed as warnings by the CLI. */
  warnings: string[];
  /**
   * The naming convention of env.py's target_metadata (read statically, without running Python),
   * else pyproject.toml's `[tool.alembic-migrations] naming_convention`, else why neither gave one.
   * Looked up at the first call (it can read hundreds of modules), then kept.
   */
  namingConvention(): ProjectConvention;
  /** Which SQLAlchemy's rendering rules the project's SQL follows, and what said so (read at the first call). */
  sqlalchemy(): SqlalchemyRules;
  /** `[tool.alembic-migrations] sqlite-outside-batch = "rebuild"`: SQLite rebuilds a table for an op Alembic runs there only in batch mode (read at the first call; a bad value throws). */
  rebuildsOutsideBatch(): boolean;
}

export interface LoadOptions {
  /** alembic.ini path (default `alembic.ini` in cwd, or $ALEMBIC_CONFIG). */
  iniPath?: string;
  /** pyproject.toml path (default `pyproject.toml` in cwd). */
  tomlPath?: string;
  section?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

type TomlValue = string | number | boolean | TomlValue[] | { [k: string]: TomlValue };

function readToml(file: string, here: string): Record<string, TomlValue> {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return {}; }
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const m = /line (\d+)/.exec(String((e as Error).message));
    throw new CommandError(`Could not parse ${file}: ${(e as Error).message.split('\n')[0]}`, m ? `${file}:${m[1]}` : file,
      'Fix the TOML syntax; the [tool.alembic] table is read from this file.');
  }
  const alembic = (data.tool as Record<string, unknown> | undefined)?.alembic;
  if (alembic === undefined) return {};
  if (typeof alembic !== 'object' || Array.isArray(alembic)) throw new CommandError('Incorrect TOML format', file);
  const sub = (v: TomlValue): TomlValue => typeof v === 'string' ? v.replace(/%\(here\)s/g, here)
    : Array.isArray(v) ? v.map(sub) : v;
  return Object.fromEntries(Object.entries(alembic as Record<string, TomlValue>).map(([k, v]) => [k, sub(v)]));
}

const SEPARATORS: Record<string, string> = { space: ' ', newline: '\n', os: path.delimiter, ':': ':', ';': ';' };

export function loadProjectConfig(options: LoadOptions = {}): ProjectConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const section = options.section ?? 'alembic';
  const iniPath = path.resolve(cwd, options.iniPath ?? env.ALEMBIC_CONFIG ?? 'alembic.ini');
  const tomlPath = path.resolve(cwd, options.tomlPath ?? 'pyproject.toml');
  const warnings: string[] = [];

  let ini: IniFile | undefined;
  if (fs.existsSync(iniPath)) {
    let text: string;
    try { text = fs.readFileSync(iniPath, 'utf8'); } catch (e) {
      throw new CommandError(`Cannot read ${iniPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, iniPath,
        'Check the file permissions.');
    }
    ini = parseIni(text, iniPath, { here: path.dirname(iniPath) });
  }
  const toml = readToml(tomlPath, path.dirname(tomlPath));
  const tomlUsed = Object.keys(toml).length > 0;

  const iniOpt = (name: string) => ini && iniHas(ini, section, name) ? iniGet(ini, section, name) : undefined;
  const option = (name: string): string | undefined => {
    const v = iniOpt(name);
    if (v !== undefined) return v;
    const t = toml[name];
    return t === undefined ? undefined : String(t);
  };
  const boolOption = (name: string): boolean => {
    const v = iniOpt(name);
    if (v !== undefined) return v === 'true';
    const t = toml[name] ?? false;
    if (typeof t !== 'boolean') throw new CommandError(`boolean value expected for TOML parameter '${name}'`, tomlPath);
    return t;
  };

  const scriptLocationRaw = option('script_location');
  if (scriptLocationRaw === undefined) {
    throw new CommandError("No 'script_location' key found in configuration.", ini ? iniPath : tomlPath,
      ini || tomlUsed ? `Add script_location to the [${section}] section.` : `No ${path.basename(iniPath)} found in ${path.dirname(iniPath)}; pass -c path/to/alembic.ini or run from the project folder.`);
  }
  const scriptLocation = path.resolve(cwd, scriptLocationRaw);
  if (!fs.existsSync(scriptLocation)) {
    throw new CommandError(`Path doesn't exist: ${scriptLocationRaw}.  Please use the 'init' command to create a new scripts folder.`,
      ini ? iniPath : tomlPath, `script_location resolves to ${scriptLocation} (relative paths are taken from the working directory).`);
  }

  let versionLocations: string[] | undefined;
  const vlIni = iniOpt('version_locations');
  if (vlIni) {
    const sepName = iniOpt('path_separator') ?? iniOpt('version_path_separator');
    if (sepName === undefined) {
      warnings.push('No path_separator found in configuration; falling back to legacy splitting on spaces/commas for version_locations.  Consider adding path_separator=os to Alembic config.');
      versionLocations = vlIni.split(/, *| +/);
    } else {
      const sep = SEPARATORS[sepName];
      if (sep === undefined) {
        throw new CommandError(`'${sepName}' is not a valid value for path_separator; expected 'space', 'newline', 'os', ':', ';'`, iniPath);
      }
      versionLocations = vlIni.split(sep).filter((x) => x).map((x) => x.trim());
    }
  } else if (Array.isArray(toml.version_locations)) {
    versionLocations = toml.version_locations.map(String);
  }
  const resolvedLocations = versionLocations?.length
    ? versionLocations.map((loc) => path.resolve(cwd, loc))
    : [path.join(scriptLocation, 'versions')];

  const tsl = option('truncate_slug_length');
  const prepend = option('prepend_sys_path');
  const here = path.dirname(ini ? iniPath : tomlPath);
  const projectRoot = workspaceRootFor(here, cwd);
  const ownRoots = [...new Set([
    ...(prepend ? prepend.split(/[\s,:]+/).filter(Boolean).map((p) => path.resolve(cwd, p)) : []),
    here, path.dirname(scriptLocation),
    ...projectImportRoots(projectRoot, scriptLocation),
  ])];
  // Installed packages come last, as site-packages does on sys.path.
  const importRoots = [...new Set([...ownRoots, ...projectSitePackages(here, cwd, projectRoot)])];
  const database = resolveDatabaseUrl({ sqlalchemyUrl: iniOpt('sqlalchemy.url'), env, folders: [here, cwd] });
  let convention: ProjectConvention | undefined;
  const namingConvention = () => (convention ??= lookupProjectConvention({
    envPy: path.join(scriptLocation, 'env.py'), here, cwd, importRoots: ownRoots, pyprojects: [tomlPath, path.join(here, 'pyproject.toml')],
  }));
  let sqlalchemyRules: SqlalchemyRules | undefined;
  const sqlalchemy = () => (sqlalchemyRules ??= detectSqlalchemy(here, cwd, workspaceRootFor(here, cwd)));
  let rebuilds: boolean | undefined;
  const rebuildsOutsideBatch = () => (rebuilds ??= readSqliteOutsideBatch([tomlPath, path.join(here, 'pyproject.toml'), path.join(cwd, 'pyproject.toml')]) === 'rebuild');

  return {
    iniFile: ini ? iniPath : undefined,
    tomlFile: tomlUsed ? tomlPath : undefined,
    here: path.dirname(ini ? iniPath : tomlPath),
    cwd,
    section,
    scriptLocation,
    versionLocations: resolvedLocations,
    recursiveVersionLocations: boolOption('recursive_version_locations'),
    sourceless: boolOption('sourceless'),
    fileTemplate: option('file_template') ?? DEFAULT_FILE_TEMPLATE,
    truncateSlugLength: tsl ? Number.parseInt(tsl, 10) || 40 : 40,
    timezone: option('timezone'),
    versionTable: option('version_table') ?? 'alembic_version',
    versionTableSchema: option('version_table_schema'),
    database,
    importRoots,
    mainOptions: Object.fromEntries([...(ini?.sections.get(section)?.keys() ?? [])].map((k) => [k, iniGet(ini!, section, k) ?? ''])),
    warnings,
    namingConvention,
    sqlalchemy,
    rebuildsOutsideBatch,
  };
}

/**
 * Where the project's own package is imported from when it is installed for development (`pip
 * install -e .` puts it on sys.path): the project's root, its `src/`, and the parent of the outermost
 * package holding the scripts (buildbot's `master/` for `master/buildbot/db/migrations`), inside the root.
 */
export function projectImportRoots(projectRoot: string, scriptLocation: string): string[] {
  let d = path.resolve(scriptLocation);
  const inside = (x: string) => { const rel = path.relative(projectRoot, x); return !rel.startsWith('..') && !path.isAbsolute(rel); };
  while (inside(path.dirname(d)) && d !== projectRoot && fs.existsSync(path.join(d, '__init__.py'))) d = path.dirname(d);
  return [...new Set([projectRoot, path.join(projectRoot, 'src'), ...(d !== path.resolve(scriptLocation) ? [d] : [])])].filter((x) => fs.existsSync(x));
}
