"""/healthz: the container's health check, and what the edge and the clients' nginx deliver.

Public (no login), and it says nothing the caller did not send: 200 with the database reached,
the client the request came through (None on the back-office host; a request naming a client
without its valid signature never gets here: accounts.middleware answers 403), the host and
scheme Django sees (the proxies' X-Forwarded-Host and X-Forwarded-Proto). 503 without a database.
"""
from django.db import connection
from django.http import JsonResponse

from accounts.scope import host_client, public_view


@public_view
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure to reach the database is "unhealthy"
        database = "unreachable"
    return JsonResponse({"status": "ok" if database == "ok" else "unhealthy", "database": database,
                         "client": host_client(request), "host": request.get_host(),
                         "scheme": request.scheme, "path": request.get_full_path()},
                        status=200 if database == "ok" else 503)
