"""Stage 1, data: the source registry, validated loaders, the country crosswalk and the embedded seed.

>>> from coalitionlab.data import load, sources, cite
"""

from coalitionlab.data.paths import resolve_cache_dir, resolve_data_dir
from coalitionlab.data.registry import Source, cite, get_source, load, sources, versions

__all__ = [
    "Source",
    "cite",
    "get_source",
    "load",
    "resolve_cache_dir",
    "resolve_data_dir",
    "sources",
    "versions",
]
