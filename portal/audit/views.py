from django.shortcuts import render

from accounts.scope import technician_view
from audit.models import Entry


@technician_view
def entry_list(request):
    return render(request, "audit/list.html", {"entries": Entry.objects.all()[:200]})
