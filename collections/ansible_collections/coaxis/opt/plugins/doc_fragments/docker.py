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
