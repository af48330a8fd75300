#!/usr/bin/env bash
# Stryker's build step, run in its sandbox: a copy of the project below
# .stryker-tmp/, a folder git ignores. components/app-source.ts reads app/'s
# identity from git, so the copy becomes a repository of its own, as a clone is.
set -euo pipefail
git init --quiet
git add --all
git -c user.name=stryker -c user.email=stryker@localhost commit --quiet --no-verify --no-gpg-sign --message "sandbox"
