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
                ca-certificates shellcheck openssl chromium chromium-driver
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup packages venv lab lab-engine images topology twin lab-down lab-clean \
        demo test unit portal lint sanity build docs awx ee lab-recovery integration molecule lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: packages venv lab ## everything the demo and the tests need

packages: ## Debian packages, installed only when missing
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done)
	if [ -n "$$missing" ]; then
	  echo "installing: $$missing"
	  apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null
	fi

venv: $(VENV)/.installed ## Python venv with the pinned versions of requirements/constraints.txt
$(VENV)/.installed: requirements/constraints.txt requirements/dev.in
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(BIN)/pip install -q -c requirements/constraints.txt -r requirements/dev.in 2>&1 | grep -v ' is ignored' || true
	$(PY) -c 'import ansible, ansible_builder, docker, netaddr, molecule, ansible_runner'
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

test: setup unit lint sanity build docs awx lab-recovery integration molecule ## every test: unit, lint, sanity, build, docs, awx, integration, molecule
	@echo "make test: all passed"

unit: venv ## unit tests of the pure logic (no Docker), the collection's, mast's and the portal's (SQLite)
	PYTHONPATH=collections $(BIN)/pytest -q -p no:cacheprovider $(COLL)/tests/unit tests/unit
	$(BIN)/pytest -q -p no:cacheprovider images/docker-opt/tests
	$(MAKE) --no-print-directory portal

# The portal's Django tests (test client, no lab); PORTAL_DATABASE_URL picks PostgreSQL.
PORTAL_ENV := PYTHONPATH=$(CURDIR)/collections PORTAL_TESTING=1 PORTAL_DATA_DIR=$(CURDIR)/build/portal-test
portal: venv ## the portal's Django tests on SQLite
	mkdir -p build/portal-test
	cd portal && $(PORTAL_ENV) ../$(PY) manage.py test --noinput -v 1

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

molecule: setup ## the roles on the lab engine: converge, idempotence, verify
	$(LABX) env PATH=$(CURDIR)/$(BIN):$$PATH molecule test

lock: ## refresh requirements/constraints.txt from requirements/dev.in
	rm -rf /tmp/coaxis-lock && python3 -m venv /tmp/coaxis-lock
	/tmp/coaxis-lock/bin/pip install -q -r requirements/dev.in
	{ echo '# Generated by `make lock` from dev.in: the exact versions every venv installs.'; \
	  /tmp/coaxis-lock/bin/pip freeze; } > requirements/constraints.txt
