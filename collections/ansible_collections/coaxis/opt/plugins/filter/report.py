# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The status report of coaxis.opt.opt_probe results (rendering lives in module_utils._report)."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _report
from ansible_collections.coaxis.opt.plugins.plugin_utils.filter_errors import filter_lang, usage_error


def _clients(value, name):
    if not isinstance(value, (list, tuple)) or not all(isinstance(c, dict) and 'client' in c for c in value):
        raise usage_error('%s: expects the list of clients returned by coaxis.opt.opt_probe (its '
                          '"clients"), got %r' % (name, type(value).__name__))
    return list(value)


def opt_report_json(clients, lang='en'):
    return _report.render_json(_clients(clients, 'opt_report_json'), filter_lang('opt_report_json', lang))


def opt_report_html(clients, lang='en'):
    return _report.render_html(_clients(clients, 'opt_report_html'), filter_lang('opt_report_html', lang))


class FilterModule(object):
    def filters(self):
        return {'opt_report_json': opt_report_json, 'opt_report_html': opt_report_html}
