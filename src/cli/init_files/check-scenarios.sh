#!/bin/sh
# CI check for this scenario repository: fails when a scenario has an error or a warning, or is
# not formatted; on a pull request (BASE_REF set), also prints how each changed scenario's plan
# changed, for the reviewer. Needs dfaas-run on the PATH.
#   GitHub Actions (checkout with fetch-depth: 0):
#     - run: sh ci/check-scenarios.sh
#       env:
#         BASE_REF: ${{ github.event_name == 'pull_request' && format('origin/{0}', github.base_ref) || '' }}
#   GitLab CI:
#     script:
#       - BASE_REF="${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:+origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME}" sh ci/check-scenarios.sh
# See docs/scenario-repository.md in dfaas-run.
set -eu
cd "$(dirname "$0")/.."

dfaas-run check --deny-warnings scenarios
dfaas-run fmt --check scenarios

if [ -n "${BASE_REF:-}" ]; then
  git diff --name-only --diff-filter=M "$BASE_REF" -- '*.dfs' | while IFS= read -r file; do
    # Exit status 1 means "the plan changed": shown for review, not a failure.
    dfaas-run diff "$file" --from "$BASE_REF" || [ $? -eq 1 ]
  done
fi
