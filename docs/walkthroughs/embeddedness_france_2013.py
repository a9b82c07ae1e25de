# %% [markdown]
# # Embeddedness for a lead other than the USA: France before Serval (2013)
#
# Henke's measure is not tied to Washington: any state that assembles a coalition has ties with
# each candidate, and the ties tell it what each one wants. On 11 January 2013 France began
# Operation Serval in Mali; within days a dozen states sent aircraft, crews or troops. This
# walkthrough measures France's diplomatic embeddedness with every other state on that day, from
# the full public sources, and asks whether the states that joined were the ones France was most
# embedded with. It needs the data directory (see [getting started](../getting-started.md)).
#
# The same numbers come from the command line:
# `coalitionlab embeddedness --lead France --date 2013-01-11 --top 10 --data-dir ../shared/data`.

# %%
import argparse

import pandas as pd
from scipy.stats import mannwhitneyu

from coalitionlab.coalitions import coalition_members, coalition_panel
from coalitionlab.measures import embeddedness

parser = argparse.ArgumentParser(
    description="France's embeddedness on the day Serval began, and who joined.")
parser.add_argument("--data-dir", required=True,
                    help="the folder with the full sources")
args = parser.parse_args()
pd.set_option("display.width", 120)

# %% [markdown]
# ## Embeddedness on the day the operation began
#
# `embeddedness(lead, date)` returns one row per state in the international system on that day
# (Correlates of War membership), with one column per component: defence and other alliances in
# force (ATOP), bilateral treaties in force (the treaty record: GGO, IEADB, TFDD, DESTA and UNCTAD,
# each agreement once) and joint memberships of intergovernmental organisations (COW IGO). The
# total is their sum. `source="full"` insists on the data directory: without it the call fails
# with one line rather than falling back to the embedded seed. `attrs` records the year of data
# each component was read from and the version of every source.

# %%
emb = embeddedness("France", "2013-01-11", data_dir=args.data_dir, source="full")
attrs = emb.attrs
print(f"{len(emb)} states besides France in the system on {attrs['date']}")
years = [f"{c} ({attrs['years_used'][c]})" for c in attrs["components"]]
print("components (data year):", ", ".join(years))
print("sources:", "; ".join(f"{k} {v}" for k, v in attrs["sources"].items()))
print()
columns = ["country", "alliances", "treaties_bilateral", "igos", "embeddedness"]
print(emb[columns].head(10).to_string(index=False))

# %% [markdown]
# The top of the list is France's European neighbours, as expected. The components are far from
# equal in size: joint IGO memberships make up most of the total, so the total ranks states mostly
# by the organisations they share with France. `embeddedness_z` (the sum of the components'
# z-scores among partners) weighs the three equally, when that is the question.

# %%
components = ["alliances", "treaties_bilateral", "igos"]
shares = emb[components].sum() / emb["embeddedness"].sum()
print("share of the total:", ", ".join(f"{c} {v:.1%}" for c, v in shares.items()))

# %% [markdown]
# ## Who joined Serval, and where they stood
#
# The coalition dataset that ships with coalitionlab codes each member of each coalition with its
# role and a source. Ranking the states by embeddedness (1 = most embedded with France) places
# each member of Serval in France's list.

# %%
emb["rank"] = emb["embeddedness"].rank(ascending=False, method="min").astype(int)
members = coalition_members("serval_2013")
partners = members[members["role"] != "lead"][["ccode", "role", "join_date"]]
joined = emb.merge(partners, on="ccode").sort_values("rank")
columns = ["country", "role", "join_date", "embeddedness", "rank"]
print(joined[columns].to_string(index=False))

# %% [markdown]
# The European members all sit near the top. The two members far down the list are the exceptions
# worth reading: Chad, which sent the largest contingent after France's own, and the United Arab
# Emirates. The measure counts agreements and shared organisations, not what ties France to Chad
# in practice (French forces had been stationed there for decades), which is the limit of any
# count of formal ties.
#
# ## Does embeddedness separate joiners from the rest?
#
# The candidates are the states in the system on the start date, less France and Mali, the
# target (`coalition_panel`). Split into quartiles of embeddedness, the joiners crowd into the top
# one. The Mann-Whitney statistic, divided by the number of joiner/non-joiner pairs, is the
# probability that a joiner is more embedded with France than a non-joiner (the area under the ROC
# curve of embeddedness as a predictor; 0.5 would be no better than chance).

# %%
panel = coalition_panel("serval_2013")
panel = panel.merge(emb[["ccode", "embeddedness"]], on="ccode", how="left")
labels = ["Q1 least", "Q2", "Q3", "Q4 most"]
quartile = pd.qcut(panel["embeddedness"].rank(method="first"), 4, labels=labels)
table = panel.groupby(quartile, observed=True).agg(
    states=("ccode", "size"), joined=("joined", "sum"),
    lowest=("embeddedness", "min"), highest=("embeddedness", "max"))
print(f"{len(panel)} candidates, {int(panel['joined'].sum())} joined")
print(table.to_string())
yes = panel.loc[panel["joined"] == 1, "embeddedness"]
no = panel.loc[panel["joined"] == 0, "embeddedness"]
test = mannwhitneyu(yes, no, alternative="greater")
auc = test.statistic / (len(yes) * len(no))
print(f"P(a joiner is more embedded than a non-joiner) = {auc:.3f} "
      f"(Mann-Whitney one-sided p = {test.pvalue:.2g})")

# %% [markdown]
# ## France's ties are not the USA's
#
# Measured the same day, the USA's embeddedness ranks the same states in a similar order: most
# IGOs that France shares with a state, the USA shares too. Where the two leads differ is what
# makes a French coalition different from an American one: the states ranked much higher on
# France's list than on the USA's are small European states, the Balkans and former French
# colonies in Africa.

# %%
usa = embeddedness("USA", "2013-01-11", data_dir=args.data_dir, source="full")
usa["rank"] = usa["embeddedness"].rank(ascending=False, method="min").astype(int)
both = emb.merge(usa[["ccode", "embeddedness", "rank"]], on="ccode",
                 suffixes=("_france", "_usa"))
rho = both["embeddedness_france"].corr(both["embeddedness_usa"], method="spearman")
print(f"rank correlation of the two leads' embeddedness over {len(both)} "
      f"common partners: {rho:.3f}")
both["places_higher_for_france"] = both["rank_usa"] - both["rank_france"]
closer = both.sort_values("places_higher_for_france", ascending=False).head(10)
columns = ["country", "embeddedness_france", "rank_france",
           "embeddedness_usa", "rank_usa"]
print(closer[columns].to_string(index=False))

# %% [markdown]
# ## Where next
#
# - The measure, its components and its options (weights, lags, successor states):
#   [diplomatic embeddedness](../measures/embeddedness.md).
# - The same comparison for every coalition France led, with a participation model:
#   `participation_data()` and [the participation models](../models/index.md).
# - Serval replayed by the planner, with the side-payments documented:
#   [the Serval case page](../planner/replays/serval_2013.md).
