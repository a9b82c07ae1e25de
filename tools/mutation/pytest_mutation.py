"""pytest plugin loaded by tools/mutation/run.py for mutation runs only (never in `make test`).

Two changes that make a run faster without changing any verdict:

* A property test that fails on a mutant would otherwise spend most of its time shrinking the
  counterexample; mutation testing only needs to know that it failed, so the shrink phase is dropped
  (the examples drawn, derandomised by tests/conftest.py, stay the same).
* mutmut stops a mutant's tests at the first failure (``-x``) but hands them over in no set order.
  The ``test_mutation_*`` files hold small, targeted tests on made-up inputs, so they run first: a
  mutant they kill is not first put through the slower real-data tests of the same module.
"""

from __future__ import annotations

from pathlib import Path


def pytest_collection_finish(session) -> None:  # noqa: ARG001 - pytest hook signature
    from hypothesis import Phase, settings

    settings.register_profile("coalitionlab-mutation", parent=settings.default,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("coalitionlab-mutation")


def pytest_collection_modifyitems(session, config, items) -> None:  # noqa: ARG001 - pytest hook signature
    # stable: the order within each group stays the one pytest collected
    items.sort(key=lambda item: not Path(str(item.fspath)).name.startswith("test_mutation_"))
