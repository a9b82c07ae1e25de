"""Source definitions and readers (sources_cow); each `register(Source(...))` adds one source."""

from __future__ import annotations
