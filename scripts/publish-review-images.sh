#!/usr/bin/env bash
# Publish a review's PNG charts to a dedicated branch of the repository and print the commit
# that holds them, so review.md can link them by absolute URLs pinned to that commit (GitHub
# shows a pull-request comment's images only from absolute URLs).
#
#   scripts/publish-review-images.sh CHARTS_DIR REMOTE BRANCH DEST
#
# CHARTS_DIR: the review's charts folder (review-out/charts); REMOTE: git remote (origin);
# BRANCH: the images branch (created as an orphan branch when missing); DEST: folder inside the
# branch (e.g. pr-12/<head sha>). Prints the commit id on stdout; everything else goes to stderr.
set -euo pipefail
charts=$(cd "$1" && pwd); remote=$2; branch=$3; dest=$4
case "$dest" in /*|*..*) echo "DEST must be a relative path without '..'" >&2; exit 1;; esac
work=$(mktemp -d)
trap 'git worktree remove --force "$work" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if git fetch -q "$remote" "refs/heads/$branch" 2>/dev/null; then
  git worktree add -q --detach "$work" FETCH_HEAD >&2
else
  git worktree add -q --detach "$work" >&2
  git -C "$work" checkout -q --orphan tmp-review-images >&2
  git -C "$work" rm -rq --cached . >&2 || true
  git -C "$work" clean -fdxq >&2
fi
mkdir -p "$work/$dest/charts"
cp "$charts"/*.png "$work/$dest/charts/"
git -C "$work" add -- "$dest" >&2
git -C "$work" -c user.name="study review" -c user.email="study-review@users.noreply.github.com" \
  commit -q -m "review images: $dest" >&2
git -C "$work" push -q "$remote" "HEAD:refs/heads/$branch" >&2
git -C "$work" rev-parse HEAD
