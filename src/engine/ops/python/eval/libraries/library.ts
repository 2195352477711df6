/**
 * Third-party packages the evaluator models by name (today sqlalchemy_utils' column types): a
 * module path resolves to sub-modules, types (callable, and usable uncalled as a class) or
 * pass-through values; anything else of the package stays unknown and fails when used.
 */
import { PyValue } from '../../../values';
import type { DialectName } from '../context';
import { Kwargs, Opaque, RtObject, Value } from '../runtime';
import { data } from '../sqlalchemy';
import { sqlalchemyUtilsCall, sqlalchemyUtilsKind } from './sqlalchemyUtils';

export const MODELLED_PACKAGES = new Set(['sqlalchemy_utils']);

export class LibraryModule extends RtObject {
  readonly typeName = 'module';
  constructor(readonly path: string, private readonly dialect: DialectName | undefined) { super(); }
  override getAttr(name: string): Value {
    const sub = this.path ? `${this.path}.${name}` : name;
    const kind = sqlalchemyUtilsKind(sub);
    if (kind === 'module') return new LibraryModule(sub, this.dialect);
    if (kind === 'type') return new LibraryType(name, this.dialect);
    if (kind === 'value') return new PassThrough(`sqlalchemy_utils.${sub}`);
    return new Opaque(`sqlalchemy_utils.${sub}`, 'a part of sqlalchemy_utils the embedded engine does not model');
  }
  override describe(): string { return `sqlalchemy_utils${this.path ? '.' + this.path : ''}`; }
}

class LibraryType extends RtObject {
  readonly typeName = 'type';
  constructor(readonly name: string, private readonly dialect: DialectName | undefined) { super(); }
  override call(args: Value[], kwargs: Kwargs, line: number): Value {
    // Keys, engines and other Python-side arguments never reach the DDL: unknown ones pass as None.
    const plain = (v: Value): PyValue => { try { return data(v, line, this.name); } catch { return null; } };
    return sqlalchemyUtilsCall(this.name, args.map(plain), new Map([...kwargs].map(([k, v]) => [k, plain(v)])), this.dialect, line);
  }
  /** Given as a class (`Column('c', JSONType)`): as SQLAlchemy, the type called without arguments. */
  override toData(): PyValue { return sqlalchemyUtilsCall(this.name, [], new Map(), this.dialect, 0); }
  override describe(): string { return `sqlalchemy_utils.${this.name}`; }
}

class PassThrough extends RtObject {
  readonly typeName = 'type';
  constructor(readonly what: string) { super(); }
  override toData(): PyValue { return null; }
  override describe(): string { return this.what; }
}
