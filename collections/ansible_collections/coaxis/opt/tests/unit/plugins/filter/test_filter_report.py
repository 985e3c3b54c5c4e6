# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.report import FilterModule

FILTERS = FilterModule().filters()
CLIENT = {'client': 'acme', 'container': 'opt-acme', 'container_state': 'absent', 'service': 'stopped',
          'error': None, 'checked_at': '2026-11-25T18:00:00Z', 'sites': []}


def test_filters_render_the_probe_results():
    assert json.loads(FILTERS['opt_report_json']([CLIENT]))['clients'] == [CLIENT]
    assert 'arrêté' in FILTERS['opt_report_html']([CLIENT], 'fr')


@pytest.mark.parametrize('name', ['opt_report_json', 'opt_report_html'])
def test_filters_refuse_what_is_not_probe_results(name):
    with pytest.raises(AnsibleFilterError, match='coaxis.opt.opt_probe'):
        FILTERS[name]({'clients': []})
