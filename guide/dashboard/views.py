"""The dashboard's pages, gathered on one blueprint (`bp`, registered by guide/__init__.py): the
hooks every page shares (blueprint.py), who may open which (access.py), signing in and out
(account.py), the district's and a commune's pages (overview.py), the monthly reports (reports.py),
the communes' office details (details_views.py), the dossier figures uploaded (dossier_upload.py)."""

from . import account, details_views, dossier_upload, overview, reports
from .blueprint import bp

ROUTES = (account, details_views, dossier_upload, overview, reports)  # imported for the routes each attaches to bp

__all__ = ["ROUTES", "bp"]
