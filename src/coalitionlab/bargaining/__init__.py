"""Stage bargaining: game-theoretic models of side-payment coalition building, and the simulator.

>>> from coalitionlab.bargaining import World, simulate, solve_one_partner
"""

from typing import TYPE_CHECKING

from coalitionlab._lazy import lazy_exports

if TYPE_CHECKING:  # the public names; each submodule is imported on first use (coalitionlab/_lazy.py)
    from coalitionlab.bargaining.offers import expected_outcomes, normal_offer_z, optimal_offer
    from coalitionlab.bargaining.one_partner import OnePartnerSolution, solve_one_partner
    from coalitionlab.bargaining.identification import IdentificationDemo, identification_demo
    from coalitionlab.bargaining.params import OnePartnerParams, PartnerSetParams, PriceParams, RestraintParams
    from coalitionlab.bargaining.partner_set import PartnerSetSolution, choose_partners
    from coalitionlab.bargaining.restraint import (
        Equilibrium,
        PrivateCostEquilibrium,
        RestraintPrivateCostParams,
        solve_restraint,
        solve_restraint_known_cost,
        solve_restraint_private_cost,
        war_effect_regions,
        war_effect_regions_known_cost,
        war_effect_regions_private_cost,
        war_probability_effect,
        war_probability_effect_known_cost,
        war_probability_effect_private_cost,
    )
    from coalitionlab.bargaining.simulate import Simulation, compare_channels, simulate
    from coalitionlab.bargaining.world import EmbeddednessMapping, World, calibrate_price_means
    from coalitionlab.bargaining.channels import (
        CHANNELS,
        SCALE_CONSTANTS,
        ChannelParams,
        LinkageInstrument,
        PartnerValuation,
        candidate_frame,
        scale_components,
    )
    from coalitionlab.bargaining.linkage import (
        Instrument,
        LinkagePackage,
        cheapest_package,
        default_instruments,
        package_costs,
    )
    from coalitionlab.bargaining.commitment import CommitmentParams, credibility, recruitment_cost
    from coalitionlab.bargaining.procurement import (
        CoalitionChoice,
        HoldoutGame,
        PriceDistribution,
        cheapest_coalition,
        enumerate_coalition,
        holdout_game,
        optimal_procurement,
        sequential_offers,
        simulate_procurement,
    )
    from coalitionlab.bargaining.burden import (
        BenefitParams,
        RikerChoice,
        contribution_equilibrium,
        minimum_winning_coalition,
    )
    from coalitionlab.bargaining.sweep import SweepConfig, load_sweep_config, sweep

__all__ = [
    "BenefitParams",
    "CHANNELS",
    "ChannelParams",
    "CoalitionChoice",
    "CommitmentParams",
    "EmbeddednessMapping",
    "Equilibrium",
    "HoldoutGame",
    "IdentificationDemo",
    "Instrument",
    "LinkageInstrument",
    "LinkagePackage",
    "OnePartnerParams",
    "OnePartnerSolution",
    "PartnerSetParams",
    "PartnerSetSolution",
    "PartnerValuation",
    "PriceDistribution",
    "PriceParams",
    "PrivateCostEquilibrium",
    "RestraintParams",
    "RestraintPrivateCostParams",
    "RikerChoice",
    "SCALE_CONSTANTS",
    "Simulation",
    "SweepConfig",
    "World",
    "calibrate_price_means",
    "candidate_frame",
    "cheapest_coalition",
    "cheapest_package",
    "choose_partners",
    "compare_channels",
    "contribution_equilibrium",
    "credibility",
    "default_instruments",
    "enumerate_coalition",
    "expected_outcomes",
    "holdout_game",
    "identification_demo",
    "load_sweep_config",
    "minimum_winning_coalition",
    "normal_offer_z",
    "optimal_offer",
    "optimal_procurement",
    "package_costs",
    "recruitment_cost",
    "scale_components",
    "sequential_offers",
    "simulate",
    "simulate_procurement",
    "solve_one_partner",
    "solve_restraint",
    "solve_restraint_known_cost",
    "solve_restraint_private_cost",
    "sweep",
    "war_effect_regions",
    "war_effect_regions_known_cost",
    "war_effect_regions_private_cost",
    "war_probability_effect",
    "war_probability_effect_known_cost",
    "war_probability_effect_private_cost",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
