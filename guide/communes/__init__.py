"""The commune registry: today's communes (since 1 July 2025) and the former units merged into them.

Generated from the National Statistics Office's lists (through the `vietnamadminunits` package) by
`flask communes import` into content/communes.yaml; editors add what no dataset holds (service
centre, post office, population) in content/communes-local.yaml. `model` holds what the registry
is and its lookups, `load` reads and validates both files, `importer` writes the generated one,
`finder` answers "which commune am I in now?" from an old or new name.
"""

from .load import OVERLAY_NAME, load_registry
from .model import Commune, FormerUnit, Landing, Place, Province, Registry, Resolution

__all__ = [
    "OVERLAY_NAME",
    "Commune",
    "FormerUnit",
    "Landing",
    "Place",
    "Province",
    "Registry",
    "Resolution",
    "load_registry",
]
