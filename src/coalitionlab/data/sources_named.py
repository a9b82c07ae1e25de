"""Source definitions and readers (sources_named); each `register(Source(...))` adds one source."""

from __future__ import annotations
