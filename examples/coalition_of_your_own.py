"""Bring your own coalition: write it as two CSV files, validate it with the shipped dataset, use it.

The shipped dataset (docs/data/coalitions.md) does not hold every operation. This script codes one
that it lacks -- the French-led European maritime mission in the Strait of Hormuz (EMASoH, with
its military component Operation Agenor, 2020) -- as a ``coalitions`` / ``memberships`` CSV pair in
a temporary directory, adds it with ``add_coalitions`` (validated together with the shipped rows),
builds its coalition x candidate panel, and measures each candidate's embeddedness with France.
It then shows what a coding mistake looks like: a row with an unknown role is refused with the
file, the column and the line.

The rows below illustrate the file format. They are abbreviated from public announcements (only
three states, no personnel figures, one approximate leave date): check and complete them before
using them in research.

Run (offline, on the embedded seed):   python examples/coalition_of_your_own.py
With the full sources:                 python examples/coalition_of_your_own.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

from coalitionlab.coalitions import add_coalitions, coalition_panel
from coalitionlab.errors import CoalitionlabError, SeedDataWarning
from coalitionlab.measures import add_embeddedness

COALITION_ID = "emasoh_agenor_2020"

COALITIONS_CSV = """\
coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,target_ccode,target,mission_type,theatre,sources
emasoh_agenor_2020,European-led Maritime Awareness in the Strait of Hormuz (Operation Agenor),2020-02-25,,220,France,ad_hoc,no,,,,maritime_security,middle_east,"EMASoH joint political statement, 20 Jan 2020; French Ministry of the Armed Forces, Agenor full operational capability 25 Feb 2020"
"""

MEMBERSHIPS_CSV = """\
coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source
emasoh_agenor_2020,220,France,lead,,,,headquarters at the French naval base in Abu Dhabi; French frigates
emasoh_agenor_2020,390,Denmark,combat,,,,frigate HDMS Iver Huitfeldt (Danish Ministry of Defence 2020)
emasoh_agenor_2020,210,Netherlands,combat,,2020-06-30,,frigate HNLMS De Ruyter in the first half of 2020 (leave date approximate)
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with the full sources (default: $COALITIONLAB_DATA, else the embedded seed)")
    args = parser.parse_args(argv)
    source = "full" if args.data_dir else "auto"

    with tempfile.TemporaryDirectory() as tmp:
        c_path, m_path = Path(tmp) / "my_coalitions.csv", Path(tmp) / "my_memberships.csv"
        c_path.write_text(COALITIONS_CSV, encoding="utf-8")
        m_path.write_text(MEMBERSHIPS_CSV, encoding="utf-8")
        coal, mem = add_coalitions(c_path, m_path)
        n_user = int(coal["coalition_id"].eq(COALITION_ID).sum())
        print(f"added {n_user} coalition with {int(mem['coalition_id'].eq(COALITION_ID).sum())} member rows; "
              f"{len(coal)} coalitions in all (shipped + yours)")

        # A coding mistake: the error names the file, the column and the line (header = line 1)
        bad = MEMBERSHIPS_CSV.replace("Denmark,combat", "Denmark,allied")
        bad_path = Path(tmp) / "bad_memberships.csv"
        bad_path.write_text(bad, encoding="utf-8")
        try:
            add_coalitions(c_path, bad_path)
        except CoalitionlabError as err:
            print(f"rejected as expected: {str(err).replace(tmp, '<tmp>')}")
        else:  # pragma: no cover - would be a bug in the validation
            raise SystemExit("error: the bad file was accepted")

    panel = coalition_panel(COALITION_ID, coalitions_df=coal, memberships_df=mem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the data line below says it instead
        scored = add_embeddedness(panel, data_dir=args.data_dir, source=source)
        is_seed = bool(scored.attrs["embeddedness"]["is_seed"])
        if is_seed:
            # The seed's agreements are the USA's only, so with France as lead the alliance count is
            # unknown (NaN, not 0): count joint IGO memberships alone, as embeddedness() does on the seed
            scored = add_embeddedness(panel, data_dir=args.data_dir, source=source, components=["igos"])
    panel = scored
    components = ", ".join(panel.attrs["embeddedness"]["components"])
    data = "embedded seed (pass --data-dir for the full sources)" if is_seed else "full sources"
    print()
    print(f"{COALITION_ID}: {len(panel)} candidate states on the start date, {int(panel['joined'].sum())} joined "
          f"(the lead is not a candidate); embeddedness with France in 2020 ({components}); data: {data}")
    panel["rank"] = panel["embeddedness"].rank(ascending=False, method="min")
    members = panel[panel["joined"] == 1].copy()
    members["country"] = members["ccode"].map(mem.drop_duplicates("ccode").set_index("ccode")["country"])
    print(members[["country", "role", "embeddedness", "rank"]].to_string(index=False))
    print(f"mean embeddedness: members {members['embeddedness'].mean():.2f}, "
          f"all candidates {panel['embeddedness'].mean():.2f} (rank 1 = most embedded of {panel['embeddedness'].notna().sum()})")


if __name__ == "__main__":
    main()
