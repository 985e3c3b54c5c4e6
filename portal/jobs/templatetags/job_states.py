"""State words of the probes (up, down, ...) in the user's language, from the collection's
catalog: the words the status report and the playbooks use."""
from django import template
from django.utils.translation import get_language

from jobs.queue import job_lang

register = template.Library()


@register.filter
def state_label(state):
    from ansible_collections.coaxis.opt.plugins.module_utils._messages import MESSAGES, msg
    key = f"state_{state}"
    return msg(key, job_lang(get_language())) if key in MESSAGES else str(state or "")
