"""The reference for test/diff/autogen.test.ts: Alembic's autogenerate comparing a database (base)
with the MetaData reflected from another one (changed), as `revision --autogenerate` does with a
project's models. Prints JSON: each function's rendered text and its ops as (kind, object).

usage: autogen_alembic.py BASE_URL CHANGED_URL BATCH(0|1)
"""
import json
import sys

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from alembic.operations import ops
from sqlalchemy import MetaData, create_engine

base_url, changed_url, batch = sys.argv[1], sys.argv[2], sys.argv[3] == '1'
sqlite = base_url.startswith('sqlite')


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == 'table' and name == 'alembic_version')


def describe(op):
    """(kind, object) as src/engine/autogen names them."""
    if isinstance(op, ops.ModifyTableOps):
        return [d for o in op.ops for d in describe(o)]
    if isinstance(op, ops.CreateTableOp):
        return [('create_table', op.table_name)]
    if isinstance(op, ops.DropTableOp):
        return [('drop_table', op.table_name)]
    if isinstance(op, ops.AddColumnOp):
        return [('add_column', '%s.%s' % (op.table_name, op.column.name))]
    if isinstance(op, ops.DropColumnOp):
        return [('drop_column', '%s.%s' % (op.table_name, op.column_name))]
    if isinstance(op, ops.AlterColumnOp):
        return [('alter_column', '%s.%s' % (op.table_name, op.column_name))]
    if isinstance(op, ops.CreateIndexOp):
        return [('create_index', op.index_name)]
    if isinstance(op, ops.DropIndexOp):
        return [('drop_index', op.index_name)]
    if isinstance(op, ops.CreateForeignKeyOp):
        return [('create_foreign_key', '%s(%s) -> %s' % (op.source_table, ', '.join(op.local_cols), op.referent_table))]
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return [('create_unique_constraint', op.constraint_name)]
    if isinstance(op, ops.DropConstraintOp):
        return [('drop_constraint', op.constraint_name)]
    if isinstance(op, ops.CreateTableCommentOp):
        return [('create_table_comment', op.table_name)]
    if isinstance(op, ops.DropTableCommentOp):
        return [('drop_table_comment', op.table_name)]
    return [(type(op).__name__, '')]


md = MetaData()
md.reflect(create_engine(changed_url))
md.remove(md.tables['alembic_version']) if 'alembic_version' in md.tables else None
with create_engine(base_url).connect() as conn:
    # Alembic 1.8 fails comparing a reflected enum default on PostgreSQL ('a'::status), so server
    # defaults are compared on SQLite only.
    ctx = MigrationContext.configure(conn, opts={
        'compare_type': True, 'compare_server_default': sqlite, 'render_as_batch': batch,
        'include_object': include_object,
    })
    mig = produce_migrations(ctx, md)
    out = {
        'upgrade': render_python_code(mig.upgrade_ops, render_as_batch=batch, migration_context=ctx),
        'downgrade': render_python_code(mig.downgrade_ops, render_as_batch=batch, migration_context=ctx),
        'upgradeOps': [d for o in mig.upgrade_ops.ops for d in describe(o)],
        'downgradeOps': [d for o in mig.downgrade_ops.ops for d in describe(o)],
    }
print(json.dumps(out))
