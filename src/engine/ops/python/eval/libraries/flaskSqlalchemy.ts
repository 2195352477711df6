/**
 * Flask-SQLAlchemy's `db = SQLAlchemy()` as a migration uses it (`from app.models import db`, then
 * `db.Integer`, `db.Column`, `db.Table(...)`): the object carries SQLAlchemy's and its ORM's names,
 * as Flask-SQLAlchemy copies them onto it. What only the running application has (`db.session`,
 * `db.Model`, `db.engine`, `db.metadata`...) fails, saying so, where a migration uses it.
 */
import { Unsupported } from '../../../values';
import { Builtin, Kwargs, Namespace, NamespaceHost, Opaque, RtObject, Value } from '../runtime';
import { MetaDataObj } from '../reflect';

/** Names Flask-SQLAlchemy takes from `sqlalchemy.orm` rather than `sqlalchemy`. */
const ORM_NAMES = new Set(['relationship', 'relation', 'backref', 'dynamic_loader', 'deferred', 'column_property', 'synonym', 'composite', 'aliased', 'joinedload', 'subqueryload', 'selectinload', 'lazyload', 'noload', 'contains_eager', 'defer', 'undefer', 'load_only', 'mapped_column', 'Mapped']);
/** What exists only with the Flask application and its engine. */
const APPLICATION = new Set(['session', 'Model', 'engine', 'engines', 'metadata', 'metadatas', 'Query', 'init_app', 'create_all', 'drop_all', 'reflect', 'get_engine', 'get_app', 'app', 'get_or_404', 'first_or_404', 'one_or_404', 'paginate', 'get_tables_for_bind', 'get_binds']);

export class FlaskSqlalchemyModule extends RtObject {
  readonly typeName = 'module';
  constructor(private readonly sa: NamespaceHost) { super(); }
  override getAttr(name: string): Value {
    if (name === 'SQLAlchemy') return new Builtin('flask_sqlalchemy.SQLAlchemy', () => new FlaskDb(this.sa));
    return new Opaque(`flask_sqlalchemy.${name}`, 'only flask_sqlalchemy.SQLAlchemy() is modelled by the embedded engine');
  }
  override describe(): string { return 'flask_sqlalchemy'; }
}

/** `SQLAlchemy()`: its arguments (the app, a MetaData, engine options) change none of the names migrations take. */
class FlaskDb extends RtObject {
  readonly typeName = 'SQLAlchemy';
  constructor(private readonly sa: NamespaceHost) { super(); }
  override getAttr(name: string, line: number): Value {
    if (APPLICATION.has(name)) throw new Unsupported(line, `db.${name}`, 'Flask-SQLAlchemy gives it from the running application, which the embedded engine does not run');
    if (name === 'Table') return new Builtin('db.Table', (args, kwargs, at) => this.table(args, kwargs, at));
    const ns = new Namespace(ORM_NAMES.has(name) ? 'sa.orm' : 'sa', this.sa);
    return ns.getAttr(name, line);
  }

  /** `db.Table(name, *columns)`: Flask-SQLAlchemy puts its MetaData second when none is given. */
  private table(args: Value[], kwargs: Kwargs, line: number): Value {
    const sa = new Namespace('sa', this.sa);
    const rest = args.slice(1);
    const metadata = rest[0] instanceof MetaDataObj ? [] : [(sa.getAttr('MetaData', line) as RtObject).call([], new Map(), line)];
    return (sa.getAttr('Table', line) as RtObject).call([args[0] ?? null, ...metadata, ...rest], kwargs, line);
  }
  override describe(): string { return 'flask_sqlalchemy.SQLAlchemy()'; }
}
