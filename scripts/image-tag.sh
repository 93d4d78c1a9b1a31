#!/usr/bin/env bash
# Prints the image tag for the working tree (`make image` tags every build with it): the commit,
# plus a hash of what is not committed yet when the tree is dirty, so a rebuilt image never
# reuses the tag of another build and `make deploy` always changes the pod template when the
# code changed. Outside a git checkout, a hash of the build inputs stands in for the commit.
#
#   a1b2c3d4e5f6                  clean tree at commit a1b2c3d4e5f6
#   a1b2c3d4e5f6-dirty-0f1e2d3c4b5a  the same commit with uncommitted or untracked changes
set -euo pipefail
cd "$(dirname "$0")/.."

# Twelve hex digits: what `git describe` shows for large repositories, and short enough to read.
short_hash() { sha256sum | cut -c1-12; }

if ! commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  find Dockerfile package.json package-lock.json tsconfig*.json src migrations -type f -print0 |
    sort -z | xargs -0 sha256sum | short_hash | sed 's/^/nogit-/'
  exit 0
fi

untracked=$(git ls-files --others --exclude-standard -z | tr '\0' '\n')
if git diff --quiet HEAD -- && [ -z "$untracked" ]; then
  echo "$commit"
  exit 0
fi
# The changes themselves, not their timestamps: the same edit always gives the same tag.
{
  git diff HEAD --binary --
  git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum --
} | short_hash | sed "s/^/$commit-dirty-/"
