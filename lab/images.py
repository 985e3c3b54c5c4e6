"""Build the lab's images on the lab engine, offline, only when their inputs change.

    python lab/images.py            import the base, build docker-opt, opt-firewall, opt-edge, opt-portal
                                    and the lab node image
    python lab/images.py --list     print the image references the lab uses

No registry is reachable: the base comes from lab/base-rootfs.sh (debootstrap),
and every build runs with the lab namespace's network (network_mode=host) plus
an /etc/hosts entry for the Debian mirror, the one address routed out of it.
Each image is tagged with a hash of its build context, build arguments and base
image id; a tag that already exists means nothing to do.

opt-portal's context is assembled under build/ (assemble_portal): images/opt-portal, the project's
files the portal and its playbooks need (project/), and the Python wheels (wheels/), made once on
this machine with the venv's pip from requirements/constraints.txt and cached in $LAB_CACHE (the
containers reach Debian's mirror, not PyPI).
"""
import argparse
import fnmatch
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parent.parent
BASE_REF = "coaxis-lab/base:bookworm"
IMAGES = {
    # reference the inventory uses  -> build context
    "coaxis/docker-opt:lab": ROOT / "images" / "docker-opt",
    "coaxis/opt-firewall:lab": ROOT / "images" / "opt-firewall",
    "coaxis/opt-edge:lab": ROOT / "images" / "opt-edge",
    "coaxis/opt-portal:lab": ROOT / "build" / "opt-portal-context",
    "coaxis-lab/node:lab": ROOT / "images" / "lab" / "node",
}
MIRROR_HOSTS = os.environ.get("LAB_MIRROR_HOSTS", "deb.debian.org").split()
PORTAL_REF = "coaxis/opt-portal:lab"
PORTAL_SOURCE = ROOT / "images" / "opt-portal"
# What the portal's image holds of the project: the portal, the playbooks it runs, with the
# collection, the roles and the configuration they run with.
PORTAL_PROJECT = ["portal", "playbooks", "roles", "collections", "ansible.cfg"]
PORTAL_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "output", ".pytest_cache", "*.sqlite3", "tests")
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
CACHE = Path(os.environ.get("LAB_CACHE", "/var/cache/coaxis-lab"))


def log(text):
    print(f"[lab images] {text}", file=sys.stderr, flush=True)


def engine():
    return docker.DockerClient(base_url=os.environ.get("DOCKER_HOST", f"unix://{os.environ['LAB_SOCK']}"),
                               timeout=600)


def image_id(client, ref):
    try:
        return client.images.get(ref).id
    except docker.errors.ImageNotFound:
        return None


def ensure_base(client):
    if image_id(client, BASE_REF):
        return image_id(client, BASE_REF)
    tarball = subprocess.run([str(ROOT / "lab" / "base-rootfs.sh")], check=True,
                             capture_output=True, text=True).stdout.strip()
    log(f"importing {tarball} as {BASE_REF}")
    repo, tag = BASE_REF.split(":")
    with open(tarball, "rb") as data:
        client.api.import_image_from_data(data, repository=repo, tag=tag)
    return image_id(client, BASE_REF)


def ignored(context, path):
    """Whether .dockerignore keeps ``path`` out of the build context (the simple patterns we use)."""
    ignore_file = context / ".dockerignore"
    if not ignore_file.exists():
        return False
    relative = path.relative_to(context)
    for pattern in ignore_file.read_text().splitlines():
        pattern = pattern.strip()
        if not pattern or pattern.startswith("#"):
            continue
        pattern = pattern.removeprefix("**/")
        if any(fnmatch.fnmatch(part, pattern) for part in relative.parts) or fnmatch.fnmatch(str(relative), pattern):
            return True
    return False


def context_hash(context, buildargs):
    digest = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file() and not ignored(context, p)):
        digest.update(str(path.relative_to(context)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for key in sorted(buildargs):
        digest.update(f"{key}={buildargs[key]}\0".encode())
    return digest.hexdigest()[:12]


def portal_wheels():
    """The wheels of images/opt-portal/requirements.txt at the pinned versions, made once per
    (requirements, constraints) pair with the venv's pip and cached: a warm build needs no network."""
    requirements = PORTAL_SOURCE / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes() + b"\0" + CONSTRAINTS.read_bytes()).hexdigest()[:12]
    wheels = CACHE / f"portal-wheels-{digest}"
    if (wheels / ".complete").exists():
        return wheels
    log(f"making the portal's wheels into {wheels} (once)")
    partial = wheels.with_name(wheels.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    subprocess.run([str(ROOT / ".venv" / "bin" / "pip"), "wheel", "-q", "--disable-pip-version-check",
                    "--wheel-dir", str(partial), "-c", str(CONSTRAINTS), "-r", str(requirements)], check=True)
    (partial / ".complete").write_text("")
    shutil.rmtree(wheels, ignore_errors=True)
    partial.rename(wheels)
    return wheels


def assemble_portal(context):
    """opt-portal's build context, rewritten in full (its hash then says whether to build)."""
    wheels = portal_wheels()
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(PORTAL_SOURCE, context)
    shutil.copytree(wheels, context / "wheels", ignore=shutil.ignore_patterns(".complete"))
    for name in PORTAL_PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / "project" / name, ignore=PORTAL_SKIP)
        else:
            shutil.copy2(source, context / "project" / name)


def revision():
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              check=True, capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def mirror_hosts():
    return {h: socket.gethostbyname(h) for h in MIRROR_HOSTS}


def build(client, ref, context, base_id):
    # The revision label is informative; it does not take part in the hash, so a
    # new commit that leaves the context alone does not rebuild the image.
    buildargs = {"BASE_IMAGE": BASE_REF, "BASE_ID": base_id}
    repo, moving_tag = ref.split(":")
    pinned = f"{repo}:{context_hash(context, buildargs)}"
    if image_id(client, pinned):
        client.images.get(pinned).tag(repo, moving_tag)
        log(f"{ref} up to date ({pinned})")
        return
    log(f"building {pinned} from {context.relative_to(ROOT)}")
    started = time.monotonic()
    buildargs.pop("BASE_ID")
    image, _ = client.images.build(
        path=str(context), tag=pinned, buildargs={**buildargs, "OPT_REVISION": revision()},
        network_mode="host", extra_hosts=mirror_hosts(), rm=True, forcerm=True, pull=False)
    image.tag(repo, moving_tag)
    log(f"built {pinned} in {time.monotonic() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join([BASE_REF, *IMAGES]))
        return
    client = engine()
    base_id = ensure_base(client)
    for ref, context in IMAGES.items():
        if ref == PORTAL_REF:
            assemble_portal(context)
        build(client, ref, context, base_id)


if __name__ == "__main__":
    try:
        main()
    except docker.errors.BuildError as exc:
        for line in exc.build_log:
            sys.stderr.write(line.get("stream", "") or line.get("error", ""))
        sys.exit(f"image build failed: {exc}")
