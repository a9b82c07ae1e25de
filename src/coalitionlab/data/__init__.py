"""Stage 1, data: the source registry, validated loaders, the country crosswalk and the embedded seed.

>>> from coalitionlab.data import load, sources, cite
"""

from typing import TYPE_CHECKING

from coalitionlab._lazy import lazy_exports

if TYPE_CHECKING:  # the public names; each submodule is imported on first use (coalitionlab/_lazy.py)
    from coalitionlab.data.countries import ccode_to, country_name, crosswalk, is_member, states_on, to_ccode
    from coalitionlab.data.paths import resolve_cache_dir, resolve_data_dir
    from coalitionlab.data.registry import Source, cite, get_source, load, sources, versions

__all__ = [
    "Source",
    "ccode_to",
    "cite",
    "country_name",
    "crosswalk",
    "get_source",
    "is_member",
    "load",
    "resolve_cache_dir",
    "resolve_data_dir",
    "sources",
    "states_on",
    "to_ccode",
    "versions",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
