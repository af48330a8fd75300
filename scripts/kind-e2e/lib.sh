# shellcheck shell=bash
# Shared by the checks the e2e workflow runs on the local stack after
# `npm run local:up`: the names, state folder and Pulumi CLI of
# scripts/lib/local.sh, and the API reached through the Ingress on port 80.
# shellcheck source=scripts/lib/local.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/local.sh"
me="kind-e2e/${0##*/}"
again="scripts/$me"
need_node
need_pulumi
check_tools

api_url="http://$ingress_host:$http_port/"
# The version the API serves at /: the image's tag, a content address of app/.
served_version() {
  curl -fsS --max-time 5 --resolve "$ingress_host:$http_port:127.0.0.1" "$api_url" |
    sed -n 's/.*"version": *"\([^"]*\)".*/\1/p'
}
