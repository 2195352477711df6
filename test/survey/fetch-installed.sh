#!/bin/bash
# Lays out, in each surveyed project that imports them in its migrations, the libraries its
# requirements.txt installs, as a user's virtualenv holds them: <project>/.venv/lib/python3/site-packages/.
# The engine reads them there as it reads the project's own modules (never running them); the reference
# run puts the same folder on sys.path. Source: the library's git mirror (the session's `fetch` tool).
# Usage: test/survey/fetch-installed.sh [cache dir]   (default /work/survey-projects; after fetch-projects.sh)
set -euo pipefail
CACHE=${1:-/work/survey-projects}
MIRRORS=${MIRRORS:-/work/.mirror}
# project | library repository | package folder in it
INSTALLS=(
  "openstack+neutron openstack/neutron-lib neutron_lib"
  "openstack+neutron openstack/oslo.db oslo_db"
  "openstack+neutron openstack/oslo.config oslo_config"
  "openstack+octavia openstack/octavia-lib octavia_lib"
  "openstack+octavia openstack/oslo.db oslo_db"
  "openstack+octavia openstack/oslo.config oslo_config"
  "openstack+ironic openstack/oslo.db oslo_db"
  "openstack+ironic openstack/oslo.config oslo_config"
)
for line in "${INSTALLS[@]}"; do
  read -r project repo package <<<"$line"
  [[ -d "$CACHE/$project" ]] || continue
  git_dir="$MIRRORS/${repo/\//+}/repo"
  [[ -d "$git_dir" ]] || { echo "missing mirror: $repo (fetch github:$repo first)" >&2; continue; }
  site="$CACHE/$project/.venv/lib/python3/site-packages"
  mkdir -p "$site"
  touch "$CACHE/$project/.venv/pyvenv.cfg"
  rm -rf "${site:?}/$package"
  git -C "$git_dir" archive HEAD "$package" | tar -x -C "$site"
  echo "$project: $repo $(git -C "$git_dir" rev-parse --short HEAD) -> .venv/lib/python3/site-packages/$package"
done
