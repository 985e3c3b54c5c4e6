# coaxis-opt: set-up, lab, demo and tests. Every target is idempotent and fast
# when already done; `make help` lists them.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
BIN       := $(VENV)/bin
LAB       := lab/engine.sh
# Inside the lab: its DOCKER_HOST, and the lab's vault password as the vault id "lab"
# (ansible.cfg names none, so production and AWX never get it).
LABX      := $(LAB) exec --
COLL      := collections/ansible_collections/coaxis/opt
DEB_PACKAGES := docker.io debootstrap iproute2 iptables openssh-client curl git util-linux \
                ca-certificates shellcheck openssl chromium chromium-driver gettext postgresql
# What `make check` needs of Debian: shellcheck, msgfmt for the portal's catalogs, git for the file lists.
CHECK_PACKAGES := shellcheck gettext git
# ruff lints the Python outside the collection (the collection has ansible-test sanity).
RUFF_PATHS := images/docker-opt lab bench tests $(wildcard docs/*.py)
# Every shell script of the checkout (tracked or new): *.sh, or a first line #!... sh or bash.
SHELL_SCRIPTS = $(shell { git ls-files -co --exclude-standard -z 2>/dev/null \
                  || find . \( -path ./.venv -o -path ./build -o -path ./.git \) -prune -o -type f -print0; } \
                  | xargs -0 awk 'BEGIN { for (i = 1; i < ARGC; i++) { f = ARGV[i]; line = ""; read = (getline line < f); \
                      if (read >= 0 && (f ~ /\.sh$$/ || line ~ /^\#!.*[\/ ](ba)?sh( |$$)/)) print f; close(f) } }' \
                  | sed 's|^\./||' | sort)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup packages check-packages venv lab lab-engine images topology twin lab-down lab-clean \
        demo test check unit unit-python ruff shellcheck portal portal-pg lint sanity build docs awx ee lab-recovery \
        integration molecule browser lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: packages venv lab ## everything the demo and the tests need

# The Debian packages of $(1), installed when missing.
define install_missing
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done)
	if [ -n "$$missing" ]; then
	  echo "installing: $$missing"
	  apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null
	fi
endef

packages: ## Debian packages, installed only when missing
	$(call install_missing,$(DEB_PACKAGES))

check-packages:
	$(call install_missing,$(CHECK_PACKAGES))

# One path setting for what the venv's python runs: coaxis-opt.pth in its site-packages names collections/, the
# root (lab.paths...) and portal/, relative to itself, so each checkout sharing a venv finds its own (tests: pyproject.toml).
PTH_ROOTS := collections . portal
venv: $(VENV)/.installed ## Python venv with the pinned versions of requirements/constraints.txt
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
	$(PY) -c 'import os, sys; print(*(os.path.relpath(p, sys.argv[1]) for p in sys.argv[2:]), sep="\n")' \
	  "$$site" $(addprefix $(CURDIR)/,$(PTH_ROOTS)) > "$$site/coaxis-opt.pth.new"
	if cmp -s "$$site/coaxis-opt.pth.new" "$$site/coaxis-opt.pth"; then rm "$$site/coaxis-opt.pth.new"
	else mv "$$site/coaxis-opt.pth.new" "$$site/coaxis-opt.pth"; fi

$(VENV)/.installed: requirements/constraints.txt requirements/dev.in
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(BIN)/pip install -q -c requirements/constraints.txt -r requirements/dev.in 2>&1 | grep -v ' is ignored' || true
	$(PY) -c 'import ansible, ansible_builder, docker, netaddr, molecule, ansible_runner, ruff'
	touch $@

lab: lab-engine images topology lab-portal ## the private lab: engine, images, topology, the admin interface

lab-engine: packages
	$(LAB) up

images: lab-engine venv ## lab images (debootstrap base, docker-opt, opt-firewall, opt-edge, opt-portal, lab node), built only when inputs change
	source lab/lab.env; export LAB_SOCK LAB_CACHE
	$(PY) lab/images.py

topology: images
	source lab/lab.env; export LAB_SOCK LAB_STATE LAB_NS LAB_RUN
	$(PY) lab/topology.py

# The admin interface at opt_admin_url (10.129.0.20:8000), deployed as production deploys it.
.PHONY: lab-portal
lab-portal: topology ## the lab's admin interface (playbooks/portal.yml): web server and job worker
	$(LABX) $(BIN)/ansible-playbook playbooks/portal.yml

twin: lab ## a second lab beside the first (same addresses, its own namespace): integration runs in halves
	lab/twin.sh up

lab-down: ## stop the lab (and its twin) and remove all it made (namespace, veth, host rules, mounts, data)
	lab/twin.sh down
	$(LAB) down

lab-clean: lab-down ## lab-down, plus the cached debootstrap root filesystem
	source lab/lab.env; rm -rf "$$LAB_CACHE"

demo: setup ## add client acme in the lab: its container, tunnels, a test job, its URL, the back-office and a technician's password, then the status report
	$(LABX) $(BIN)/ansible-playbook playbooks/add_client.yml -e client=acme
	$(LABX) $(PY) lab/demo-job.py
	$(LABX) $(BIN)/ansible-playbook playbooks/status.yml
	@echo "status report: $$(ls -t $(CURDIR)/reports/status-*.html | head -n 1)"

# check first: the offline tier fails in minutes, before the lab is built.
test: check setup portal-pg build docs awx lab-recovery integration molecule browser ## every test: check, portal-pg, build, docs, awx, integration, molecule, browser
	@echo "make test: all passed"

check: check-packages venv unit ruff shellcheck lint sanity ## the offline tier, no lab: unit tests, ruff, shellcheck, ansible-lint, ansible-test sanity
	@echo "make check: all passed"

unit: unit-python portal ## unit tests of the pure logic (no Docker), the collection's, mast's and the portal's (SQLite)

# Two runs: a test file name (test_probe.py) is in both the collection's tree and mast's.
unit-python: venv
	$(BIN)/pytest -q -p no:cacheprovider $(COLL)/tests/unit tests/unit
	$(BIN)/pytest -q -p no:cacheprovider images/docker-opt/tests

ruff: venv ## ruff over the Python outside the collection: mast, lab/, bench/, tests/, docs/
	$(BIN)/ruff check --no-cache $(RUFF_PATHS)

shellcheck: check-packages ## shellcheck over every shell script of the repository
	shellcheck -x $(SHELL_SCRIPTS)

# The portal's Django tests (test client, no lab); PORTAL_DATABASE_URL picks PostgreSQL. The
# French catalogs are compiled first (gettext); the .mo files are not committed.
PORTAL_ENV := PYTHONPATH=$(CURDIR)/collections PORTAL_TESTING=1 PORTAL_DATA_DIR=$(CURDIR)/build/portal-test
portal: venv ## the portal's Django tests on SQLite
	command -v msgfmt >/dev/null || { echo "gettext is missing (msgfmt): run make packages"; exit 1; }
	mkdir -p build/portal-test/static  # STATIC_ROOT: whitenoise warns when it is missing
	cd portal
	$(PORTAL_ENV) ../$(PY) manage.py compilemessages -v 0
	$(PORTAL_ENV) ../$(PY) manage.py test --noinput -v 1

# The same tests on Debian's PostgreSQL: a private cluster in build/pg (its own port, socket
# directory and password; run as the postgres user when make runs as root), started here and
# stopped when the tests end, whatever their result. When the postgres user cannot reach build/pg
# (a checkout under a private home) or its socket path would be too long, the cluster lives in
# /var/tmp/coaxis-portal-pg-<hash of the checkout's path> instead. PORTAL_PG_PORT fixes the port
# (default: a free one).
PG_DIR := $(CURDIR)/build/pg
portal-pg: venv ## the portal's Django tests on PostgreSQL (private cluster in build/pg)
	bindir=$$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$$bindir" ] && [ -x "$$bindir/initdb" ] || { echo "PostgreSQL is missing: run make packages"; exit 1; }
	command -v msgfmt >/dev/null || { echo "gettext is missing (msgfmt): run make packages"; exit 1; }
	as_pg=()
	pg=$(PG_DIR)
	mkdir -p build/portal-test/static  # STATIC_ROOT: whitenoise warns when it is missing
	if [ "$$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
	usable() { mkdir -p "$$1/run" && { [ "$$(id -u)" != 0 ] || chown postgres: "$$1" "$$1/run"; } \
	  && "$${as_pg[@]}" test -w "$$1/run" && [ $${#1} -le 80 ]; }
	if ! usable "$$pg"; then
	  pg=/var/tmp/coaxis-portal-pg-$$(printf %s "$(CURDIR)" | sha256sum | cut -c1-12)
	  usable "$$pg" || { echo "no directory the postgres user can use for the cluster"; exit 1; }
	  echo "portal-pg: the cluster lives in $$pg (the postgres user cannot use $(PG_DIR))"
	fi
	if [ ! -f "$$pg/data/PG_VERSION" ]; then
	  rm -rf "$$pg/data"
	  ( umask 077; $(PY) -c 'import secrets; print(secrets.token_hex(16), end="")' > "$$pg/password" )
	  [ "$$(id -u)" != 0 ] || chown postgres: "$$pg/password"
	  "$${as_pg[@]}" "$$bindir/initdb" -D "$$pg/data" -U portal --pwfile="$$pg/password" \
	    --auth=scram-sha-256 -E UTF8 --no-locale > "$$pg/initdb.log"
	fi
	pg_ctl() { timeout 60 "$${as_pg[@]}" "$$bindir/pg_ctl" -D "$$pg/data" "$$@"; }
	# A cluster left running by an interrupted run is stopped first.
	if pg_ctl status >/dev/null 2>&1; then pg_ctl -w -t 30 -m fast stop >/dev/null; fi
	port=$${PORTAL_PG_PORT:-$$($(PY) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
	pg_ctl -l "$$pg/server.log" -w -t 30 -o "-p $$port -k $$pg/run -c listen_addresses=127.0.0.1" start >/dev/null \
	  || { tail -n 20 "$$pg/server.log"; exit 1; }
	trap 'pg_ctl -w -t 30 -m fast stop >/dev/null' EXIT
	cd portal
	export PORTAL_DATABASE_URL="postgresql://portal:$$(cat "$$pg/password")@127.0.0.1:$$port/portal"
	$(PORTAL_ENV) ../$(PY) manage.py compilemessages -v 0
	$(PORTAL_ENV) ../$(PY) manage.py test --noinput -v 1

lint: venv ## ansible-lint, production profile, offline
	PATH=$(CURDIR)/$(BIN):$$PATH ansible-lint --profile production --nocolor -q

sanity: venv ## ansible-test sanity on the collection, offline
	$(COLL)/tests/sanity-offline.sh

build: venv ## the collection tarball
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build $(COLL)

docs: venv ## ansible-doc renders every module and filter without a warning; the operator guide (docs/) is consistent
	err=$$(mktemp)
	for m in $$(ls $(COLL)/plugins/modules/*.py | xargs -n1 basename | sed 's/\.py$$//'); do
	  $(BIN)/ansible-doc coaxis.opt.$$m > /dev/null 2> "$$err"
	  [ ! -s "$$err" ] || { cat "$$err"; echo "ansible-doc coaxis.opt.$$m warned"; exit 1; }
	done
	for f in $$(ls $(COLL)/plugins/filter/*.yml | xargs -n1 basename | sed 's/\.yml$$//'); do
	  $(BIN)/ansible-doc -t filter coaxis.opt.$$f > /dev/null 2> "$$err"
	  [ ! -s "$$err" ] || { cat "$$err"; echo "ansible-doc -t filter coaxis.opt.$$f warned"; exit 1; }
	done
	echo "ansible-doc: all modules and filters render"
	$(PY) docs/gen_errors.py --check
	$(BIN)/pytest -q -p no:cacheprovider tests/docs

awx: venv ## the AWX configuration and the execution environment, offline (no AWX, no lab)
	$(BIN)/pytest -q -p no:cacheprovider tests/awx

ee: build ## the execution environment's build context in build/ee (then: podman build -t <image> build/ee)
	$(BIN)/ansible-builder create -f execution-environment.yml -c build/ee --output-filename Containerfile

lab-recovery: setup ## the lab engine comes back after all its processes are killed
	$(BIN)/pytest -q -p no:cacheprovider tests/lab

# Two labs run the integration tests in two halves at once (about 40 % less wall time on
# two cores); INTEGRATION_LABS=1 runs them all in the first lab.
INTEGRATION_LABS ?= 2
integration: setup $(if $(filter 1,$(INTEGRATION_LABS)),,twin) ## integration tests on the lab and its twin (real engines, playbooks)
	$(PY) tests/run_integration.py --labs $(INTEGRATION_LABS)

browser: setup ## the seed's scenario in headless Chromium, through the lab's edge and the portal
	$(LABX) $(BIN)/pytest -q -p no:cacheprovider tests/browser

molecule: setup ## the roles on the lab engine: converge, idempotence, verify
	$(LABX) env PATH=$(CURDIR)/$(BIN):$$PATH molecule test

lock: ## refresh requirements/constraints.txt from requirements/dev.in
	rm -rf /tmp/coaxis-lock && python3 -m venv /tmp/coaxis-lock
	/tmp/coaxis-lock/bin/pip install -q -r requirements/dev.in
	{ echo '# Generated by `make lock` from dev.in: the exact versions every venv installs.'; \
	  /tmp/coaxis-lock/bin/pip freeze; } > requirements/constraints.txt
