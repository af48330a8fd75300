#!/usr/bin/env bash
# Stub curl: the API behind the Ingress answers when the cluster runs both
# stacks' objects and can pull the deployed image from the registry; Grafana
# and the trace viewer when it runs the add-ons' (unless addons-ui-down). A POST
# needs the stack's token, which it accepts only as a curl config line on
# stdin (`--config -`); those lines are kept in curl-config.log. Items
# written are kept in the world's database (db-items), one id a line; with
# `-D -` a POST prints its response headers, the new item's Location among them.
# The local registry answers whether it holds an image's manifest.
# shellcheck source=test/helpers/local-world/stub-lib.sh
source "${0%/*}/stub-lib.sh"
block_point "$@"
url="" method=GET config=0 headers=0 prev=""
for a in "$@"; do
  case $a in http://*) url=$a ;; esac
  [ "$prev" != -X ] || method=$a
  [ "$prev" != -D ] || [ "$a" != - ] || headers=1
  [ "$prev" != --config ] || [ "$a" != - ] || config=1
  prev=$a
done

# The value of `header = "..."`, unescaped as curl does.
header=""
if [ "$config" = 1 ]; then
  IFS= read -r line || true
  printf '%s\n' "$line" >>"$W/curl-config.log"
  quoted=${line#header = \"}
  quoted=${quoted%\"}
  while [ -n "$quoted" ]; do
    c=${quoted:0:1}
    quoted=${quoted:1}
    if [ "$c" = "\\" ]; then
      c=${quoted:0:1}
      quoted=${quoted:1}
    fi
    header="$header$c"
  done
fi

# The registry holds the image the app's objects name.
image_pullable() {
  fact objects/goapi
  local want=${fact#*@} have
  [ -e "$W/registry-images" ] || return 1
  while read -r have; do [ "$have" != "$want" ] || return 0; done <"$W/registry-images"
  return 1
}
serving() {
  ! docker_down && cluster_ready && [ -e "$W/objects/goapi-local-addons" ] && [ -e "$W/objects/goapi" ] &&
    [ -e "$W/hosts.toml" ] && [ -e "$W/registry-on-kind" ] && fact registry && [ "$fact" = running ] && image_pullable
}
# The registry's manifest endpoint (HEAD, with -w '%{http_code}'): whether it holds a digest.
case $url in
  http://127.0.0.1:5001/v2/goapi/manifests/*)
    fact registry
    if docker_down || [ "$fact" != running ]; then
      echo "curl: (7) Failed to connect to 127.0.0.1 port 5001 after 0 ms: Couldn't connect to server" >&2
      printf 000
      exit 7
    fi
    code=404
    if [ -e "$W/registry-images" ]; then
      while read -r have; do [ "$have" != "${url##*/}" ] || code=200; done <"$W/registry-images"
    fi
    [ ! -e "$W/registry-error" ] || code=503
    printf '%s' "$code"
    exit 0 ;;
esac
# Grafana and Jaeger, the add-ons' user interfaces behind the same Ingress.
case $url in
  http://grafana.localhost/* | http://traces.localhost/*)
    if docker_down || ! cluster_ready || [ ! -e "$W/objects/goapi-local-addons" ] || [ -e "$W/addons-ui-down" ]; then
      echo "curl: (7) Failed to connect to ${url#http://} port 80 after 0 ms: Couldn't connect to server" >&2
      exit 7
    fi
    case $url in http://grafana.localhost/api/health | http://traces.localhost/) exit 0 ;; esac
    echo "curl: (22) The requested URL returned error: 404" >&2
    exit 22 ;;
esac
if ! serving; then
  echo "curl: (7) Failed to connect to goapi.localhost port 80 after 0 ms: Couldn't connect to server" >&2
  exit 7
fi
case "$method ${url#http://goapi.localhost/}" in
  "GET readyz")
    if [ -e "$W/api-not-ready" ]; then echo "curl: (22) The requested URL returned error: 503" >&2; exit 22; fi ;;
  "GET healthz" | "GET v1/items") ;;
  "GET v1/items/"*)
    id=${url##*/} found=0
    if [ -e "$W/db-items" ]; then
      while read -r have; do [ "$have" != "$id" ] || found=1; done <"$W/db-items"
    fi
    if [ "$found" = 0 ]; then echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; fi ;;
  "POST v1/items")
    fact token
    if [ "$header" != "Authorization: Bearer $fact" ]; then
      echo "curl: (22) The requested URL returned error: 401" >&2
      exit 22
    fi
    id="item-$$"
    echo "$id" >>"$W/db-items"
    if [ "$headers" = 1 ]; then printf 'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /v1/items/%s\r\n\r\n' "$id"; fi ;;
  *) echo "curl: (22) The requested URL returned error: 404" >&2; exit 22 ;;
esac
