#!/usr/bin/env bash
# Build the lab's Debian base root filesystem with debootstrap, once, as a tarball
# in the cache. No image registry is reachable here, so every lab image starts
# from this tarball (imported by lab/images.py). Rebuilt only when missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab/lab.env
source "$here/lab.env"

SUITE=${LAB_SUITE:-bookworm}
MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
out=$LAB_CACHE/rootfs-$SUITE.tar

if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$LAB_CACHE"
work=$(mktemp -d "$LAB_CACHE/debootstrap.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "[lab] debootstrap --variant=minbase $SUITE (about a minute, once)" >&2
debootstrap --variant=minbase "$SUITE" "$work/root" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# Keep the image small and reproducible: no package lists, caches or logs.
rm -rf "$work/root"/var/lib/apt/lists/* "$work/root"/var/cache/apt/*.bin \
       "$work/root"/var/cache/apt/archives/*.deb "$work/root"/var/log/*.log
tar -C "$work/root" --numeric-owner -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$out"
