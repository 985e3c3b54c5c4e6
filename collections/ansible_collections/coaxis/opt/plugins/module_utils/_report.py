# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The status report of coaxis.opt.opt_probe's results: JSON, and one self-contained HTML page.

Pure rendering: no clock, no I/O. The page has its CSS inline and no script or external asset,
so it opens from a mail attachment or an AWX artifact as it is. Every label comes from the
message catalog, in the operator's language.
"""

from __future__ import annotations

import json
from html import escape

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# Background of each state's badge. Amber says "look at it", grey "switched off on purpose",
# blue-grey "not deployed here" (no container).
COLOURS = {
    'up': '#2e7d32',
    'down': '#c62828',
    'unknown': '#f9a825',
    'degraded': '#f9a825',
    'connecting': '#f9a825',
    'unsupported': '#f9a825',
    'stopped': '#9e9e9e',
    'absent': '#546e7a',
}
TEXT_ON = {'unknown': '#000', 'degraded': '#000', 'connecting': '#000', 'unsupported': '#000'}

CSS = """
body{font-family:sans-serif;margin:24px;color:#212121;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:24px 0 8px}
.checked{color:#555;margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin-bottom:8px}
th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top;font-size:14px}
th{background:#f5f5f5}
tr.printer td.name{padding-left:28px}
.state{display:inline-block;min-width:84px;padding:4px 8px;border-radius:4px;color:#fff;font-weight:bold;
text-align:center}
.error{color:#b71c1c;font-family:monospace;font-size:13px}
.ms{color:#555;font-size:12px}
.legend .state{margin-right:8px}
""" + ''.join('.state-%s{background:%s;color:%s}\n' % (state, colour, TEXT_ON.get(state, '#fff'))
              for state, colour in COLOURS.items())


def state_class(state):
    return state if state in COLOURS else 'unknown'


def latest_check(clients):
    times = [c.get('checked_at') for c in clients if c.get('checked_at')]
    return max(times) if times else None


def document(clients, lang='en'):
    """The JSON report: the probe results as they are, with when, a count per state and the name
    of each state in the operator's language (the results keep the state values a program reads)."""
    counts = {}
    for c in clients:
        for site in c.get('sites') or []:
            for printer in site.get('printers') or []:
                counts[printer.get('state')] = counts.get(printer.get('state'), 0) + 1
    labels = dict((state, msg('state_' + state, lang)) for state in COLOURS)
    return {'checked_at': latest_check(clients), 'lang': lang, 'printer_states': counts, 'state_labels': labels,
            'clients': list(clients)}


def render_json(clients, lang='en'):
    return json.dumps(document(clients, lang), indent=2, sort_keys=True, ensure_ascii=False) + '\n'


def badge(state, lang, extra=''):
    cls = state_class(state)
    label = msg('state_' + cls, lang) if state == cls else str(state)
    return '<span class="state state-%s" data-state="%s">%s</span>%s' % (cls, escape(str(state)), escape(label), extra)


def _check_cell(check, lang):
    ms = check.get('ms')
    extra = ' <span class="ms">%s</span>' % escape(msg('report_duration', lang, ms='%g' % ms)) if ms is not None else ''
    return badge(check.get('state') or 'unknown', lang, extra)


def _error(text):
    return '<span class="error">%s</span>' % escape(text) if text else ''


def _site_rows(site, lang):
    errors = [e for e in (site.get('last_error'),
                          site['tcp'].get('error') and msg('report_tcp_error', lang, error=site['tcp']['error']),
                          site['ping'].get('error') and msg('report_ping_error', lang, error=site['ping']['error']))
              if e]
    since = msg('report_since', lang, time=site['since']) if site.get('since') else ''
    host = '%s:%s' % (site.get('host'), site.get('port')) if site.get('host') else ''
    rows = ['<tr class="site" data-site="%s"><td class="name"><b>%s</b></td><td>%s</td><td></td>'
            '<td>%s <span class="ms">%s</span></td><td>%s</td><td>%s</td><td></td><td>%s</td></tr>'
            % (escape(site['site']), escape(site['site']), escape(host), badge(site.get('state') or 'unknown', lang),
               escape(since), _check_cell(site['tcp'], lang), _check_cell(site['ping'], lang),
               '<br>'.join(_error(e) for e in errors))]
    for p in site.get('printers') or []:
        rows.append('<tr class="printer" data-printer="%s"><td class="name">%s</td><td>%s:%s</td><td>%s</td>'
                    '<td></td><td></td><td></td><td>%s</td><td>%s</td></tr>'
                    % (escape('%s/%s' % (site['site'], p['name'])), escape(p['name']), escape(str(p.get('address'))),
                       escape(str(p.get('port'))), escape(str(p.get('listen_port'))),
                       badge(p.get('state') or 'unknown', lang), _error(p.get('error'))))
    return rows


def _client_section(c, lang):
    head = ('<section class="client" data-client="%s"><h2>%s %s</h2><p>%s: %s (%s)%s</p>'
            % (escape(c['client']), escape(c['client']), badge(c.get('service') or 'unknown', lang),
               escape(msg('report_container', lang)), escape(c.get('container') or ''),
               escape(c.get('container_state') or ''), ' ' + _error(c['error']) if c.get('error') else ''))
    if not c.get('sites'):
        return head + '<p>%s</p></section>' % escape(msg('report_no_sites', lang))
    columns = ['%s / %s' % (msg('report_site', lang), msg('report_printer', lang))] + [
        msg(k, lang) for k in ('report_address', 'report_listen_port', 'report_tunnel', 'report_tcp', 'report_ping',
                               'report_state', 'report_last_error')]
    table = ['<table><thead><tr>%s</tr></thead><tbody>' % ''.join('<th>%s</th>' % escape(k) for k in columns)]
    for site in c['sites']:
        table += _site_rows(site, lang)
    table.append('</tbody></table>')
    return head + ''.join(table) + '</section>'


def render_html(clients, lang='en'):
    """One self-contained page: clients x sites x printers, coloured states, errors, time of the check."""
    title = msg('report_title', lang)
    checked = latest_check(clients)
    legend = ' '.join(badge(s, lang) for s in ('up', 'down', 'unknown', 'degraded', 'stopped', 'absent'))
    body = [_client_section(c, lang) for c in clients] or ['<p>%s</p>' % escape(msg('report_no_clients', lang))]
    return ('<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8"><title>%s</title><style>%s</style></head>'
            '<body><h1>%s</h1><p class="checked">%s</p><p class="legend">%s: %s</p>%s</body></html>\n'
            % (escape(lang), escape(title), CSS, escape(title),
               escape(msg('report_checked_at', lang, time=checked or '-')), escape(msg('report_legend', lang)),
               legend, ''.join(body)))
