def partner_links(request):
    """The League systems linked for 一号通, shown in the footer of every branch (replacing the old
    hard-coded service links)."""
    if request.path.startswith("/admin/"):
        return {}
    from .selectors import footer_partners

    return {"partner_links": footer_partners()}
