"""Give the fleet engines the product images of the lab engine (lab/fleet.sh up).

    python lab/fleet_images.py --ensure                   build them in the lab when one is missing
    python lab/fleet_images.py --from URL ENGINE_URL...   copy them from the lab into each engine
    python lab/fleet_images.py --all --from URL ENGINE_URL...   every lab image (a second lab)

No registry: each image is saved once from the lab engine (spooled under /var/tmp) and loaded
into every fleet engine that does not already hold the same image id under the same tag.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker
import requests

from images import IMAGES, image_id  # lab/images.py, beside this script: one list of the lab's images

ROOT = Path(__file__).resolve().parent.parent
# What a Docker host of the fleet runs: the client containers, the firewall, the edge proxy
# (every image the lab builds but its own stand-ins, coaxis-lab/*, and the admin interface, which
# runs on the admin host alone). A second lab (--all) gets them all.
PRODUCT_IMAGES = [ref for ref in IMAGES if not ref.startswith("coaxis-lab/") and ref != "coaxis/opt-portal:lab"]
# Loading a few hundred MB into a fresh engine takes tens of seconds on the CI machines.
API_TIMEOUT = 600
SAVE_ATTEMPTS = 3


def log(text):
    print(f"[fleet images] {text}", file=sys.stderr, flush=True)


def ensure(lab_url):
    """Build the images in the lab when one is missing (lab/images.py rebuilds nothing it has)."""
    lab = docker.DockerClient(base_url=lab_url, timeout=API_TIMEOUT)
    missing = [ref for ref in PRODUCT_IMAGES if not image_id(lab, ref)]
    if not missing:
        return
    log(f"not in the lab yet: {', '.join(missing)}; building them there")
    subprocess.run([sys.executable, str(ROOT / "lab" / "images.py")], check=True,
                   env={**os.environ, "DOCKER_HOST": lab_url})


def save(lab, ref, path):
    """The image's archive on disk, tag included (named=ref). Spooled rather than piped into
    the engines: a stream from the lab engine broke mid-image now and then, and one file
    serves every engine of the fleet."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with open(path, "wb") as archive:
                for chunk in lab.images.get(ref).save(named=ref):
                    archive.write(chunk)
            return
        except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
            log(f"saving {ref} from the lab failed (attempt {attempt} of {SAVE_ATTEMPTS}): {exc}")
    sys.exit(f"could not save {ref} from the lab engine")


def copy(lab_url, engine_urls, refs=PRODUCT_IMAGES):
    lab = docker.DockerClient(base_url=lab_url, timeout=API_TIMEOUT)
    wanted = {ref: image_id(lab, ref) for ref in refs}
    absent = [ref for ref, ident in wanted.items() if not ident]
    if absent:
        sys.exit(f"not in the lab engine: {', '.join(absent)} (make images)")
    engines = {url: docker.DockerClient(base_url=url, timeout=API_TIMEOUT) for url in engine_urls}
    with tempfile.TemporaryDirectory(prefix="coaxis-fleet-images-", dir="/var/tmp") as spool:
        for ref, ident in wanted.items():
            targets = [url for url, engine in engines.items() if image_id(engine, ref) != ident]
            for url in sorted(set(engines) - set(targets)):
                log(f"{url}: {ref} up to date")
            if not targets:
                continue
            archive = Path(spool) / "image.tar"
            save(lab, ref, archive)
            for url in targets:
                started = time.monotonic()
                with open(archive, "rb") as data:
                    engines[url].images.load(data)
                got = image_id(engines[url], ref)
                if got != ident:
                    sys.exit(f"{url}: {ref} loaded as {got}, expected {ident}")
                log(f"{url}: {ref} loaded in {time.monotonic() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ensure", action="store_true")
    parser.add_argument("--all", action="store_true",
                        help="the lab's own stand-ins too (sites, printers, Coaxis host): a second lab")
    parser.add_argument("--from", dest="lab_url",
                        default=f"unix://{os.environ.get('LAB_SOCK', '/run/coaxis-lab/docker.sock')}")
    parser.add_argument("engines", nargs="*")
    args = parser.parse_args()
    if args.ensure:
        ensure(args.lab_url)
    if args.engines:
        copy(args.lab_url, args.engines, IMAGES if args.all else PRODUCT_IMAGES)


if __name__ == "__main__":
    main()
