from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.scope import client_view, technician_view
from audit.models import Entry

PAGE_SIZE = 50


def _page(request, entries):
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))


@technician_view
@require_safe
def entry_list(request):
    """Every entry (back-office)."""
    return render(request, "audit/list.html", {"page": _page(request, Entry.objects.all()), "client": None})


@client_view
@require_safe
def client_entries(request, client):
    """The entries about one client, and only those."""
    return render(request, "audit/list.html",
                  {"page": _page(request, Entry.objects.filter(client=client)), "client": client})
