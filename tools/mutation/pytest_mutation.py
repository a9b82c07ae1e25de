"""pytest plugin loaded by tools/mutation/run.py for mutation runs only (never in `make test`).

A property test that fails on a mutant would otherwise spend most of its time shrinking the
counterexample; mutation testing only needs to know that it failed, so the shrink phase is dropped
(the examples drawn, derandomised by tests/conftest.py, stay the same).
"""

from __future__ import annotations


def pytest_collection_finish(session) -> None:  # noqa: ARG001 - pytest hook signature
    from hypothesis import Phase, settings

    settings.register_profile("coalitionlab-mutation", parent=settings.default,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("coalitionlab-mutation")
