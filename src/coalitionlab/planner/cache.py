"""The planner's disk cache: :mod:`coalitionlab._cache` (shared with the models stage)."""

from coalitionlab._cache import cache_key, cached, code_fingerprint, data_fingerprint

__all__ = ["cache_key", "cached", "code_fingerprint", "data_fingerprint"]
