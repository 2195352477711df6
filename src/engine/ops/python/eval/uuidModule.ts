/**
 * `import uuid`: `uuid.uuid4()` and `uuid.UUID('...')`, for data migrations that give new rows an id
 * (`f"... '{uuid.uuid4()}'"`, `str(uuid4())`, `.hex`). The n-th uuid4() of a revision is drawn from a
 * seed kept for the run (EvalContext.seed), so a migration evaluated again after reading rows back
 * writes the same ids it wrote before; a plan that drew one is never cached.
 */
import crypto from 'node:crypto';
import { Call, PyValue, Unsupported } from '../../values';
import type { DialectName, EvalContext } from './context';
import { PythonError } from './errors';
import { Builtin, Kwargs, RtObject, typeName, Value } from './runtime';

export class UuidObj extends RtObject {
  readonly typeName = 'UUID';
  constructor(readonly hex: string) { super(); }
  override str(): string { return `${this.hex.slice(0, 8)}-${this.hex.slice(8, 12)}-${this.hex.slice(12, 16)}-${this.hex.slice(16, 20)}-${this.hex.slice(20)}`; }
  override describe(): string { return `UUID('${this.str()}')`; }
  override eq(other: Value): boolean { return other instanceof UuidObj && other.hex === this.hex; }
  override hashKey(): string { return `uuid:${this.hex}`; }
  override notSql(): string {
    return 'SQLAlchemy writes a uuid.UUID as its column\'s type binds it (a native UUID, 32 hex digits or text), which the embedded engine does not decide: write str(...) or .hex';
  }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'hex': return this.hex;
      case 'version': return parseInt(this.hex[12], 16);
      case 'urn': return `urn:uuid:${this.str()}`;
    }
    return super.getAttr(name, line);
  }
}

/**
 * How a column type binds a uuid.UUID, where the type says it: sqlalchemy_utils' UUIDType registers
 * the type it stands for ('text' on PostgreSQL's native UUID, 'hex' for CHAR(32)).
 */
export const uuidBinding = new WeakMap<Call, 'text' | 'hex'>();

/** A uuid.UUID as its column's type binds it (SQLAlchemy's bind processors); any other value as it is. */
export function bindForColumn(v: Value, type: PyValue | undefined, dialect: DialectName | undefined): Value {
  if (!(v instanceof UuidObj) || !(type instanceof Call)) return v;
  const native = ['sa.Uuid', 'sa.UUID', 'pg.UUID'].includes(type.fn) && type.kw('as_uuid') !== false;
  const rule = uuidBinding.get(type) ?? (native ? (dialect === 'sqlite' && type.fn === 'sa.Uuid' ? 'hex' : 'text') : undefined);
  // Other types (UUIDType's BINARY(16) included) leave it, refused when the value is written.
  return rule === 'text' ? v.str() : rule === 'hex' ? v.hex : v;
}

export class UuidModule extends RtObject {
  readonly typeName = 'module';
  private drawn = 0;
  private readonly seed: string;
  constructor(private readonly ctx: EvalContext) {
    super();
    this.seed = ctx.seed ?? crypto.randomBytes(16).toString('hex');
  }
  private uuid4(): UuidObj {
    this.ctx.onDependency?.('random values');
    const b = crypto.createHash('sha256').update(`${this.seed}:${this.drawn++}`).digest().subarray(0, 16);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    return new UuidObj(b.toString('hex'));
  }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'uuid4': return new Builtin('uuid.uuid4', () => this.uuid4());
      case 'UUID': return new Builtin('uuid.UUID', ([s]: Value[], k: Kwargs, at: number) => {
        const other = [...k.keys()].find((key) => key !== 'hex');
        if (other) throw new Unsupported(at, `uuid.UUID(${other}=...)`, 'only a UUID given as text is evaluated by the embedded engine');
        return parseUuid(s ?? k.get('hex'), at);
      });
    }
    throw new Unsupported(line, `uuid.${name}`, 'this part of Python\'s uuid module is not evaluated by the embedded engine (uuid4() and UUID() are)');
  }
}

/** `uuid.UUID(text)`: braces, `urn:uuid:` and hyphens are dropped, as Python does; 32 hex digits must remain. */
function parseUuid(v: Value | undefined, at: number): UuidObj {
  if (v === undefined) throw new PythonError(at, 'TypeError', 'one of the hex, bytes, bytes_le, fields, or int arguments must be given');
  if (typeof v !== 'string') throw new Unsupported(at, `uuid.UUID(${typeName(v)})`, 'only a UUID given as text is evaluated by the embedded engine');
  const hex = v.replace(/^urn:/, '').replace(/^uuid:/, '').replace(/^\{|\}$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new PythonError(at, 'ValueError', 'badly formed hexadecimal UUID string');
  return new UuidObj(hex.toLowerCase());
}
