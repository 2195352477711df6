#!/bin/bash
# Extracts the surveyed projects from their git mirrors (brought by the session's `fetch` tool into
# /work/.mirror/<owner>+<name>/repo) into a cache outside the repo, whole tree minus large binaries,
# and writes test/survey/fetch-list.md (project, commit, version folders found).
# Usage: test/survey/fetch-projects.sh [cache dir]   (default /work/survey-projects)
set -euo pipefail
CACHE=${1:-/work/survey-projects}
MIRRORS=${MIRRORS:-/work/.mirror}
HERE=$(cd "$(dirname "$0")" && pwd)
PROJECTS=(
  CTFd/CTFd Netflix/dispatch getredash/redash indico/indico pypi/warehouse quay/quay
  PrefectHQ/prefect openstack/neutron cgwire/zou pgadmin-org/pgadmin4 ckan/ckan Netflix/lemur
  buildbot/buildbot aiidateam/aiida-core mealie-recipes/mealie openstack/ironic openstack/octavia
  jupyterhub/jupyterhub
)
mkdir -p "$CACHE"
list="$HERE/fetch-list.md"
{
  echo "# Surveyed projects"
  echo
  echo "Extracted by \`test/survey/fetch-projects.sh\` from \`git archive HEAD\` of each mirror into \`$CACHE/<owner>+<name>/\`"
  echo "(binaries and files over 1 MB left out). Version folders are what \`survey.ts\` finds."
  echo
  echo "Regenerate: \`test/survey/fetch-projects.sh && test/survey/fetch-reference.sh\` (after fetching the mirrors), then"
  echo "\`npm run survey -- --alembic-path $CACHE/.reference --out survey.md $CACHE/*\`"
  echo "(without \`--alembic-path\`: Debian's Alembic 1.8.1 + SQLAlchemy 1.4; \`--no-alembic\`: the engine only)."
  echo
  echo "| project | commit | date | version folders |"
  echo "| --- | --- | --- | --- |"
} > "$list"
for p in "${PROJECTS[@]}"; do
  name=${p/\//+}
  git_dir="$MIRRORS/$name/repo"
  [[ -d "$git_dir" ]] || { echo "missing mirror: $p (fetch github:$p first)" >&2; continue; }
  commit=$(git -C "$git_dir" rev-parse HEAD)
  date=$(git -C "$git_dir" log -1 --format=%cs HEAD)
  dest="$CACHE/$name"
  if [[ "$(cat "$dest/.commit" 2>/dev/null)" != "$commit" ]]; then
    rm -rf "$dest"; mkdir -p "$dest"
    # A temporary index holding the blobs that are present in the mirror (large ones may be absent),
    # text-sized (under 1 MB) and not binary assets, then checked out into the cache.
    idx=$(mktemp)
    git -C "$git_dir" ls-tree -r -l HEAD \
      | awk -F'\t' '{ split($1, m, " "); if (m[2] == "blob" && m[4] != "-" && m[4] + 0 < 1048576) print m[1] " " m[3] "\t" $2 }' \
      | grep -Eiv $'\t.*(\.(png|jpe?g|gif|ico|woff2?|ttf|eot|otf|zip|gz|tgz|xz|bz2|pdf|mp4|webm|webp|psd|jar|whl|so|dll|exe|sqlite|db|mo)$|node_modules/)' \
      > "$idx.all" || true
    # Blobs absent from the mirror: `git cat-file --batch-check` prints "<sha> missing" for them.
    cut -d' ' -f2 "$idx.all" | cut -f1 | git -C "$git_dir" cat-file --batch-check | awk '$2 == "missing" { print $1 }' > "$idx.missing"
    awk 'FILENAME == ARGV[1] { gone[$1] = 1; next } { split($0, a, "\t"); split(a[1], m, " "); if (!(m[2] in gone)) print }' "$idx.missing" "$idx.all" > "$idx.list"
    rm -f "$idx"
    GIT_INDEX_FILE="$idx" git --git-dir="$git_dir" --work-tree="$dest" update-index --add --index-info < "$idx.list"
    (cd "$dest" && GIT_INDEX_FILE="$idx" git --git-dir="$git_dir" --work-tree=. checkout-index -a -f)
    rm -f "$idx" "$idx.list" "$idx.all" "$idx.missing"
    echo "$commit" > "$dest/.commit"
  fi
  folders=$(cd "$dest" && find . -type d -name versions -not -path '*/node_modules/*' -not -path '*/tests/*' -not -path '*/test/*' \
    -exec sh -c 'ls "$1"/*.py >/dev/null 2>&1 && grep -lqs "^\(down_\)\?revision" "$1"/*.py && echo "$1"' _ {} \; | sed 's|^\./||' | sort | tr '\n' ' ')
  echo "| $p | \`$commit\` | $date | ${folders:-?} |" >> "$list"
  echo "$p $commit"
done
