"""The shared library every app may import: service errors, API schemas, pagination, domain
vocabularies and the safe-redirect rule. It imports no product app; `youthvoice/` keeps only the
project's wiring (settings, URLs, Celery, the API roots)."""
