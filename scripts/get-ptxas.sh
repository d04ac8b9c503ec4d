#!/usr/bin/env bash
# Installs NVIDIA's PTX assembler (ptxas, CUDA 11.8, from Debian bookworm's
# non-free nvidia-cuda-toolkit package) as DEST/bin/ptxas (default
# .tools/cuda/bin/ptxas), for checking without a GPU that the committed PTX
# assembles for sm_80/sm_90 and how many registers the kernels use
# (go test ./gpu/kernels -run PTXAssembles -v). Leaves the system's apt
# configuration alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/.tools/cuda}
[ -x "$dest/bin/ptxas" ] && { echo "get-ptxas: $dest/bin/ptxas exists"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
[ -n "$uri" ] || { echo "get-ptxas: no Debian mirror configured" >&2; exit 1; }
mkdir -p "$work/lists/partial"
echo "deb $uri bookworm main contrib non-free" > "$work/sources.list"
APT=(apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$work/lists")
"${APT[@]}" update >/dev/null
(cd "$work" && "${APT[@]}" download nvidia-cuda-toolkit >/dev/null)
dpkg-deb --fsys-tarfile "$work"/nvidia-cuda-toolkit_*.deb | tar -x -C "$work" ./usr/bin/ptxas
mkdir -p "$dest/bin"
cp "$work/usr/bin/ptxas" "$dest/bin/ptxas"
echo "get-ptxas: $("$dest/bin/ptxas" --version | tail -1)"
