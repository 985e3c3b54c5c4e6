from django import forms
from django.utils.translation import gettext_lazy as _

TUNNEL_ACTIONS = [("start", _("start")), ("stop", _("stop")), ("restart", _("restart")), ("status", _("status"))]


class TunnelForm(forms.Form):
    """One tunnel action on one site of a client (no site: every site)."""
    site = forms.ChoiceField(label=_("site"), required=False)
    action = forms.ChoiceField(label=_("action"), choices=TUNNEL_ACTIONS)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("every site"))] + [(name, name) for name in sites]


class UpgradeForm(forms.Form):
    """upgrade.yml: every client, or those named (the Docker host's opt_image is the new image)."""
    clients = forms.CharField(label=_("clients (comma-separated; empty: every client)"), required=False)

    def __init__(self, *args, known=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.known = list(known)

    def clean_clients(self):
        names = [name.strip() for name in self.cleaned_data["clients"].split(",") if name.strip()]
        unknown = [name for name in names if name not in self.known]
        if unknown:
            raise forms.ValidationError(_("Unknown clients: %(unknown)s (known: %(known)s).")
                                        % {"unknown": ", ".join(unknown), "known": ", ".join(self.known) or "-"})
        return ",".join(names)

    def extravars(self):
        return {"clients": self.cleaned_data["clients"]} if self.cleaned_data["clients"] else {}


class DriftForm(forms.Form):
    """drift.yml: a report; with prune, what the inventory does not declare is removed."""
    prune = forms.BooleanField(label=_("remove what the inventory does not declare (prune)"), required=False)

    def extravars(self):
        return {"prune": "true" if self.cleaned_data["prune"] else "false"}


class ConvergeForm(forms.Form):
    """site.yml: every Docker host, every client, the routes."""

    def extravars(self):
        return {}


FLEET_FORMS = {"upgrade": UpgradeForm, "drift": DriftForm, "converge": ConvergeForm}
