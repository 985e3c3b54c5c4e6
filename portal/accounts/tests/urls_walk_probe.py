"""A URL conf for test_scope_walk's own test: the portal's, plus a view without a scope marker and
a URL argument the walk's table does not know."""
from django.http import HttpResponse
from django.urls import include, path

from accounts.scope import client_view, user_view
from opt_portal.urls import urlpatterns as portal_patterns


def unmarked(request):
    return HttpResponse("no scope")


@user_view
def widget(request, widget):
    return HttpResponse("widget")


@client_view
def nested(request, client):
    return HttpResponse("nested")


probe_patterns = ([
    path("unmarked/", unmarked, name="unmarked"),
    path("widget/<int:widget>/", widget, name="widget"),
    path("<slug:client>/nested/", nested, name="nested"),
], "probe")

urlpatterns = portal_patterns + [path("probe/", include(probe_patterns))]
