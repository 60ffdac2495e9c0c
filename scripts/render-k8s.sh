#!/usr/bin/env bash
# Renders the kustomizations under k8s/ (the base and every overlay) and fails on the first error.
#
#   scripts/render-k8s.sh                  write k8s/rendered/<base|postgres|local>.yaml
#   scripts/render-k8s.sh --out DIR        write them to DIR
#   scripts/render-k8s.sh --stdout         print them all (each document stream headed by a comment)
#   scripts/render-k8s.sh --java [--out DIR]
#                                          use the built-in renderer of ManifestsTest (Maven, no kustomize)
#
# Renderer: $KUSTOMIZE if set (a kustomize or kubectl binary), else `kustomize build`, else
# `kubectl kustomize`, each only when its kustomize is v4 or later (the manifests use `patches:` and
# directories in `resources:`). Debian's kubernetes-client (kubectl 1.20, kustomize v2.0.3) is too
# old; the `kubectl` package on this project's machines (kubectl 1.32, kustomize v5.5) is fine.
# With none of them, --java is used: it runs ManifestsTest (which checks the manifests too) and
# writes what its built-in renderer produced.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
K8S="$ROOT/k8s"
OUT="$K8S/rendered"
MODE=files
JAVA=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --stdout) MODE=stdout; shift ;;
    --java) JAVA=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "render-k8s: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

TARGETS=(base)
for d in "$K8S"/overlays/*/; do
  [ -f "$d/kustomization.yaml" ] && TARGETS+=("overlays/$(basename "$d")")
done

# The Secrets are generated from git-ignored env files (k8s/generate-secrets.sh writes them).
if [ "$JAVA" = 0 ]; then
  for f in "$K8S/base/secrets.env" "$K8S/overlays/postgres/db.env"; do
    [ -f "$f" ] || { echo "render-k8s: $f is missing: run k8s/generate-secrets.sh first (or use --java)" >&2; exit 1; }
  done
fi

# The major version of the kustomize behind a binary, or nothing.
kustomize_major() {
  local exe="$1" v
  case "$(basename "$exe")" in
    kubectl*) v="$("$exe" version --client -o json 2>/dev/null | sed -n 's/.*"kustomizeVersion": *"\([^"]*\)".*/\1/p')" ;;
    *) v="$("$exe" version 2>/dev/null || true)" ;;
  esac
  { echo "$v" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' || true; } | head -1 | cut -d. -f1
}

RENDER=()
if [ "$JAVA" = 0 ]; then
  candidates=()
  if [ -n "${KUSTOMIZE:-}" ]; then candidates+=("$KUSTOMIZE"); fi
  if command -v kustomize >/dev/null; then candidates+=("$(command -v kustomize)"); fi
  if command -v kubectl >/dev/null; then candidates+=("$(command -v kubectl)"); fi
  for exe in "${candidates[@]+"${candidates[@]}"}"; do
    major="$(kustomize_major "$exe")"
    if [ -n "$major" ] && [ "$major" -ge 4 ]; then
      case "$(basename "$exe")" in kubectl*) RENDER=("$exe" kustomize) ;; *) RENDER=("$exe" build) ;; esac
      break
    fi
    echo "render-k8s: $exe: kustomize ${major:-?} is older than v4, not used" >&2
  done
  if [ ${#RENDER[@]} -eq 0 ]; then
    echo "render-k8s: no kustomize v4+ found (kustomize, kubectl); falling back to --java" >&2
    JAVA=1
  fi
fi

if [ "$JAVA" = 1 ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "render-k8s: rendering with ManifestsTest's KustomizeLite (mvn -pl api-gateway -am test)" >&2
  (cd "$ROOT" && mvn -B -q -pl api-gateway -am test -Dtest=ManifestsTest -Dsurefire.failIfNoSpecifiedTests=false \
      -Dk8s.dir="$K8S" -Dk8s.render.out="$tmp" >&2) || { echo "render-k8s: ManifestsTest failed" >&2; exit 1; }
  for t in "${TARGETS[@]}"; do
    name="$(basename "$t")"
    [ -s "$tmp/$name.yaml" ] || { echo "render-k8s: $t was not rendered (is it in ManifestsTest.TARGETS?)" >&2; exit 1; }
  done
  RENDER=(cat)
fi

[ "$MODE" = files ] && mkdir -p "$OUT"
for t in "${TARGETS[@]}"; do
  name="$(basename "$t")"
  if [ "${RENDER[0]}" = cat ]; then
    yaml="$(cat "$tmp/$name.yaml")"
  else
    yaml="$("${RENDER[@]}" "$K8S/$t" 2> >(grep -v '^# Warning' >&2))" || { echo "render-k8s: $t FAILED" >&2; exit 1; }
  fi
  [ -n "$yaml" ] || { echo "render-k8s: $t rendered nothing" >&2; exit 1; }
  count="$(printf '%s\n' "$yaml" | grep -c '^kind:' || true)"
  if [ "$MODE" = stdout ]; then
    printf '# ---------- k8s/%s (%s objects) ----------\n%s\n' "$t" "$count" "$yaml"
  else
    printf '%s\n' "$yaml" > "$OUT/$name.yaml"
    echo "render-k8s: k8s/$t -> ${OUT#"$ROOT"/}/$name.yaml ($count objects)" >&2
  fi
done
if [ "${RENDER[0]}" = cat ]; then how="ManifestsTest's KustomizeLite"; else how="${RENDER[*]}"; fi
echo "render-k8s: ${#TARGETS[@]} kustomizations rendered with $how" >&2
