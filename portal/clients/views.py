from django.shortcuts import render

from accounts.scope import client_view, technician_view
from clients.inventory import load


@technician_view
def client_list(request):
    inventory = load()
    return render(request, "clients/list.html", {"clients": [inventory.client(n) for n in inventory.names()]})


@client_view
def client_detail(request, client):
    found = load().client(client)
    if found is None:
        from django.http import Http404
        raise Http404
    return render(request, "clients/detail.html", {"client": found})
