/**
 * Reads .ini files the way Python's `configparser.ConfigParser` does for alembic.ini: section
 * names are case-sensitive, option names are lower-cased, `key = value` or `key: value`, indented
 * lines continue the previous value (joined with "\n"), whole-line `#`/`;` comments, and
 * `%(name)s` interpolation against the section and the defaults (`here`). No npm ini parser
 * implements continuation lines and interpolation this way, which version_locations relies on.
 */
import { CommandError } from '../errors';

export interface IniFile {
  /** Section name -> option name (lower-case) -> raw value. */
  sections: Map<string, Map<string, string>>;
  defaults: Map<string, string>;
  path: string;
}

const SECTION = /^\[(?<name>.+)\]\s*$/;
const OPTION = /^(?<key>.*?)\s*(?<sep>[=:])\s*(?<value>.*)$/;

export function parseIni(text: string, path: string, defaults: Record<string, string> = {}): IniFile {
  const sections = new Map<string, Map<string, string>>();
  const defaultSection = new Map<string, string>(Object.entries(defaults));
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  let lastIndent = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (stripped === '' ) {
      // configparser keeps blank lines inside a multi-line value; trailing ones are stripped below.
      if (current && lastKey !== undefined) current.set(lastKey, current.get(lastKey)! + '\n');
      return;
    }
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    if (current && lastKey !== undefined && indent > lastIndent) {
      const prev = current.get(lastKey)!;
      current.set(lastKey, prev === '' ? stripped : `${prev}\n${stripped}`);
      return;
    }
    const section = SECTION.exec(stripped);
    if (section) {
      const name = section.groups!.name;
      if (name === 'DEFAULT') current = defaultSection;
      else {
        if (sections.has(name)) {
          throw new CommandError(`While reading from '${path}' [line ${lineNo}]: section '${name}' already exists`, `${path}:${lineNo}`);
        }
        current = new Map();
        sections.set(name, current);
      }
      lastKey = undefined;
      return;
    }
    if (!current) {
      throw new CommandError(`File contains no section headers.\nfile: '${path}', line: ${lineNo}\n'${raw}'`, `${path}:${lineNo}`,
        'An .ini file must start with a [section] header such as [alembic].');
    }
    const option = OPTION.exec(stripped);
    const key = option ? option.groups!.key.toLowerCase() : stripped.toLowerCase();
    // configparser (allow_no_value off, as Alembic uses it) rejects a line that is not `key = value`.
    if (!option || key === '') {
      throw new CommandError(`Source contains parsing errors: '${path}'\n\t[line ${lineNo}]: '${raw}'`, `${path}:${lineNo}`);
    }
    if (current !== defaultSection && current.has(key) && current !== undefined) {
      throw new CommandError(`While reading from '${path}' [line ${lineNo}]: option '${key}' in section already exists`, `${path}:${lineNo}`);
    }
    current.set(key, option ? option.groups!.value : '');
    lastKey = key;
    lastIndent = indent;
  });
  for (const map of [defaultSection, ...sections.values()]) {
    for (const [k, v] of map) map.set(k, v.replace(/\n+$/, ''));
  }
  return { sections, defaults: defaultSection, path };
}

/** `configparser.get(section, name)` with BasicInterpolation; undefined when absent. */
export function iniGet(ini: IniFile, section: string, name: string): string | undefined {
  const options = ini.sections.get(section);
  const key = name.toLowerCase();
  const raw = options?.get(key) ?? (options ? ini.defaults.get(key) : undefined);
  if (raw === undefined) return undefined;
  return interpolate(ini, section, key, raw, 1);
}

export function iniHas(ini: IniFile, section: string, name: string): boolean {
  const options = ini.sections.get(section);
  return !!options && (options.has(name.toLowerCase()) || ini.defaults.has(name.toLowerCase()));
}

const MAX_DEPTH = 10;

function interpolate(ini: IniFile, section: string, option: string, value: string, depth: number): string {
  if (depth > MAX_DEPTH) {
    throw new CommandError(`Recursion limit exceeded in value substitution: option '${option}' in section '${section}' contains an interpolation key which cannot be substituted in ${MAX_DEPTH} steps. Raw value: '${value}'`, ini.path);
  }
  let out = '';
  let i = 0;
  while (i < value.length) {
    const pct = value.indexOf('%', i);
    if (pct < 0) { out += value.slice(i); break; }
    out += value.slice(i, pct);
    const next = value[pct + 1];
    if (next === '%') { out += '%'; i = pct + 2; continue; }
    const m = /^%\(([^)]+)\)s/.exec(value.slice(pct));
    if (!m) {
      throw new CommandError(`'%' must be followed by '%' or '(', found: '${value.slice(pct)}'`, `${ini.path} [${section}] ${option}`,
        'Write %% for a literal percent sign in alembic.ini.');
    }
    const ref = m[1].toLowerCase();
    const raw = ini.sections.get(section)?.get(ref) ?? ini.defaults.get(ref);
    if (raw === undefined) {
      throw new CommandError(`Bad value substitution: option '${option}' in section '${section}' contains an interpolation key '${ref}' which is not a valid option name. Raw value: '${value}'`, ini.path);
    }
    out += interpolate(ini, section, ref, raw, depth + 1);
    i = pct + m[0].length;
  }
  return out;
}
