from django.shortcuts import render

from accounts.scope import technician_view
from jobs.models import Job


@technician_view
def job_list(request):
    return render(request, "jobs/list.html", {"jobs": Job.objects.all()[:100]})
