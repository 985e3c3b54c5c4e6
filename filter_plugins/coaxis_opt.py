"""Playbook-level filters: thin re-exports of the coaxis.opt collection's filters.

Playbooks may say `opt_client_specs` instead of `coaxis.opt.opt_client_specs`;
the logic lives once, in the collection.
"""
from ansible_collections.coaxis.opt.plugins.filter.inventory import FilterModule as _Inventory


class FilterModule:
    def filters(self):
        found = dict(_Inventory().filters())
        try:
            from ansible_collections.coaxis.opt.plugins.filter.ipplan import FilterModule as _IpPlan
        except ImportError:  # pragma: no cover - the collection always ships it
            return found
        found.update(_IpPlan().filters())
        return found
