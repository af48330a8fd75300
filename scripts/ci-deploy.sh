#!/usr/bin/env bash
# Deploys one stack from CI with the Pulumi CLI of the `pulumi` npm package.
# Reads: STACK, PULUMI_BACKEND_URL (empty: Pulumi Cloud with PULUMI_ACCESS_TOKEN),
# PULUMI_STACK_PREFIX (e.g. acme/goapi/ for Pulumi Cloud), REGISTRY_USERNAME,
# REGISTRY_PASSWORD, and IMAGE_REF to deploy a prebuilt digest instead of building.
set -euo pipefail
: "${STACK:?STACK is required}"
stack="${PULUMI_STACK_PREFIX:-}${STACK}"

echo "deploy: logging in to ${PULUMI_BACKEND_URL:-Pulumi Cloud}"
if [ -n "${PULUMI_BACKEND_URL:-}" ]; then
  npx pulumi login "$PULUMI_BACKEND_URL"
else
  npx pulumi login
fi
npx pulumi stack select --create "$stack"

if [ -n "${REGISTRY_USERNAME:-}" ]; then
  npx pulumi config set --stack "$stack" goapi:registryUsername "$REGISTRY_USERNAME"
fi
if [ -n "${REGISTRY_PASSWORD:-}" ]; then
  # From stdin, so the password never appears in a process list.
  printf '%s' "$REGISTRY_PASSWORD" | npx pulumi config set --stack "$stack" --secret goapi:registryPassword
fi
if [ -n "${IMAGE_REF:-}" ]; then
  echo "deploy: using the prebuilt image $IMAGE_REF (no build)"
  npx pulumi config set --stack "$stack" --path goapi:image.ref "$IMAGE_REF"
fi

# The policy pack (policy/) fails the update on a mandatory violation.
npx pulumi up --stack "$stack" --yes --diff --policy-pack policy
