"""The treaty record behind the treaties components: sources, matches, duplicates, what is dropped.

Prints the figures docs/measures/treaties.md quotes (how many ties each source gives, how many
duplicates each matching rule removes, which agreements are ATOP alliances, the USA's agreements in
force on 2003-03-20).

Run:  python examples/treaty_record.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse

from coalitionlab.measures.treaties import record_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="directory with the full sources")
    args = parser.parse_args()
    print(record_report(args.data_dir))


if __name__ == "__main__":
    main()
