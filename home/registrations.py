"""What home plugs into the apps below it (they do not import home). Called from HomeConfig.ready().

- organizations.signals.organization_created / organization_renamed -> the branch page is created
  or retitled (services.ensure_branch_page), synchronously in the organisation service's transaction.
- organizations.hooks.branch_urls <- selectors.branch_urls (the organisations API's `branch_url`)."""


def _branch_page(sender, organization, **kwargs) -> None:
    from .services import ensure_branch_page

    ensure_branch_page(organization=organization)


def register() -> None:
    from organizations import hooks, signals

    from . import selectors

    signals.organization_created.connect(_branch_page, dispatch_uid="home.branch_page_created")
    signals.organization_renamed.connect(_branch_page, dispatch_uid="home.branch_page_renamed")
    hooks.branch_urls.register(selectors.branch_urls)
