"""Playbook-level filters: thin re-exports of the coaxis.opt collection's filters.

Playbooks may say `opt_client_specs` instead of `coaxis.opt.opt_client_specs`;
the logic lives once, in the collection.
"""
from ansible_collections.coaxis.opt.plugins.filter.inventory import FilterModule as _Inventory
from ansible_collections.coaxis.opt.plugins.filter.ipplan import FilterModule as _IpPlan
from ansible_collections.coaxis.opt.plugins.filter.report import FilterModule as _Report
from ansible_collections.coaxis.opt.plugins.filter.routes import FilterModule as _Routes
from ansible_collections.coaxis.opt.plugins.filter.survey import FilterModule as _Survey


class FilterModule:
    def filters(self):
        return {**_Inventory().filters(), **_IpPlan().filters(), **_Routes().filters(), **_Report().filters(),
                **_Survey().filters()}
