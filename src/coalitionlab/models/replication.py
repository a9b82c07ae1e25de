"""Henke's participation model, re-estimated on coalitionlab's own data.

Henke (2017, ISQ; 2019, ch. 3) regresses participation in US-led multilateral coalitions on
diplomatic embeddedness with the USA and controls for alliance ties, shared preferences, regime
type, military capabilities, distance and US military presence. Her coalition list and her
embeddedness counts (from the US *Treaties in Force* and COW IGO data) are not public; this module
rebuilds the specification from public data, and :data:`DATA_DIFFERENCES` says where it differs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from coalitionlab.models.data import participation_data
from coalitionlab.models.participation import ParticipationResult, fit_participation

HENKE_FORMULA = ("joined ~ embeddedness_log1p + atop_defense + un_ideal_distance + polity2 + cinc"
                 " + distance_log + us_troops_log")

DATA_DIFFERENCES = pd.DataFrame([
    ("coalitions", "Henke's 80 multilateral coalitions 1945-2010 (not public)",
     "the project's authored dataset: every US-led coalition 1950-2024 in coalitionlab.coalitions"),
    ("embeddedness", "bilateral treaties in the US Treaties in Force plus joint IGO memberships",
     "ATOP alliances + DESTA trade agreements + UNCTAD investment treaties + COW IGO joint memberships "
     "(Treaties in Force is not available as data; many bilateral executive agreements are missing)"),
    ("IGO data", "COW IGO v2.3 (to 2005)",
     "COW IGO v3.0 (to 2014); later coalitions use the 2014 memberships (measures.embeddedness reads each "
     "component at its latest year on or before the date)"),
    ("alliance", "COW formal alliances", "ATOP 5.1 defence pact (COW alliances are no longer distributed)"),
    ("preferences", "UN voting affinity (S or kappa)", "distance between Bailey-Strezhnev-Voeten ideal points"),
    ("regime", "Polity IV", "Polity5 polity2"),
    ("US presence", "US troops deployed (Kane)", "log(1 + US troops per 1,000 inhabitants), troopdata 1950-2024"),
    ("timing", "covariates at the intervention year", "embeddedness at the start date, controls the year before"),
    ("aid and trade", "US military aid, trade dependence", "not included: no public dyadic series in the data"),
], columns=["element", "henke", "coalitionlab"])


@dataclass
class Replication:
    """The fitted model, its data-version record, and how the data differ from Henke's."""

    result: ParticipationResult
    differences: pd.DataFrame
    n_coalitions: int

    def tidy(self) -> pd.DataFrame:
        return self.result.tidy()


def replicate_henke(*, data_dir: str | os.PathLike | None = None, panel: pd.DataFrame | None = None,
                    until: int | None = 2010, method: str = "logit") -> Replication:
    """Henke's specification on coalitionlab's data: US-led coalitions, SEs clustered by coalition.

    Parameters
    ----------
    until
        Last start year of the coalitions used (Henke's sample ends in 2010); None uses all.
    panel
        A prebuilt :func:`~coalitionlab.models.data.participation_data` panel.

    References
    ----------
    Henke, M. E. (2017). The politics of diplomacy: how the United States builds multilateral
    military coalitions. *International Studies Quarterly* 61(2), 410-424.
    """
    panel = participation_data(data_dir=data_dir, lags=(), contact=False, source="full") if panel is None else panel
    us = panel[panel["lead_ccode"] == 2]
    if until is not None:
        us = us[us["year"] <= until]
    res = fit_participation(HENKE_FORMULA, us, method=method, cluster="coalition_id" if method != "firth" else None)
    return Replication(result=res, differences=DATA_DIFFERENCES, n_coalitions=int(us["coalition_id"].nunique()))
