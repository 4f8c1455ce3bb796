"""The commune registry: today's communes (since 1 July 2025) and the former units merged into them.

Generated from the National Statistics Office's lists (through the `vietnamadminunits` package) by
`flask province set` (guide/province.py); what no dataset holds (service centre, post offices,
population) its staff enter on the dashboard, kept in the database by `details`. `model` holds what
the registry is and its lookups, `load` reads and validates it, `importer` writes it, `finder`
answers "which commune am I in now?" from an old or new name.
"""

from .load import load_registry
from .model import Commune, FormerUnit, Landing, Province, Registry, Resolution

__all__ = [
    "Commune",
    "FormerUnit",
    "Landing",
    "Province",
    "Registry",
    "Resolution",
    "load_registry",
]
