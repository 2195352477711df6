#!/bin/bash
# The reference for the survey's differential: upstream Alembic and SQLAlchemy 2.0 (pure Python) with
# the typing_extensions they need, extracted from the mirrors the session's `fetch` tool brings
# (github:sqlalchemy/alembic, github:sqlalchemy/sqlalchemy, github:python/typing_extensions) into
# <cache>/.reference. Run Debian's /usr/bin/python3 with PYTHONPATH=<cache>/.reference (what
# `npm run survey -- --alembic-path ...` does).
# Usage: test/survey/fetch-reference.sh [cache dir]   (default /work/survey-projects)
set -euo pipefail
CACHE=${1:-/work/survey-projects}
MIRRORS=${MIRRORS:-/work/.mirror}
SA_REF=${SA_REF:-rel_2_0_52}
dest="$CACHE/.reference"
rm -rf "$dest"; mkdir -p "$dest"
git -C "$MIRRORS/sqlalchemy+alembic/repo" archive HEAD alembic | tar -x -C "$dest"
git -C "$MIRRORS/sqlalchemy+sqlalchemy/repo" archive "$SA_REF" lib/sqlalchemy | tar -x -C "$dest" --strip-components=1
git -C "$MIRRORS/python+typing_extensions/repo" show HEAD:src/typing_extensions.py > "$dest/typing_extensions.py"
{
  echo "alembic $(git -C "$MIRRORS/sqlalchemy+alembic/repo" rev-parse HEAD)"
  echo "sqlalchemy $SA_REF $(git -C "$MIRRORS/sqlalchemy+sqlalchemy/repo" rev-parse "$SA_REF^{commit}")"
  echo "typing_extensions $(git -C "$MIRRORS/python+typing_extensions/repo" rev-parse HEAD)"
} > "$dest/VERSIONS"
PYTHONPATH="$dest" /usr/bin/python3 -c 'import alembic, sqlalchemy; print("alembic", alembic.__version__, "sqlalchemy", sqlalchemy.__version__)'
