/**
 * The parts of Python's standard library migrations use for values: `datetime` and `time` (the clock, dates
 * built from numbers) and `collections` (`defaultdict`, `OrderedDict`). The clock is read once per
 * evaluation (EvalContext.now, else the first use), so a migration that reads rows back and is
 * evaluated again sees the same time; a plan that read it is never cached.
 */
import { PyDict, PyValue, Unsupported } from '../../values';
import { PythonError } from './errors';
import type { DialectName, EvalContext } from './context';
import { evaluationDialect } from './core';
import { Builtin, Kwargs, RtObject, Value } from './runtime';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY_MS = 86_400_000;
/** Days from 0001-01-01 (ordinal 1) to 1970-01-01. */
const EPOCH_ORDINAL = 719_163;

/** A `datetime.datetime` or `datetime.date`: fields as Python keeps them (naive, or UTC-aware). */
export class DateTimeObj extends RtObject {
  readonly typeName: string;
  constructor(readonly f: { y: number; mo: number; d: number; h: number; mi: number; s: number; us: number }, readonly isDate: boolean, readonly utc: boolean) {
    super();
    this.typeName = isDate ? 'date' : 'datetime';
  }

  static fromMs(ms: number, local: boolean, isDate = false, utc = false): DateTimeObj {
    const t = new Date(ms);
    if (Number.isNaN(t.getTime()) || t.getUTCFullYear() < 1 || t.getUTCFullYear() > 9999) throw new PythonError(0, 'ValueError', 'year is out of range');
    const get = local
      ? { y: t.getFullYear(), mo: t.getMonth() + 1, d: t.getDate(), h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds() }
      : { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
    const f = { ...get, us: isDate ? 0 : (((ms % 1000) + 1000) % 1000) * 1000 };
    return isDate ? new DateTimeObj({ ...f, h: 0, mi: 0, s: 0, us: 0 }, true, false) : new DateTimeObj(f, false, utc);
  }

  private datePart(): string { return `${pad(this.f.y, 4)}-${pad(this.f.mo)}-${pad(this.f.d)}`; }
  private timePart(): string { return `${pad(this.f.h)}:${pad(this.f.mi)}:${pad(this.f.s)}${this.f.us ? `.${pad(this.f.us, 6)}` : ''}`; }
  isoformat(sep = 'T'): string { return this.isDate ? this.datePart() : `${this.datePart()}${sep}${this.timePart()}${this.utc ? '+00:00' : ''}`; }
  override str(): string { return this.isoformat(' '); }
  /** As SQLAlchemy binds it: its text, and on SQLite (its DATETIME storage format) always with microseconds. */
  bindText(d: DialectName | undefined): string {
    return d === 'sqlite' && !this.isDate ? `${this.datePart()} ${pad(this.f.h)}:${pad(this.f.mi)}:${pad(this.f.s)}.${pad(this.f.us, 6)}` : this.str();
  }
  override toData(): PyValue { return this.bindText(evaluationDialect()); }
  override eq(other: Value): boolean { return other instanceof DateTimeObj && other.str() === this.str() && other.isDate === this.isDate; }
  ordinal(): number { return Math.floor(Date.UTC(this.f.y, this.f.mo - 1, this.f.d) / DAY_MS) + EPOCH_ORDINAL; }

  override getAttr(name: string, line: number): Value {
    const f = this.f;
    switch (name) {
      case 'year': return f.y;
      case 'month': return f.mo;
      case 'day': return f.d;
      case 'hour': case 'minute': case 'second': case 'microsecond':
        if (this.isDate) break;
        return { hour: f.h, minute: f.mi, second: f.s, microsecond: f.us }[name];
      case 'isoformat': return new Builtin(`${this.typeName}.isoformat`, ([sep]: Value[], k: Kwargs) => this.isoformat(String(sep ?? k.get('sep') ?? 'T')));
      case 'toordinal': return new Builtin(`${this.typeName}.toordinal`, () => this.ordinal());
      case 'date': if (!this.isDate) return new Builtin('datetime.date', () => new DateTimeObj({ ...f, h: 0, mi: 0, s: 0, us: 0 }, true, false)); break;
      case 'strftime': return new Builtin(`${this.typeName}.strftime`, ([fmt]: Value[], _k: Kwargs, at: number) => this.strftime(fmt, at));
      case 'replace': return new Builtin(`${this.typeName}.replace`, (_a: Value[], k: Kwargs, at: number) => {
        const g = { ...f };
        let utc = this.utc;
        for (const [key, v] of k) {
          const field = ({ year: 'y', month: 'mo', day: 'd', hour: 'h', minute: 'mi', second: 's', microsecond: 'us' } as const)[key as 'year'];
          if (field && typeof v === 'number') g[field] = v;
          else if (key === 'tzinfo' && !this.isDate) utc = v instanceof UtcZone;
          else throw new PythonError(at, 'TypeError', `'${key}' is an invalid keyword argument for replace()`);
        }
        return new DateTimeObj(g, this.isDate, utc);
      });
    }
    return super.getAttr(name, line);
  }

  private strftime(fmt: Value, at: number): string {
    if (typeof fmt !== 'string') throw new PythonError(at, 'TypeError', `strftime() argument 1 must be str, not ${typeof fmt}`);
    const f = this.f;
    const codes: Record<string, string> = { Y: pad(f.y, 4), m: pad(f.mo), d: pad(f.d), H: pad(f.h), M: pad(f.mi), S: pad(f.s), f: pad(f.us, 6), '%': '%' };
    return fmt.replace(/%(.)/g, (_, c: string) => {
      if (!(c in codes)) throw new Unsupported(at, `strftime("%${c}")`, 'this format code is not evaluated by the embedded engine');
      return codes[c];
    });
  }
}

class UtcZone extends RtObject {
  readonly typeName = 'timezone';
  override str(): string { return 'UTC'; }
}

const UTC = new UtcZone();

function ints(args: Value[], at: number, what: string): number[] {
  return args.map((a) => {
    if (typeof a !== 'number' || !Number.isInteger(a)) throw new PythonError(at, 'TypeError', `${what}: an integer is required`);
    return a;
  });
}

/** `datetime.datetime` / `datetime.date`: the class, its constructors and its clock. */
class DateTimeClass extends RtObject {
  readonly typeName = 'type';
  constructor(private readonly isDate: boolean, private readonly clock: () => number, private readonly ctx: EvalContext) { super(); }
  override call(args: Value[], kwargs: Kwargs, at: number): Value {
    const [y, mo, d, h = 0, mi = 0, s = 0, us = 0] = ints(args, at, this.isDate ? 'date()' : 'datetime()');
    if (y === undefined || mo === undefined || d === undefined) throw new PythonError(at, 'TypeError', 'function missing required argument');
    const utc = kwargs.get('tzinfo') instanceof UtcZone;
    if (y < 1 || y > 9999) throw new PythonError(at, 'ValueError', `year ${y} is out of range`);
    if (mo < 1 || mo > 12) throw new PythonError(at, 'ValueError', 'month must be in 1..12');
    if (d < 1 || d > new Date(Date.UTC(2000, mo, 0)).getUTCDate() || (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)))) throw new PythonError(at, 'ValueError', 'day is out of range for month');
    if (h > 23 || mi > 59 || s > 59 || us > 999_999 || h < 0 || mi < 0 || s < 0 || us < 0) throw new PythonError(at, 'ValueError', 'hour, minute, second or microsecond out of range');
    return new DateTimeObj({ y, mo, d, h, mi, s, us }, this.isDate, utc);
  }
  private now(): number {
    this.ctx.onDependency?.('the clock');
    return this.clock();
  }
  override getAttr(name: string, line: number): Value {
    const cls = this.isDate ? 'date' : 'datetime';
    switch (name) {
      case 'today': return new Builtin(`${cls}.today`, () => DateTimeObj.fromMs(this.now(), true, this.isDate));
      case 'fromtimestamp': return new Builtin(`${cls}.fromtimestamp`, ([t, tz]: Value[], k: Kwargs) => DateTimeObj.fromMs(Number(t) * 1000, !(tz ?? k.get('tz')), this.isDate, !!(tz ?? k.get('tz'))));
    }
    if (!this.isDate) {
      switch (name) {
        case 'now': return new Builtin('datetime.now', ([tz]: Value[], k: Kwargs) => { const aware = (tz ?? k.get('tz')) instanceof UtcZone; return DateTimeObj.fromMs(this.now(), !aware, false, aware); });
        case 'utcnow': return new Builtin('datetime.utcnow', () => DateTimeObj.fromMs(this.now(), false));
        case 'utcfromtimestamp': return new Builtin('datetime.utcfromtimestamp', ([t]: Value[]) => DateTimeObj.fromMs(Number(t) * 1000, false));
      }
    }
    return super.getAttr(name, line);
  }
}

/** The evaluation's clock in ms: EvalContext.now, else read at its first use; `datetime` and `time` share it. */
export function evaluationClock(ctx: EvalContext): () => number {
  let t: number | undefined;
  return () => (t ??= ctx.now?.getTime() ?? Date.now());
}

/** `import datetime` */
export class DatetimeModule extends RtObject {
  readonly typeName = 'module';
  private readonly classes: Record<string, Value>;
  constructor(ctx: EvalContext, clock: () => number) {
    super();
    this.classes = { datetime: new DateTimeClass(false, clock, ctx), date: new DateTimeClass(true, clock, ctx), timezone: new Timezone() };
  }
  override getAttr(name: string, line: number): Value {
    if (name in this.classes) return this.classes[name];
    throw new Unsupported(line, `datetime.${name}`, 'this part of Python\'s datetime module is not evaluated by the embedded engine');
  }
}

/** `import time`: the clock, in seconds (timings a migration logs come out as 0). */
export class TimeModule extends RtObject {
  readonly typeName = 'module';
  constructor(private readonly ctx: EvalContext, private readonly clock: () => number) { super(); }
  override getAttr(name: string, line: number): Value {
    if (name === 'time' || name === 'monotonic' || name === 'perf_counter') {
      return new Builtin(`time.${name}`, () => { this.ctx.onDependency?.('the clock'); return this.clock() / 1000; });
    }
    throw new Unsupported(line, `time.${name}`, 'this part of Python\'s time module is not evaluated by the embedded engine (time(), monotonic() and perf_counter() are)');
  }
}

class Timezone extends RtObject {
  readonly typeName = 'type';
  override getAttr(name: string, line: number): Value { return name === 'utc' ? UTC : super.getAttr(name, line); }
}

/** `collections.defaultdict(factory)`: a missing key is created with `factory()` when read with `d[k]`. */
export class DefaultDict extends PyDict {
  constructor(readonly factory: (() => Value) | undefined) { super(new Map()); }
}

/** `import collections` */
export class CollectionsModule extends RtObject {
  readonly typeName = 'module';
  constructor(private readonly invoke: (fn: Value, args: Value[], line: number) => Value, private readonly dict: Value) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'defaultdict': return new Builtin('collections.defaultdict', ([factory, init]: Value[], k: Kwargs, at: number) => {
        const d = new DefaultDict(factory === undefined || factory === null ? undefined : () => this.invoke(factory, [], at));
        const start = init === undefined && !k.size ? undefined : this.invoke(this.dict, init === undefined ? [] : [init], at);
        if (start instanceof PyDict) for (const [key, v] of start.entries) d.entries.set(key, v);
        for (const [key, v] of k) d.entries.set(key, v as never);
        return d;
      });
      case 'OrderedDict': return this.dict; // a dict keeps its order; what migrations do with one is the same
    }
    throw new Unsupported(line, `collections.${name}`, 'this part of Python\'s collections module is not evaluated by the embedded engine');
  }
}
