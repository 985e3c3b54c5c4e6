from accounts.scope import host_client, may_use_backoffice


def scope(request):
    return {"portal_client": host_client(request), "portal_backoffice": may_use_backoffice(request)}
