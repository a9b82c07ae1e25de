"""UNCTAD International Investment Agreements Navigator (scraped 2025): one row per treaty x state
party, party names mapped to COW through the crosswalk. Quirks: ``docs/data/sources_named.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import int_column, read_csv, text_column
from coalitionlab.data.registry import Source, register, to_date
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- UNCTAD IIA Navigator

UNCTAD_CITATION = "UNCTAD. International Investment Agreements Navigator. Investment Policy Hub, " \
    "https://investmentpolicy.unctad.org/international-investment-agreements (scraped early 2025)."

#: Parties in the UNCTAD list that are organisations, not states: kept out of ``ccode`` and
#: flagged by ``has_org_party`` on every row of their treaty.
UNCTAD_ORGANISATIONS: frozenset[str] = frozenset({
    "ACP (African, Caribbean and Pacific Group of States)", "ANCOM (Andean Community)",
    "ASEAN (Association of South-East Asian Nations)", "AU (African Union)",
    "BIMSTEC (Bay of Bengal Initiative for Multi-Sectoral Technical and Economic Cooperation)",
    "CACM (Central American Common Market)", "CARICOM (Caribbean Community)",
    "CEFTA (Central European Free Trade Agreement)", "CEMAC (Economic and Monetary Community of Central Africa)",
    "CEPGL (Economic Community of the Great Lakes Countries)",
    "COMESA (Common Market for Eastern and Southern Africa)", "EAC (East African Community)",
    "ECCAS (Economic Community of Central African States)", "ECO (Economic Cooperation Organization)",
    "ECOWAS (Economic Community of West African States)", "EFTA (European Free Trade Association)",
    "EU (European Union)", "European Union", "Energy Charter Treaty members", "Eurasian Economic Union",
    "GCC (Gulf Cooperation Council)", "LAIA (Latin American Integration Association)", "League of Arab States",
    "MERCOSUR (Mercado Común Sudamericano)", "OCT (Overseas Countries and Territories)",
    "OIC Investment Agreement members", "SACU (Southern African Customs Union)",
    "SADC (Southern African Development Community)", "SAFTA (South Asian Free Trade Area Accord)",
    "SPARTECA (South Pacific Regional Trade and Economic Cooperation Agreement)", "UMA (Arab Maghreb Union)",
    "WAEMU (West African Economic and Monetary Union)",
})
#: Parties that are territories or entities outside the COW state system: kept out of
#: ``ccode`` and counted by ``has_nonstate_party``.
UNCTAD_NON_STATES: frozenset[str] = frozenset({
    "Hong Kong SAR (China)", "Macao SAR (China)", "Channel Islands (Guernsey, Jersey)", "Cook Islands", "Niue",
    "State of Palestine",
})
#: The Belgium-Luxembourg Economic Union signs BITs for both its states: one row for each.
UNCTAD_BLEU = ("BLEU (Belgium-Luxembourg Economic Union)", (211, 212))
#: UNCTAD names states by their current name also for treaties signed by a predecessor; on a
#: signature date before the given day, the name means the COW state given here.
UNCTAD_PREDECESSORS: tuple[tuple[str, str, int], ...] = (
    ("Czechia", "1993-01-01", 315),              # Czechoslovakia
    ("Slovakia", "1993-01-01", 315),             # Czechoslovakia
    ("Germany", "1990-10-03", 260),              # German Federal Republic (no GDR treaties are listed)
    ("Yemen", "1990-05-22", 678),                # Yemen Arab Republic (the pre-1990 BITs are the YAR's)
    ("Montenegro", "2006-06-03", 345),           # Yugoslavia / Serbia and Montenegro
    ("Croatia", "1992-01-15", 345), ("Slovenia", "1992-01-15", 345),
    ("Bosnia and Herzegovina", "1992-04-07", 345), ("North Macedonia", "1993-04-08", 345),
    *((soviet, "1991-12-26", 365) for soviet in (  # the USSR
        "Armenia", "Azerbaijan", "Belarus", "Georgia", "Kazakhstan", "Kyrgyzstan", "Republic of Moldova",
        "Tajikistan", "Turkmenistan", "Ukraine", "Uzbekistan")),
)
_INVERTED = r"([^,]+?),\s*([^,()]*?\bof(?: the)?)(?=\s*,|\s*$)"   # "Korea, Republic of" -> "Republic of Korea"


def split_parties(parties: pd.Series) -> pd.Series:
    """Split UNCTAD's comma-separated party lists into one name per row (index kept).

    Commas inside parentheses and inverted names ("Korea, Republic of") are not separators;
    "Hong Kong, China SAR" becomes "Hong Kong SAR (China)".

    Examples
    --------
    >>> split_parties(pd.Series(["Korea, Republic of, Hong Kong, China SAR"])).tolist()
    ['Republic of Korea', 'Hong Kong SAR (China)']
    """
    text = parties.str.replace(r"(Hong Kong|Macao), China SAR", r"\1 SAR (China)", regex=True)
    text = text.str.replace(_INVERTED, lambda m: f"{m.group(2).strip()} {m.group(1).strip()}", regex=True)
    return text.str.split(r",\s*(?![^()]*\))", regex=True).explode().str.strip()


def _read_unctad_iia(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["unctad_iia_treaties_scraped.csv.gz"]
    raw = read_csv(path, required=["treaty_id", "short_title", "type", "status", "parties", "date_of_signature",
                                   "date_of_entry_into_force", "termination_date"])
    treaties = pd.DataFrame({
        "treaty_id": int_column(raw, "treaty_id", path=path),
        "short_title": text_column(raw, "short_title"),
        "type": text_column(raw, "type").str.removesuffix("s"),
        "status": text_column(raw, "status"),
        "signature_date": to_date(raw, "date_of_signature", path=path),
        "entry_force_date": to_date(raw, "date_of_entry_into_force", path=path),
        "termination_date": to_date(raw, "termination_date", path=path),
    })
    empty = raw["parties"].isna()
    if empty.any():
        raise DataFileError("treaty without parties", path=path, column="parties",
                            row=int(np.flatnonzero(empty.to_numpy())[0]) + 2)
    party = split_parties(text_column(raw, "parties"))
    row = party.index.to_numpy()
    is_org = party.isin(UNCTAD_ORGANISATIONS).to_numpy()
    is_nonstate = party.isin(UNCTAD_NON_STATES).to_numpy()
    is_bleu = (party == UNCTAD_BLEU[0]).to_numpy()
    treaties["has_org_party"] = np.bincount(row[is_org], minlength=len(raw)) > 0
    treaties["has_nonstate_party"] = np.bincount(row[is_nonstate], minlength=len(raw)) > 0

    named = ~(is_org | is_nonstate | is_bleu)
    names = party[named].reset_index(drop=True)
    signed = treaties["signature_date"].to_numpy()[row[named]]
    ccode = np.zeros(len(names), dtype=np.int64)
    by_predecessor = np.zeros(len(names), dtype=bool)
    for name, before, predecessor in UNCTAD_PREDECESSORS:
        hit = (names.to_numpy() == name) & (signed < np.datetime64(before))
        ccode[hit] = predecessor
        by_predecessor |= hit
    ccode[~by_predecessor] = to_ccode(names[~by_predecessor].to_numpy(), scheme="name",
                                      date=pd.Series(signed[~by_predecessor]),
                                      where=f"unctad_iia, file {path.name}", extra={"Yugoslavia (former)": 345},
                                      rows=row[named][~by_predecessor] + 2)
    bleu_rows = np.repeat(row[is_bleu], len(UNCTAD_BLEU[1]))
    bleu_codes = np.tile(UNCTAD_BLEU[1], int(is_bleu.sum()))
    long = pd.DataFrame({"row": np.concatenate([row[named], bleu_rows]),
                         "ccode": np.concatenate([ccode, bleu_codes]).astype(np.int64)})
    # a state named twice in one treaty (e.g. Belgium beside BLEU, or Czechia and Slovakia for
    # one Czechoslovak treaty) is one party
    long = long.drop_duplicates(ignore_index=True)
    treaties["n_state_parties"] = pd.array(np.bincount(long["row"], minlength=len(raw)), dtype="Int64")
    out = treaties.iloc[long["row"].to_numpy()].reset_index(drop=True)
    out.insert(4, "ccode", long["ccode"].to_numpy())
    return out.sort_values(["treaty_id", "ccode"], ignore_index=True)


UNCTAD_IIA = register(Source(
    name="unctad_iia", folder="unctad_iia", files=("unctad_iia_treaties_scraped.csv.gz",), version="scraped 2025",
    publisher="UNCTAD Investment Policy Hub", citation=UNCTAD_CITATION,
    terms="UNCTAD website data; no licence stated by the scraper's repository; research use with attribution.",
    first_year=1957, last_year=2025, code_scheme="name",
    description="International investment agreements (3,425 BITs, 500 TIPs), one row per treaty x state party "
                "(COW ccode), with type (BIT/TIP), status, signature / entry-into-force / termination dates, the "
                "number of state parties and flags for organisation (EU, EFTA ...) and non-state parties.",
    reader=_read_unctad_iia, schema=schemas_named.UNCTAD_IIA, key=("treaty_id", "ccode"), urls={},
))
