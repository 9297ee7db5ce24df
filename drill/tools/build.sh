#!/usr/bin/env bash
# Builds one drill tool from its published Go module into the version-keyed cache.
#   drill/tools/build.sh <component>
# Called by `npm run drill:tools` (drill/tools.ts), which decides what is missing.
# Nothing here is written inside the repository: wrapper modules, module and build caches and
# binaries all live under $DRILL_CACHE. A build writes into a temporary folder and renames it into
# place, so an interrupted build leaves nothing that looks finished.
set -euo pipefail

component=${1:?usage: build.sh <component>}
CACHE=${DRILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hopsworks-dr/drill}
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 GOPROXY=${GOPROXY:-$(go env GOPROXY)}
mkdir -p "$GOMODCACHE" "$GOCACHE" "$CACHE/bin" "$CACHE/src"

# The versions, one home: drill/tools.ts reads the same names from drill/versions.json.
HERE=$(cd "$(dirname "$0")" && pwd)
VERSIONS=$HERE/../versions.json
v() { node -e 'process.stdout.write(require(process.argv[1])[process.argv[2]])' "$VERSIONS" "$1"; }

# A fresh wrapper module of our own for each build (no third-party source is copied anywhere).
wrapper() {
  local dir=$CACHE/src/$1
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  printf 'module hopsworks-dr-drill/%s\n\ngo %s\n' "$1" "$2" > go.mod
}

# Moves a finished build into place: $CACHE/bin/<component>-<version>/.
install_dir() {
  local final=$CACHE/bin/$1 tmp=$CACHE/bin/.$1.tmp
  rm -rf "$final" && mv "$tmp" "$final"
}

case $component in
pulumi)
  V=$(v pulumi); OUT=pulumi-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper pulumi 1.25.11
  # pkg/go.mod replaces the clipboard module with this fork; a dependency's replaces are ignored, so repeat it.
  go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$V github.com/pulumi/pulumi/sdk/v3@v$V
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$V" \
    -o "$TMP/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  install_dir "$OUT" ;;
pulumi-language-nodejs)
  # The language host of 3.248 lives in a module of its own that the module proxy does not serve;
  # the newest host the proxy serves is the one inside sdk/v3 (up to v3.68.0). It lacks RunPlugin,
  # which policy packs need: drill/tools/language-host/main.go (ours) adds that call in front of it.
  V=$(v pulumi-language-nodejs); OUT=pulumi-language-nodejs-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper pulumi-language-nodejs 1.18
  go get github.com/pulumi/pulumi/sdk/v3@v$V
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$V" \
    -o "$TMP/pulumi-language-nodejs-upstream" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
  wrapper pulumi-language-nodejs-runplugin 1.25.11
  cp "$HERE/language-host/main.go" main.go
  go get github.com/pulumi/pulumi/sdk/v3@v$(v pulumi)
  go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$TMP/pulumi-language-nodejs" .
  install_dir "$OUT" ;;
pulumi-resource-kubernetes)
  # provider/v4 has no semver tags; the proxy serves one pseudo-version (drill/versions.json).
  V=$(v pulumi-resource-kubernetes); PV=$(v pulumi-resource-kubernetes-module); SV=$(v pulumi-kubernetes-sdk-module)
  OUT=pulumi-resource-kubernetes-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper pulumi-resource-kubernetes 1.25.0
  go mod edit -require=github.com/pulumi/pulumi-kubernetes/provider/v4@$PV -require=github.com/pulumi/pulumi-kubernetes/sdk/v4@$SV
  go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
  D=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes
  # What the provider's `go generate` does: embed the schema with its version, and the mappings (data files
  # read from the module cache, never copied into the repository).
  node -e 'const fs=require("fs");const s=JSON.parse(fs.readFileSync(process.argv[1]));s.version=process.argv[2];fs.writeFileSync("schema-embed.json",JSON.stringify(s))' "$D/schema.json" "$V"
  node -e 'const fs=require("fs");fs.writeFileSync("terraform-mapping-embed.json",JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1]))))' "$D/terraform-mapping.json"
  chmod u+w ./*.json
  # provider.Serve's signature follows the module: newer commits also take a Helm mapping file.
  if [ -f "$D/helm-mapping.json" ]; then
    cp "$D/helm-mapping.json" . && chmod u+w helm-mapping.json
    HELM_EMBED=$'\n//go:embed helm-mapping.json\nvar helmMapping []byte\n'; HELM_ARG=", helmMapping"
  else
    HELM_EMBED=""; HELM_ARG=""
  fi
  cat > main.go <<GO
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte
$HELM_EMBED
func main() { provider.Serve("kubernetes", version.Version, schema, terraformMapping$HELM_ARG) }
GO
  go mod tidy
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$V" \
    -o "$TMP/pulumi-resource-kubernetes" .
  install_dir "$OUT" ;;
kubernetes)
  V=$(v kubernetes); MINOR=$(echo "$V" | cut -d. -f2); OUT=kubernetes-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper kubernetes 1.24.0
  go mod edit -require=k8s.io/kubernetes@v$V
  GM=$(go mod download -json k8s.io/kubernetes@v$V | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).GoMod))')
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...;
  # point each at its published v0.<minor>.<patch> instead.
  for m in $(awk '$2=="=>" && $3 ~ /^\.\/staging\// {print $1}' "$GM"); do go mod edit -replace=$m=$m@v0.${V#1.}; done
  go get k8s.io/kubernetes/cmd/kube-apiserver@v$V k8s.io/kubernetes/cmd/kube-controller-manager@v$V \
    k8s.io/kubernetes/cmd/kube-scheduler@v$V k8s.io/kubernetes/cmd/kubectl@v$V
  # Stamped versions are required: Helm refuses charts' kubeVersion against an unstamped v0.0.0 server.
  L="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    L="$L -X $p.gitVersion=v$V -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  go build -trimpath -ldflags "$L" -o "$TMP/" k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  install_dir "$OUT" ;;
etcd)
  V=$(v etcd); OUT=etcd-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper etcd 1.24.0
  # etcd's server module has no main package of its own: a three-line main calls etcdmain.Main.
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > main.go
  go get go.etcd.io/etcd/server/v3@v$V
  go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$TMP/etcd" .
  install_dir "$OUT" ;;
kwok)
  V=$(v kwok); OUT=kwok-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper kwok 1.26.0
  go get sigs.k8s.io/kwok/cmd/kwok@v$V
  go build -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$V" -o "$TMP/kwok" sigs.k8s.io/kwok/cmd/kwok
  # kwok runs nothing without stages; kwokctl passes its defaults, which are data files of the module:
  # a node turns Ready, pods turn Running and Ready, Job pods complete, deleted pods go away.
  D=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
  for f in node/fast/node-initialize pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    printf -- '---\n'; cat "$D/$f.yaml"
  done > "$TMP/kwok-stages.yaml"
  install_dir "$OUT" ;;
velero)
  V=$(v velero); OUT=velero-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper velero 1.24.0
  # velero's own go.mod replaces kopia with Velero's fork; repeat that replace here.
  go mod edit -replace=github.com/kopia/kopia=github.com/project-velero/kopia@v0.0.0-20250722052735-3ea24d208777
  # The checksum database has no entry for the fork: verify it against the hashes velero's own go.sum pins.
  VD=$(go mod download -json github.com/vmware-tanzu/velero@v$V | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).Dir))')
  grep '^github.com/project-velero/kopia ' "$VD/go.sum" >> go.sum
  go get github.com/vmware-tanzu/velero/cmd/velero@v$V
  go build -trimpath -ldflags "-s -w -X github.com/vmware-tanzu/velero/pkg/buildinfo.Version=v$V" \
    -o "$TMP/velero" github.com/vmware-tanzu/velero/cmd/velero
  install_dir "$OUT" ;;
velero-plugin-for-aws)
  V=$(v velero-plugin-for-aws); OUT=velero-plugin-for-aws-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper velero-plugin-for-aws 1.24.0
  # The module, not the package: for v1.13.x the proxy refuses (403) the longer path go get tries first.
  go get github.com/vmware-tanzu/velero-plugin-for-aws@v$V
  go build -trimpath -ldflags "-s -w" -o "$TMP/velero-plugin-for-aws" github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws
  install_dir "$OUT" ;;
helm)
  # The Helm CLI an operator uses to look at (and remove) a release an interrupted install left behind.
  V=$(v helm); OUT=helm-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper helm 1.24.0
  go get helm.sh/helm/v3/cmd/helm@v$V
  go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$V" -o "$TMP/helm" helm.sh/helm/v3/cmd/helm
  install_dir "$OUT" ;;
kube-state-metrics)
  # Its main package is the module's root; the version is stamped where its --version reads it.
  V=$(v kube-state-metrics); OUT=kube-state-metrics-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper kube-state-metrics 1.24.0
  go get k8s.io/kube-state-metrics/v2@v$V
  go build -trimpath -ldflags "-s -w -X github.com/prometheus/common/version.Version=v$V" \
    -o "$TMP/kube-state-metrics" k8s.io/kube-state-metrics/v2
  install_dir "$OUT" ;;
promtool|prometheus)
  V=$(v "$component"); OUT=$component-$V; TMP=$CACHE/bin/.$OUT.tmp; rm -rf "$TMP"; mkdir -p "$TMP"
  wrapper prometheus 1.24.0
  go get github.com/prometheus/prometheus/cmd/$component@$(v prometheus-module)
  go build -trimpath -tags netgo -ldflags "-s -w -X github.com/prometheus/common/version.Version=$V" \
    -o "$TMP/$component" github.com/prometheus/prometheus/cmd/$component
  install_dir "$OUT" ;;
*) echo "unknown component: $component" >&2; exit 2 ;;
esac
