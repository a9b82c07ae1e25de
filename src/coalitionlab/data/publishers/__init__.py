"""The registered sources, one module per publisher.

Each module defines its sources as :class:`~coalitionlab.data.registry.Source` entries (files,
version, citation, coverage, a reader and a pandera schema) and adds them to the registry with
:func:`~coalitionlab.data.registry.register` when it is imported:

==========================  =====================================================================
module                      sources
==========================  =====================================================================
``cow``                     ``cow_states``, ``cow_igo``, ``cow_igo_list``, ``cow_igo_ndy``,
                            ``cow_igo_states_year``, ``nmc``, ``contiguity``, ``cow_war_inter``
``atop``                    ``atop_members``, ``atop_alliances``, ``atop_dyads``
``peacesciencer``           ``capitals``, ``distances``, ``archigos_leaders``
``isard``                   ``democracy``, ``gdp_population``, ``gw_cow_panel``
``un_voting``               ``un_ideal_points``, ``un_roll_calls``, ``un_votes``
``us_military_presence``    ``us_troops``, ``us_bases``, ``us_construction``, ``dod_visits``
``pko``                     ``pko_contingent_fatalities``, ``pko_un_nonun``
``tago``                    ``tago_us_force``
``desta``                   ``desta_treaties``, ``desta_members``, ``desta_dyads``,
                            ``desta_withdrawals``
``unctad``                  ``unctad_iia``
``exercises``               ``military_exercises``, ``joint_military_exercises``
``fbic``                    ``fbic_subset``
``manytreaties``            ``manytreaties_parties``, ``manytreaties_agreements``
==========================  =====================================================================

``_readers`` holds the column converters the modules share. Schemas live in
:mod:`coalitionlab.data.schemas` (COW-coded sources) and :mod:`coalitionlab.data.schemas_named`
(name- and ISO-coded sources).

How the registry gets filled: the modules import the registry, never the other way round.
:mod:`coalitionlab.data.registry` imports this package by name
(``importlib.import_module("coalitionlab.data.publishers")``) the first time something needs the
full registry (``load``, ``get_source``, ``sources``, ``versions``, ``cite``), in
``registry._ensure_loaders``. So ``import coalitionlab`` and ``import coalitionlab.data.registry``
read no source module, and there is no import cycle. A new module must be added to the imports
below and to ``docs/data``.

(The package is not called ``sources``: ``coalitionlab.data.sources`` is the public function that
lists the registry, and importing a subpackage of that name would replace it on
``coalitionlab.data``.)
"""

from coalitionlab.data.publishers import (  # noqa: F401  (each module registers its sources on import)
    atop,
    cow,
    desta,
    exercises,
    fbic,
    isard,
    manytreaties,
    peacesciencer,
    pko,
    tago,
    un_voting,
    unctad,
    us_military_presence,
)
