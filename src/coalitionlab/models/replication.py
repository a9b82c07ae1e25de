"""A reconstruction of Henke's participation model, estimated on coalitionlab's own data.

Henke (2017, ISQ; 2019, ch. 3) regresses participation in US-led multilateral coalitions on
diplomatic embeddedness with the USA and controls for alliance ties, shared preferences, regime
type, military capabilities, distance and US military presence. Her coalition list and her
embeddedness counts are not in the public data the project has; this module rebuilds the specification from public data as we
read her description. :data:`DATA_DIFFERENCES` says, element by element, what we take her study to
have done (documented in her text, or assumed by us) and whether ours reconstructs it or substitutes
for it; nothing in it is a verified fact about her data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from coalitionlab.models.data import participation_data
from coalitionlab.models.participation import ParticipationResult, fit_participation

HENKE_FORMULA = ("joined ~ embeddedness_log1p + atop_defense + un_ideal_distance + polity2 + cinc"
                 " + distance_log + us_troops_log")
"""A *reconstruction* of Henke's participation model from her description: the variables are the
project's public-data stand-ins for the concepts she controls for, not her coding."""

# Each element of the replication: what we take Henke's study to have done, how sure we are of it
# ("documented": stated in her published text as we cite it; "assumed": our reading, not checked against
# her replication files, which the project does not have), what coalitionlab does, and whether ours is a
# reconstruction of hers or a substitute.
DATA_DIFFERENCES = pd.DataFrame([
    ("coalitions", "multilateral military coalitions led by the United States after 1945", "assumed",
     "the project's authored dataset: US-led coalitions 1950-2024 in coalitionlab.coalitions (to 2010 by default); "
     "her exact list and count are not in the public data we have", "substitute"),
    ("embeddedness", "count of bilateral agreements with the United States plus joint IGO memberships at the date "
     "of intervention", "documented",
     "ATOP alliances + bilateral treaties (GGO/IEADB/TFDD/DESTA/UNCTAD, de-duplicated) + COW IGO joint memberships "
     "(US Treaties in Force is not available as data; many bilateral executive agreements are missing)",
     "reconstructed"),
    ("treaty source", "US Treaties in Force (State Department)", "assumed",
     "not used: no machine-readable historical edition; the treaty databases above instead", "substitute"),
    ("IGO data", "COW IGO data (version not verified)", "assumed",
     "COW IGO v3.0 (to 2014); later coalitions use the 2014 memberships (measures.embeddedness reads each "
     "component at its latest year on or before the date)", "reconstructed"),
    ("alliance", "formal alliance with the United States", "assumed", "ATOP 5.1 defence pact", "substitute"),
    ("preferences", "UN voting affinity with the United States", "assumed",
     "distance between Bailey-Strezhnev-Voeten ideal points", "substitute"),
    ("regime", "regime type (Polity)", "assumed", "Polity5 polity2", "reconstructed"),
    ("capabilities", "military capabilities", "assumed", "CINC (NMC 7.0)", "reconstructed"),
    ("distance", "distance to the theatre or the United States", "assumed",
     "log(1 + capital-to-capital km) to the United States", "substitute"),
    ("US presence", "US troops stationed in the state", "assumed",
     "log(1 + US troops per 1,000 inhabitants), troopdata 1950-2024", "substitute"),
    ("timing", "covariates at the intervention year", "assumed",
     "embeddedness at the start date, controls the year before", "reconstructed"),
    ("aid and trade", "US aid and trade ties", "assumed",
     "not included: no public dyadic series in the data", "missing"),
], columns=["element", "henke", "henke_status", "coalitionlab", "ours_is"])

# What Henke reports, in words, for the terms whose published result we can state without her tables.
# A term not listed here is shown as "not stated here" beside our estimate rather than guessed.
PUBLISHED_FINDINGS = {
    "embeddedness_log1p": "positive, significant in her models (Henke 2017 ISQ; 2019 ch. 3)",
}
@dataclass
class Replication:
    """The fitted model, its data-version record, and how the data differ from Henke's."""

    result: ParticipationResult
    differences: pd.DataFrame
    n_coalitions: int

    def tidy(self) -> pd.DataFrame:
        return self.result.tidy()

    def comparison(self) -> pd.DataFrame:
        """Our estimate of each term beside what Henke reports for it, in words.

        Columns: ``term, estimate, std_error, p_value, ours`` (sign and significance at 5%, in words)
        and ``henke_reports`` (her published finding, or "not stated here" where we do not state it
        without her table).
        """
        t = self.tidy().reset_index()
        t = t[t["term"] != "Intercept"]
        words = [("positive" if e > 0 else "negative") + (", significant at 5%" if p < 0.05 else ", not significant")
                 for e, p in zip(t["estimate"], t["p_value"])]
        return pd.DataFrame({
            "term": t["term"], "estimate": t["estimate"], "std_error": t["std_error"], "p_value": t["p_value"],
            "ours": words,
            "henke_reports": [PUBLISHED_FINDINGS.get(term, "not stated here") for term in t["term"]],
        }).reset_index(drop=True)


def replicate_henke(*, data_dir: str | os.PathLike | None = None, panel: pd.DataFrame | None = None,
                    until: int | None = 2010, method: str = "logit") -> Replication:
    """A reconstruction of Henke's participation model on coalitionlab's data: US-led coalitions,
    SEs clustered by coalition.

    Not her specification: her coalition list, embeddedness counts and control coding are not in the
    public data the project has;
    :data:`DATA_DIFFERENCES` marks each element as documented or assumed (about her study) and as
    reconstructed or substituted (ours), and :meth:`Replication.comparison` puts our estimates beside
    what she reports.

    Parameters
    ----------
    until
        Last start year of the coalitions used (default 2010, as we assume her sample ends); None uses all.
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
    res = fit_participation(HENKE_FORMULA, us, method=method, cluster="coalition_id")
    return Replication(result=res, differences=DATA_DIFFERENCES, n_coalitions=int(us["coalition_id"].nunique()))
