# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Options shared by every coaxis.opt module that talks to a Docker engine."""

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - URL of the Docker engine API, for example V(unix:///run/coaxis-lab/docker.sock).
      - If not set in the task, the environment variable E(DOCKER_HOST) of the managed host is used,
        else V(unix:///var/run/docker.sock).
    type: str
    default: unix:///var/run/docker.sock
  docker_tls:
    description:
      - TLS settings of a V(tcp://) engine URL; the engine's certificate is verified against O(docker_tls.ca_cert).
      - A V(tcp://) or V(http://) URL without them is refused unless O(docker_insecure=true).
      - Playbooks set it from the Docker host's C(opt_docker_tls) (module_defaults of group/coaxis.opt.docker).
    type: dict
    suboptions:
      ca_cert:
        description: The CA certificate that signed the engine's certificate (PEM file on the Docker host).
        type: path
      client_cert:
        description: The client certificate the engine requires (PEM file), with O(docker_tls.client_key).
        type: path
      client_key:
        description: The key of O(docker_tls.client_cert) (PEM file).
        type: path
  docker_insecure:
    description:
      - Accept a V(tcp://) or V(http://) engine URL without TLS. Whoever reaches such an API is root on the
        Docker host; set it only on a network where that is acceptable.
      - Playbooks set it from the Docker host's C(opt_docker_insecure) (false when absent).
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for one answer of the Docker API.
    type: int
    default: 60
  lang:
    description:
      - Language of the operator-facing error messages.
    type: str
    default: en
    choices: [en, fr]
requirements:
  - docker >= 7.0 (Docker SDK for Python)
  - netaddr
"""
