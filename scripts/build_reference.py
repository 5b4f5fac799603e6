"""Regenerate the reference data in fixtures/reference/.

Writes three files:

- ``regions.json``: the UN M49 hierarchy (continents, sub-regions and
  intermediate regions, parents before children) followed by the political and
  economic groupings with their current member states (hand-written below), each
  with its aliases (other mappings' words for it, hand-written below).
- ``countries.json``: the 249 current ISO 3166-1 countries and territories, each
  with its alpha-3 and M49 numeric code, a common English short name, its French
  and Spanish names, the slug of its most specific M49 region, and its aliases:
  the other ISO 3166-1 names ("Korea, Republic of", "Gabonese Republic") and the
  variants in ``reference_data/country_variants.json`` (old names, ITU, UN and
  World Bank forms, other spellings), which importers use to reconcile other
  mappings' words (taxonomy/reconcile.py).
- ``vocabularies.json``: the topic, audience and modality vocabularies
  (hand-written below, with aliases from the GFCE, Oxford CMM and ITU GCI schemes).

Every region, country and term has a ``name`` in English and ``name_fr`` and
``name_es``: hand-written below for regions and terms, from pycountry's ISO 3166-1
translations for countries.

Run it from the repository root (or via ``make fixtures``)::

    pip install pycountry==26.2.16
    pip install --no-deps country_converter==1.3.2
    python scripts/build_reference.py            # rewrite the files
    python scripts/build_reference.py --check    # exit 1 if they are out of date

It needs two packages, both pinned in requirements-dev.txt / the Makefile:

- ``pycountry``: the authoritative list of current ISO 3166-1 entries and their codes,
  and the French and Spanish country names (its gettext catalogues).
- ``country_converter``: only its data table ``country_data.tsv`` is read (for
  short names and M49 regions). The package itself is never imported, because
  importing it pulls in pandas; install it with ``--no-deps``.

Everything else is the Python standard library. Do not edit the JSON files by
hand: change this script and rerun it.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import importlib.util
import json
import re
import sys
from pathlib import Path

import pycountry

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "reference"
# {scheme: {iso2: [name, ...]}}: names other mappings use for countries that neither our names nor
# ISO 3166-1's give ("" for plain spellings). Forms the reconciler derives from those by rule need
# no entry: "Moldova (the Republic of)", "Dominican Rep.", "Korea, Rep.", "Trinidad & Tobago".
VARIANTS_PATH = Path(__file__).resolve().parent / "reference_data" / "country_variants.json"
ISO_SCHEME = "ISO 3166-1"

# ---------------------------------------------------------------------------
# UN M49 hierarchy (https://unstats.un.org/unsd/methodology/m49/)
# (m49, name, French name, Spanish name, kind, parent slug or None, description).
# Parents before children. French and Spanish names are those of the UN M49
# French and Spanish tables, except Western Africa (see below).
# ---------------------------------------------------------------------------
M49_REGIONS: list[tuple[str, str, str, str, str, str | None, str]] = [
    (
        "002",
        "Africa",
        "Afrique",
        "África",
        "continent",
        None,
        "The African continent and its islands, as grouped by the UN M49 standard.",
    ),
    (
        "015",
        "Northern Africa",
        "Afrique septentrionale",
        "África septentrional",
        "sub_region",
        "africa",
        "North African states from Morocco to Egypt and Sudan.",
    ),
    (
        "202",
        "Sub-Saharan Africa",
        "Afrique subsaharienne",
        "África subsahariana",
        "sub_region",
        "africa",
        "The African countries south of the Sahara.",
    ),
    (
        "014",
        "Eastern Africa",
        "Afrique orientale",
        "África oriental",
        "sub_region",
        "sub-saharan-africa",
        "East Africa, the Horn of Africa and the Indian Ocean islands, down to Zambia, Zimbabwe and Mozambique.",
    ),
    (
        "017",
        "Middle Africa",
        "Afrique centrale",
        "África central",
        "sub_region",
        "sub-saharan-africa",
        "Central Africa from Chad to Angola, including the Gulf of Guinea islands.",
    ),
    (
        "018",
        "Southern Africa",
        "Afrique australe",
        "África meridional",
        "sub_region",
        "sub-saharan-africa",
        "South Africa and its neighbours Botswana, Eswatini, Lesotho and Namibia.",
    ),
    # M49's French table says "Afrique occidentale"; we use "Afrique de l'Ouest", the form
    # visitors search for and the one ECOWAS (CEDEAO) uses in its own name.
    (
        "011",
        "Western Africa",
        "Afrique de l'Ouest",
        "África occidental",
        "sub_region",
        "sub-saharan-africa",
        "West Africa from Mauritania and Cabo Verde to Nigeria, plus Saint Helena.",
    ),
    (
        "019",
        "Americas",
        "Amériques",
        "Américas",
        "continent",
        None,
        "North, Central and South America and the Caribbean.",
    ),
    (
        "419",
        "Latin America and the Caribbean",
        "Amérique latine et Caraïbes",
        "América Latina y el Caribe",
        "sub_region",
        "americas",
        "The Americas south of the United States, including the Caribbean islands.",
    ),
    (
        "029",
        "Caribbean",
        "Caraïbes",
        "Caribe",
        "sub_region",
        "latin-america-and-the-caribbean",
        "The island states and territories of the Caribbean Sea.",
    ),
    (
        "013",
        "Central America",
        "Amérique centrale",
        "Centroamérica",
        "sub_region",
        "latin-america-and-the-caribbean",
        "Mainland Central America from Mexico to Panama.",
    ),
    (
        "005",
        "South America",
        "Amérique du Sud",
        "América del Sur",
        "sub_region",
        "latin-america-and-the-caribbean",
        "The South American continent and its South Atlantic islands.",
    ),
    (
        "021",
        "Northern America",
        "Amérique septentrionale",
        "América septentrional",
        "sub_region",
        "americas",
        "Canada, the United States, Greenland, Bermuda and Saint Pierre and Miquelon.",
    ),
    (
        "142",
        "Asia",
        "Asie",
        "Asia",
        "continent",
        None,
        "The Asian continent, from the Middle East to the Pacific coast.",
    ),
    (
        "143",
        "Central Asia",
        "Asie centrale",
        "Asia central",
        "sub_region",
        "asia",
        "The five Central Asian republics from Kazakhstan to Turkmenistan.",
    ),
    (
        "030",
        "Eastern Asia",
        "Asie orientale",
        "Asia oriental",
        "sub_region",
        "asia",
        "China, Japan, Korea, Mongolia and their neighbours in East Asia.",
    ),
    (
        "035",
        "South-eastern Asia",
        "Asie du Sud-Est",
        "Asia sudoriental",
        "sub_region",
        "asia",
        "Mainland and maritime South-East Asia, from Myanmar to Timor-Leste.",
    ),
    (
        "034",
        "Southern Asia",
        "Asie méridionale",
        "Asia meridional",
        "sub_region",
        "asia",
        "The Indian subcontinent together with Afghanistan, Iran and the Maldives.",
    ),
    (
        "145",
        "Western Asia",
        "Asie occidentale",
        "Asia occidental",
        "sub_region",
        "asia",
        "The Middle East, the Arabian Peninsula, Türkiye, Cyprus and the South Caucasus.",
    ),
    ("150", "Europe", "Europe", "Europa", "continent", None, "The European continent, from Iceland to Russia."),
    (
        "151",
        "Eastern Europe",
        "Europe orientale",
        "Europa oriental",
        "sub_region",
        "europe",
        "Central and Eastern European states from Poland and Czechia to Russia.",
    ),
    (
        "154",
        "Northern Europe",
        "Europe septentrionale",
        "Europa septentrional",
        "sub_region",
        "europe",
        "The Nordic and Baltic states, the British Isles and the Channel Islands.",
    ),
    (
        "039",
        "Southern Europe",
        "Europe méridionale",
        "Europa meridional",
        "sub_region",
        "europe",
        "The Iberian, Italian and Balkan peninsulas and the Mediterranean island states.",
    ),
    (
        "155",
        "Western Europe",
        "Europe occidentale",
        "Europa occidental",
        "sub_region",
        "europe",
        "France, Germany, the Benelux and the Alpine states.",
    ),
    (
        "009",
        "Oceania",
        "Océanie",
        "Oceanía",
        "continent",
        None,
        "Australia, New Zealand and the Pacific island states and territories.",
    ),
    (
        "053",
        "Australia and New Zealand",
        "Australie et Nouvelle-Zélande",
        "Australia y Nueva Zelandia",
        "sub_region",
        "oceania",
        "Australia, New Zealand and their nearby external territories.",
    ),
    (
        "054",
        "Melanesia",
        "Mélanésie",
        "Melanesia",
        "sub_region",
        "oceania",
        "The south-west Pacific islands from Papua New Guinea to Fiji.",
    ),
    (
        "057",
        "Micronesia",
        "Micronésie",
        "Micronesia",
        "sub_region",
        "oceania",
        "The small islands of the north-western Pacific, from Palau to Kiribati.",
    ),
    (
        "061",
        "Polynesia",
        "Polynésie",
        "Polinesia",
        "sub_region",
        "oceania",
        "The central and southern Pacific islands from Samoa and Tonga to French Polynesia.",
    ),
]

# Where country_converter's UNregion column is wrong, missing or not an M49 region,
# set the region slug here (None = no M49 region). Checked against the UN M49 table.
REGION_OVERRIDES: dict[str, str | None] = {
    # Antarctica belongs to no M49 region (country_converter says "Antarctica").
    "AQ": None,
    # Nauru is in Micronesia in M49; country_converter has it in Polynesia.
    "NR": "micronesia",
    # Taiwan is not listed in M49 (the UN counts it under China); place it with its
    # geographic neighbours in Eastern Asia so it is not left without a region.
    "TW": "eastern-asia",
    # Guernsey and Jersey: M49 has a "Channel Islands" (830) intermediate region under
    # Northern Europe. We do not model it (it has no other ISO members), so use its parent.
    "GG": "northern-europe",
    "JE": "northern-europe",
}

# country_converter's name_short is used as the display name, except where it is an
# abbreviation or a less usual form.
NAME_OVERRIDES: dict[str, str] = {
    "BL": "Saint Barthélemy",  # "St. Barths"
    "CD": "Democratic Republic of the Congo",  # "DR Congo"
    "CG": "Republic of the Congo",  # "Congo Republic"
    "FM": "Micronesia (Federated States of)",  # "Micronesia, Fed. Sts."
    "GS": "South Georgia and the South Sandwich Islands",  # "... Is."
    "HM": "Heard Island and McDonald Islands",
    "MF": "Saint Martin (French part)",  # "Saint-Martin"
    "SH": "Saint Helena, Ascension and Tristan da Cunha",  # "St. Helena"
    "SJ": "Svalbard and Jan Mayen",
    "WF": "Wallis and Futuna",
}

# French and Spanish country names come from pycountry's translations of ISO 3166-1
# (its iso-codes gettext catalogues), trying the short common name first because our
# English names are short forms too ("South Korea", not "Korea, Republic of"). These
# override the catalogue where it gives an inverted list form ("Russie, Fédération de"),
# a misspelling, or not the UN short form. build_countries fails if one changes nothing.
TRANSLATION_OVERRIDES: dict[str, dict[str, str]] = {
    "fr": {
        "AX": "Îles Åland",  # "Åland, Îles"
        "CC": "Îles Cocos (Keeling)",  # "Cocos (Keeling), Îles"
        "CX": "Île Christmas",  # "Christmas, Île"
        "FK": "Îles Falkland (Malvinas)",  # UN form; catalogue "Malouines, Îles (Falkland)"
        "FM": "Micronésie (États fédérés de)",  # "Micronésie, États fédérés de"
        "GL": "Groenland",  # "Groënland", an old spelling
        "GQ": "Guinée équatoriale",  # "Guinée Équatoriale"
        "NG": "Nigéria",  # UN French short name; the catalogue keeps "Nigeria"
        "PS": "Palestine",  # "Palestine, État de"
        "RE": "La Réunion",  # "Réunion, Île de la"
        "RU": "Russie",  # "Russie, Fédération de"
        "SB": "Îles Salomon",  # "Salomon, Îles"
        "VA": "Vatican",  # "Saint-Siège (état de la cité du Vatican)"
        "VE": "Venezuela",  # "Vénézuela"
        "VI": "Îles Vierges des États-Unis",  # "Îles Vierges, États-Unis"
    },
    "es": {
        "AX": "Islas Åland",  # "Islas Äland"
        "BF": "Burkina Faso",  # "Burquina Faso"
        "BQ": "Bonaire, San Eustaquio y Saba",  # "Islas BES (Caribe Neerlandés)"
        "CD": "República Democrática del Congo",  # "Congo, República Democrática del"
        "CG": "República del Congo",  # "Congo", ambiguous next to the DR Congo
        "CI": "Costa de Marfil",  # "Costa de Marfíl"
        "DZ": "Argelia",  # the catalogue keeps the English "Algeria"
        "FK": "Islas Malvinas (Falkland)",  # UN form; catalogue "Islas Falkland (Malvinas)"
        "FM": "Micronesia (Estados Federados de)",  # "Micronesia, Estados Federados de"
        "KM": "Comoras",  # "Comores, Islas"
        "NE": "Níger",  # the UN Spanish short name; the catalogue keeps the English "Niger"
        "PN": "Islas Pitcairn",  # "Pitcairn"
        "PS": "Palestina",  # "Palestina, Estado de"
        "RU": "Rusia",  # "Federación Rusa"
        "SX": "San Martín (zona neerlandesa)",  # "Isla de San Martín (zona holandesa)", unlike MF
        "SR": "Surinam",  # "Surinám"
        "TN": "Túnez",  # "Tunez"
        "VA": "Vaticano",  # "Santa Sede (Ciudad Estado del Vaticano)"
        "VG": "Islas Vírgenes Británicas",  # "Islas Vírgenes, Británicas"
        "VI": "Islas Vírgenes de los Estados Unidos",  # "Islas Vírgenes, de EEUU."
    },
}

# ---------------------------------------------------------------------------
# Political and economic groupings, with CURRENT member states (ISO alpha-2).
# Observers, associate members and candidates are not members. French and Spanish
# names are the organisations' own, with their acronym in that language where one is
# in use (the Pacific Islands Forum has none in Spanish).
# ---------------------------------------------------------------------------
GROUPINGS: list[dict] = [
    {
        "slug": "african-union",
        "name": "African Union (AU)",
        "name_fr": "Union africaine (UA)",
        "name_es": "Unión Africana (UA)",
        "description": "The continental union of the 55 African member states, successor to the OAU.",
        "website": "https://au.int",
        # All 54 UN member states in Africa plus the Sahrawi Arab Democratic Republic,
        # which is an AU member; we record it under Western Sahara (EH), its ISO code.
        # States currently suspended from AU activities (e.g. after coups) remain members.
        "members": """
            DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR
            LY MG MW ML MR MU MA MZ NA NE NG RW EH ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW
        """,
    },
    {
        "slug": "ecowas",
        "name": "Economic Community of West African States (ECOWAS)",
        "name_fr": "Communauté économique des États de l'Afrique de l'Ouest (CEDEAO)",
        "name_es": "Comunidad Económica de los Estados de África Occidental (CEDEAO)",
        "description": "The regional economic community of West Africa, promoting economic integration and security.",
        "website": "https://www.ecowas.int",
        # Membership after the withdrawal of Burkina Faso, Mali and Niger took effect
        # in January 2025 (they formed the Alliance of Sahel States): 12 members.
        "members": "BJ CV CI GM GH GN GW LR NG SN SL TG",
    },
    {
        "slug": "sadc",
        "name": "Southern African Development Community (SADC)",
        "name_fr": "Communauté de développement de l'Afrique australe (SADC)",
        "name_es": "Comunidad de Desarrollo de África Austral (SADC)",
        "description": "The regional economic community of sixteen Southern African states.",
        "website": "https://www.sadc.int",
        "members": "AO BW KM CD SZ LS MG MW MU MZ NA SC ZA TZ ZM ZW",
    },
    {
        "slug": "eac",
        "name": "East African Community (EAC)",
        "name_fr": "Communauté d'Afrique de l'Est (CAE)",
        "name_es": "Comunidad de África Oriental (CAO)",
        "description": "The regional intergovernmental organisation of the East African partner states.",
        "website": "https://www.eac.int",
        # Includes South Sudan (2016), DR Congo (2022) and Somalia (2024).
        "members": "BI CD KE RW SO SS TZ UG",
    },
    {
        "slug": "asean",
        "name": "Association of Southeast Asian Nations (ASEAN)",
        "name_fr": "Association des nations de l'Asie du Sud-Est (ASEAN)",
        "name_es": "Asociación de Naciones de Asia Sudoriental (ASEAN)",
        "description": "The regional organisation of Southeast Asian states for economic, political and security ties.",
        "website": "https://asean.org",
        # Timor-Leste became the 11th member at the ASEAN Summit in October 2025.
        "members": "BN KH ID LA MY MM PH SG TH VN TL",
    },
    {
        "slug": "oas",
        "name": "Organization of American States (OAS)",
        "name_fr": "Organisation des États américains (OEA)",
        "name_es": "Organización de los Estados Americanos (OEA)",
        "description": "The regional organisation of the independent states of the Americas.",
        "website": "https://www.oas.org",
        # 35 member states less Nicaragua, whose withdrawal took effect in November 2023: 34.
        # Cuba is formally a member state (its 1962 exclusion was lifted in 2009, though it
        # does not take part), and the OAS still lists Venezuela as a member state despite
        # the 2017 denunciation by the Maduro government; both are included.
        "members": """
            AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX PA PY PE
            KN LC VC SR TT US UY VE
        """,
    },
    {
        "slug": "european-union",
        "name": "European Union (EU)",
        "name_fr": "Union européenne (UE)",
        "name_es": "Unión Europea (UE)",
        "description": "The political and economic union of 27 European member states.",
        "website": "https://european-union.europa.eu",
        "members": "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE",
    },
    {
        "slug": "pacific-islands-forum",
        "name": "Pacific Islands Forum (PIF)",
        "name_fr": "Forum des îles du Pacifique (FIP)",
        "name_es": "Foro de las Islas del Pacífico",
        "description": "The political grouping of the Pacific Island countries, Australia and New Zealand.",
        "website": "https://forumsec.org",
        # 18 full members, including the French territories French Polynesia and New
        # Caledonia (full members since 2016) and Kiribati (rejoined 2023).
        "members": "AU CK FJ PF KI MH FM NR NC NZ NU PW PG WS SB TO TV VU",
    },
    {
        "slug": "commonwealth",
        "name": "Commonwealth of Nations",
        "name_fr": "Commonwealth des nations",
        "name_es": "Mancomunidad de Naciones",
        "description": "A voluntary association of 56 independent states, most of them former British territories.",
        "website": "https://thecommonwealth.org",
        # 56 members, including Gabon and Togo, which joined in June 2022.
        "members": """
            BW CM GA GM GH KE LS MW MU MZ NA NG RW SC SL ZA SZ TG UG TZ ZM
            BD BN IN MY MV PK SG LK
            AG BS BB BZ CA DM GD GY JM KN LC VC TT
            CY MT GB
            AU FJ KI NR NZ PG WS SB TO TV VU
        """,
    },
    {
        "slug": "caricom",
        "name": "Caribbean Community (CARICOM)",
        "name_fr": "Communauté des Caraïbes (CARICOM)",
        "name_es": "Comunidad del Caribe (CARICOM)",
        "description": "The Caribbean community and common market of fifteen member states.",
        "website": "https://caricom.org",
        # The 15 full members (Montserrat, a British territory, is one); associate members excluded.
        "members": "AG BS BB BZ DM GD GY HT JM MS KN LC VC SR TT",
    },
    # The regions of the ITU Development Sector (ITU-D), which other mappings use as they are:
    # Africa, Americas, Arab States, Asia-Pacific, CIS and Europe. The Americas and Europe are our
    # continents ("Americas" and "Europe" place them): the ITU Americas region is the 35 sovereign
    # states of the M49 Americas, and its Europe region differs from the continent only at the
    # edges. The other four differ enough to be groupings of their own.
    {
        "slug": "itu-africa",
        "name": "Africa (ITU region)",
        "name_fr": "Afrique (région de l'UIT)",
        "name_es": "África (región de la UIT)",
        "description": "The 44 member states of the ITU Development Sector's Africa region: the African "
        "countries that are not in its Arab States region.",
        "website": "https://www.itu.int/en/ITU-D/Regional-Presence/Africa/",
        # ITU-D Africa region: the AU's 55 less the five North African states, the five Arab League
        # members south of the Sahara (Comoros, Djibouti, Mauritania, Somalia, Sudan) and Western Sahara.
        "members": """
            AO BJ BW BF BI CM CV CF TD CG CI CD GQ ER SZ ET GA GM GH GN GW KE
            LS LR MG MW ML MU MZ NA NE NG RW ST SN SC SL ZA SS TZ TG UG ZM ZW
        """,
    },
    {
        "slug": "arab-states",
        "name": "Arab States",
        "name_fr": "États arabes",
        "name_es": "Estados árabes",
        "description": "The 22 members of the League of Arab States, the region ITU, UNDP and other UN "
        "bodies call the Arab States.",
        "website": "",
        # The League of Arab States' 22 members, Syria included (readmitted in May 2023). ITU's Arab
        # States region is the same countries (Palestine takes part as an observer).
        "members": "DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE",
    },
    {
        "slug": "asia-pacific",
        "name": "Asia-Pacific (ITU region)",
        "name_fr": "Asie-Pacifique (région de l'UIT)",
        "name_es": "Asia-Pacífico (región de la UIT)",
        "description": "The 38 member states of the ITU Development Sector's Asia and the Pacific region, "
        "from Iran to the Pacific islands.",
        "website": "https://www.itu.int/en/ITU-D/Regional-Presence/AsiaPacific/",
        # ITU-D Asia and the Pacific region. Palau is not an ITU member state.
        "members": """
            AF AU BD BT BN KH CN FJ IN ID IR JP KI KP KR LA MY MV MH FM MN MM NR NP NZ PK PG PH
            WS SG SB LK TH TL TO TV VU VN
        """,
    },
    {
        "slug": "cis",
        "name": "Commonwealth of Independent States (CIS)",
        "name_fr": "Communauté des États indépendants (CEI)",
        "name_es": "Comunidad de Estados Independientes (CEI)",
        "description": "The association of nine former Soviet republics; ITU and UNDP pair it with Europe "
        '("Europe & CIS").',
        "website": "https://e-cis.info",
        # The nine states that ratified the CIS Charter. Turkmenistan (an associate member since
        # 2005) is excluded like other associates; Georgia left in 2009 and Ukraine never ratified
        # the Charter and ended its participation in 2018.
        "members": "AM AZ BY KZ KG MD RU TJ UZ",
    },
    {
        "slug": "eastern-partnership",
        "name": "Eastern Partnership (EaP)",
        "name_fr": "Partenariat oriental (PO)",
        "name_es": "Asociación Oriental",
        "description": "The European Union's partnership with six Eastern European and South Caucasus states.",
        "website": "https://www.eeas.europa.eu/eeas/eastern-partnership_en",
        # Belarus suspended its participation in 2021 but remains one of the six partner countries.
        "members": "AM AZ BY GE MD UA",
    },
    {
        "slug": "western-balkans",
        "name": "Western Balkans",
        "name_fr": "Balkans occidentaux",
        "name_es": "Balcanes Occidentales",
        "description": "The South-East European states outside the EU that the EU's enlargement policy groups "
        "together as the Western Balkans.",
        "website": "https://www.eeas.europa.eu/eeas/western-balkans_en",
        # The EU's Western Balkans also include Kosovo, which is not in the ISO 3166-1 list our
        # countries come from (XK is a user-assigned code and Kosovo has no UN M49 code).
        "members": "AL BA ME MK RS",
    },
]

# Other mappings' words for regions, as (scheme, name). Several regions with the same word share
# it: "Global" is every continent, "Europe & CIS" is Europe plus the CIS. A grouping's name in
# parentheses ("African Union (AU)") is found without this table, as are its French and Spanish names.
SCOPE_WORDS = ["Global", "Worldwide", "World", "All regions", "Mondial", "Monde", "Mundial"]
REGION_ALIASES: dict[str, list[tuple[str, str]]] = {
    "africa": [("", word) for word in SCOPE_WORDS],
    "americas": [("", word) for word in SCOPE_WORDS] + [("", "Western Hemisphere"), ("ITU", "Americas region")],
    "asia": [("", word) for word in SCOPE_WORDS],
    "europe": [("", word) for word in SCOPE_WORDS]
    + [("UNDP", "Europe & CIS"), ("World Bank", "Europe and Central Asia")],
    "oceania": [("", word) for word in SCOPE_WORDS],
    "northern-africa": [("", "North Africa")],
    "western-africa": [("", "West Africa")],
    "eastern-africa": [("", "East Africa")],
    "middle-africa": [("", "Central Africa")],
    "latin-america-and-the-caribbean": [("", "Latin America"), ("", "LAC")],
    "northern-america": [("", "North America")],
    "central-asia": [("World Bank", "Europe and Central Asia")],
    "eastern-asia": [("", "East Asia")],
    "south-eastern-asia": [("", "Southeast Asia"), ("", "South East Asia")],
    "southern-asia": [("", "South Asia")],
    "western-asia": [("", "West Asia")],
    # The Pacific island countries and territories: Oceania less Australia and New Zealand.
    "melanesia": [("", "Pacific Islands")],
    "micronesia": [("", "Pacific Islands")],
    "polynesia": [("", "Pacific Islands")],
    "commonwealth": [("", "Commonwealth"), ("", "Commonwealth countries")],
    "itu-africa": [("ITU", "ITU Africa"), ("ITU", "Africa (ITU)")],
    "arab-states": [("ITU", "Arab region"), ("", "League of Arab States"), ("", "Arab League")],
    "asia-pacific": [("ITU", "Asia & Pacific"), ("", "Asia-Pacific"), ("", "APAC")],
    "cis": [("UNDP", "Europe & CIS"), ("ITU", "CIS region")],
    "western-balkans": [("", "WB6")],
}


# ---------------------------------------------------------------------------
# Vocabularies. Term slugs are referenced elsewhere in the project: do not rename.
# fr and es: the term's name in French and Spanish, short and in everyday use rather
# than a word-for-word translation of the English.
# Aliases: other mappings' words for the same concept ("scheme" says whose; "" for
# plain synonyms). An alias name is unique within its vocabulary, case-insensitively.
# ---------------------------------------------------------------------------
def term(slug, name, description, *, fr, es, parent=None, aliases=()):
    return {
        "slug": slug,
        "name": name,
        "name_fr": fr,
        "name_es": es,
        "description": description,
        "parent": parent,
        "aliases": [{"name": alias, "scheme": scheme} for scheme, alias in aliases],
    }


GFCE, CMM, GCI, ITU_D = "GFCE", "Oxford CMM", "ITU GCI", "ITU-D"

VOCABULARIES: list[dict] = [
    {
        "slug": "topic",
        "name": "Topic",
        "description": "What a capacity-building initiative is about: the cybersecurity area it strengthens.",
        "terms": [
            term(
                "policy-strategy",
                "Cyber policy & strategy",
                "Government policy, governance and strategic planning for cybersecurity and the digital economy.",
                fr="Politique et stratégie de cybersécurité",
                es="Política y estrategia de ciberseguridad",
                aliases=[
                    (GFCE, "Cyber Security Policy and Strategy"),
                    (GFCE, "Policy and Strategy"),  # the name of its Working Group A
                    (CMM, "Cybersecurity Policy and Strategy"),
                    (GCI, "Organizational Measures"),
                    # An ITU-D thematic priority: ICT policy and regulation, closest to this term's
                    # "policy ... for the digital economy" (not cybercrime law, not standards).
                    (ITU_D, "Regulatory and Market Environment"),
                    ("", "cyber policy"),
                    ("", "cybersecurity governance"),
                ],
            ),
            term(
                "national-strategy",
                "National cybersecurity strategies",
                "Developing, implementing and reviewing a national cybersecurity strategy and its action plan.",
                fr="Stratégies nationales de cybersécurité",
                es="Estrategias nacionales de ciberseguridad",
                parent="policy-strategy",
                aliases=[("", "national cybersecurity strategy"), ("", "NCS")],
            ),
            term(
                "incident-management",
                "Incident management & CIIP",
                "Detecting, responding to and recovering from cyber incidents, and protecting the systems "
                "a country depends on.",
                fr="Gestion des incidents et infrastructures critiques",
                es="Gestión de incidentes e infraestructuras críticas",
                aliases=[
                    (GFCE, "Cyber Incident Management and Critical Infrastructure Protection"),
                    (GFCE, "Cyber Incident Management"),  # a task force of its Working Group B
                    (GCI, "Technical Measures"),
                    ("", "incident response"),
                    ("", "incident management"),
                ],
            ),
            term(
                "cert-development",
                "CERT/CSIRT development",
                "Setting up and maturing national and sectoral computer emergency or security incident response teams.",
                fr="Développement des CERT/CSIRT",
                es="Desarrollo de CERT/CSIRT",
                parent="incident-management",
                aliases=[
                    ("", "CSIRT"),
                    ("", "CERT"),
                    ("", "computer security incident response team"),
                    ("", "computer emergency response team"),
                    ("", "national CERT"),
                    ("", "national CSIRT"),
                ],
            ),
            term(
                "ciip",
                "Critical information infrastructure protection",
                "Identifying critical information infrastructure and securing it through regulation, "
                "risk management and public-private cooperation.",
                fr="Protection des infrastructures d'information critiques",
                es="Protección de infraestructuras críticas de información",
                parent="incident-management",
                aliases=[("", "CIIP"), ("", "critical infrastructure protection"), ("", "critical infrastructure")],
            ),
            term(
                "cybercrime",
                "Cybercrime",
                "Preventing, investigating and prosecuting crime committed against or by means of computer systems.",
                fr="Cybercriminalité",
                es="Ciberdelincuencia",
                aliases=[(GFCE, "Cybercrime"), ("", "computer crime"), ("", "cyber-enabled crime")],
            ),
            term(
                "cybercrime-legislation",
                "Cybercrime legislation",
                "Laws and regulations that criminalise cyber offences and give authorities procedural powers, "
                "and their alignment with international instruments.",
                fr="Législation sur la cybercriminalité",
                es="Legislación sobre ciberdelincuencia",
                parent="cybercrime",
                aliases=[
                    (CMM, "Legal and Regulatory Frameworks"),
                    (GCI, "Legal Measures"),
                    ("", "cybercrime law"),
                    ("", "Budapest Convention"),
                ],
            ),
            term(
                "digital-forensics",
                "Digital forensics & e-evidence",
                "Collecting, preserving and analysing electronic evidence so that it holds up in court.",
                fr="Criminalistique numérique et preuve électronique",
                es="Informática forense y evidencia digital",
                parent="cybercrime",
                aliases=[
                    ("", "e-evidence"),
                    ("", "electronic evidence"),
                    ("", "computer forensics"),
                    ("", "digital forensics"),
                ],
            ),
            term(
                "culture-skills",
                "Culture & skills",
                "Building a cybersecurity culture in society and the human capacity to protect it.",
                fr="Culture et compétences",
                es="Cultura y competencias",
                aliases=[
                    (GFCE, "Cyber Security Culture and Skills"),
                    (GCI, "Capacity Development Measures"),
                    ("", "human capacity"),
                ],
            ),
            term(
                "awareness",
                "Awareness raising",
                "Campaigns and programmes that help people and organisations understand online risks and "
                "adopt safe practices.",
                fr="Sensibilisation",
                es="Sensibilización",
                parent="culture-skills",
                aliases=[
                    (CMM, "Cyber Culture and Society"),
                    (CMM, "Cybersecurity Culture and Society"),  # its name in the 2021 edition
                    (GFCE, "Cyber Security Awareness"),  # a topic of its Working Group D
                    ("", "cyber hygiene"),
                    ("", "awareness campaigns"),
                    ("", "awareness"),
                    ("", "public awareness"),
                ],
            ),
            term(
                "workforce",
                "Workforce & education",
                "Cybersecurity education, professional skills and career pathways that grow a qualified workforce.",
                fr="Main-d'œuvre et éducation",
                es="Fuerza laboral y educación",
                parent="culture-skills",
                aliases=[
                    (CMM, "Building Cybersecurity Knowledge and Capabilities"),
                    (CMM, "Cybersecurity Education, Training and Skills"),  # its name in the 2016 edition
                    (GFCE, "Cyber Security Workforce Development"),  # a topic of its Working Group D
                    (GFCE, "Education and Training"),  # likewise
                    ("", "cyber education"),
                    ("", "cyber skills"),
                    ("", "skills development"),
                    ("", "cybersecurity workforce"),
                ],
            ),
            term(
                "standards",
                "Standards & technologies",
                "Adoption of security standards, good practices and secure technologies by organisations "
                "and the market.",
                fr="Normes et technologies",
                es="Estándares y tecnologías",
                aliases=[
                    (GFCE, "Cyber Security Standards"),
                    (CMM, "Standards, Organisations, and Technologies"),
                    ("", "technical standards"),
                    ("", "cybersecurity standards"),
                ],
            ),
            term(
                "cyber-diplomacy",
                "International law, norms & cyber diplomacy",
                "Applying international law and norms of responsible state behaviour in cyberspace, "
                "confidence-building measures and international cooperation.",
                fr="Droit international, normes et cyberdiplomatie",
                es="Derecho internacional, normas y ciberdiplomacia",
                aliases=[
                    (GCI, "Cooperation Measures"),
                    (GFCE, "CBMs, Norms Implementation and Cyber Diplomacy"),  # a task force of Working Group A
                    ("", "cyber diplomacy"),
                    ("", "CBMs"),
                    ("", "confidence-building measures"),
                    ("", "cyber norms"),
                    ("", "international cooperation"),
                ],
            ),
            term(
                "data-protection",
                "Data protection & privacy",
                "Personal data protection laws, supervisory authorities and privacy safeguards.",
                fr="Protection des données et vie privée",
                es="Protección de datos y privacidad",
                aliases=[("", "privacy"), ("", "personal data protection"), ("", "data protection")],
            ),
            term(
                "child-online-protection",
                "Child online protection",
                "Keeping children safe online through policy, education, reporting mechanisms and industry measures.",
                fr="Protection des enfants en ligne",
                es="Protección infantil en línea",
                aliases=[
                    ("", "COP"),
                    ("", "online child safety"),
                    ("", "online child sexual exploitation and abuse"),
                    ("", "OCSEA"),
                ],
            ),
        ],
    },
    {
        "slug": "audience",
        "name": "Audience",
        "description": "Who an initiative is for: the people or organisations whose capacity it builds.",
        "terms": [
            term(
                "policymakers",
                "Policymakers",
                "Government officials and legislators who shape cybersecurity and digital policy.",
                fr="Décideurs politiques",
                es="Responsables de políticas",
                aliases=[
                    ("", "policy makers"),
                    ("", "government officials"),
                    ("", "decision-makers"),
                    ("", "government"),
                    ("", "legislators"),
                    ("", "parliamentarians"),
                ],
            ),
            term(
                "diplomats",
                "Diplomats",
                "Foreign-ministry staff and delegates who negotiate cyber issues in international forums.",
                fr="Diplomates",
                es="Diplomáticos",
                aliases=[("", "foreign ministry officials"), ("", "cyber diplomats")],
            ),
            term(
                "certs",
                "CERTs / CSIRTs",
                "National, sectoral and organisational incident response teams and their analysts.",
                fr="CERT / CSIRT",
                es="CERT / CSIRT",
                aliases=[("", "CSIRTs"), ("", "CERTs"), ("", "incident responders")],
            ),
            term(
                "law-enforcement",
                "Law enforcement",
                "Police and other investigative agencies that handle cybercrime and digital evidence.",
                fr="Forces de l'ordre",
                es="Fuerzas del orden",
                aliases=[
                    ("", "Law enforcement agencies"),
                    ("", "LEAs"),
                    ("", "police"),
                    ("", "capacity building for law enforcement"),
                ],
            ),
            term(
                "judiciary",
                "Judiciary & prosecutors",
                "Judges, prosecutors and other criminal justice professionals who deal with cyber cases.",
                fr="Juges et procureurs",
                es="Jueces y fiscales",
                aliases=[
                    ("", "judges"),
                    ("", "prosecutors"),
                    ("", "judges and prosecutors"),
                    ("", "criminal justice authorities"),
                ],
            ),
            term(
                "private-sector",
                "Private sector",
                "Companies of every size, including operators of critical services and technology vendors.",
                fr="Secteur privé",
                es="Sector privado",
                aliases=[("", "SMEs"), ("", "industry"), ("", "businesses"), ("", "companies")],
            ),
            term(
                "civil-society",
                "Civil society",
                "Non-governmental organisations, foundations and community groups.",
                fr="Société civile",
                es="Sociedad civil",
                aliases=[("", "NGOs"), ("", "CSOs"), ("", "non-governmental organisations")],
            ),
            term(
                "academia",
                "Academia",
                "Universities, research institutes, lecturers and researchers.",
                fr="Monde universitaire",
                es="Academia",
                aliases=[("", "universities"), ("", "researchers"), ("", "academics")],
            ),
            term(
                "technical-community",
                "Technical community",
                "Network operators, registries, internet exchange points and other technical bodies "
                "that run the internet.",
                fr="Communauté technique",
                es="Comunidad técnica",
                aliases=[("", "internet technical community"), ("", "network operators"), ("", "ISPs")],
            ),
            term(
                "women",
                "Women",
                "Initiatives that specifically reach women and girls, for example to close the cyber gender gap.",
                fr="Femmes",
                es="Mujeres",
                aliases=[("", "women in cyber"), ("", "girls")],
            ),
            term(
                "youth",
                "Youth",
                "Young people, pupils and students at the start of their education or career.",
                fr="Jeunes",
                es="Jóvenes",
                aliases=[("", "young people"), ("", "students"), ("", "children")],
            ),
            term(
                "general-public",
                "General public",
                "Citizens and everyday internet users.",
                fr="Grand public",
                es="Público en general",
                aliases=[("", "citizens"), ("", "end users"), ("", "public")],
            ),
        ],
    },
    {
        "slug": "modality",
        "name": "Modality",
        "description": "How an initiative builds capacity: the kind of support it delivers.",
        "terms": [
            term(
                "training",
                "Training",
                "Courses, workshops and e-learning that teach skills to participants.",
                fr="Formation",
                es="Capacitación",
                aliases=[("", "courses"), ("", "e-learning"), ("", "capacity-building workshops"), ("", "workshops")],
            ),
            term(
                "technical-assistance",
                "Technical assistance",
                "Expert advice and hands-on support to help an institution build or improve its capabilities.",
                fr="Assistance technique",
                es="Asistencia técnica",
                aliases=[("", "advisory support"), ("", "expert deployment")],
            ),
            term(
                "funding",
                "Funding",
                "Grants and other financial support for cyber capacity-building work.",
                fr="Financement",
                es="Financiación",
                aliases=[("", "grants"), ("", "financing"), ("", "donor funding")],
            ),
            term(
                "research",
                "Research",
                "Studies, analysis and data that build the evidence base for capacity building.",
                fr="Recherche",
                es="Investigación",
                aliases=[("", "studies"), ("", "analysis")],
            ),
            term(
                "toolkit",
                "Toolkits & guidance",
                "Handbooks, guides, templates and tools that practitioners can reuse.",
                fr="Boîtes à outils et guides",
                es="Herramientas y guías",
                aliases=[("", "guidance"), ("", "handbooks"), ("", "good practices"), ("", "toolkit")],
            ),
            term(
                "exercise",
                "Cyber exercises",
                "Tabletop, simulation and technical exercises that test plans and teams.",
                fr="Exercices cyber",
                es="Ciberejercicios",
                aliases=[
                    ("", "tabletop exercise"),
                    ("", "cyber drills"),
                    ("", "simulation exercises"),
                    ("", "exercises"),
                ],
            ),
            term(
                "exchange",
                "Peer exchange & mentoring",
                "Twinning, study visits and mentoring that connect practitioners with peers.",
                fr="Échanges entre pairs et mentorat",
                es="Intercambio entre pares y mentoría",
                aliases=[("", "mentoring"), ("", "peer learning"), ("", "twinning"), ("", "study visits")],
            ),
            term(
                "dialogue",
                "Policy dialogue & events",
                "Conferences, roundtables and dialogues that bring stakeholders together.",
                fr="Dialogue politique et événements",
                es="Diálogo político y eventos",
                aliases=[("", "conferences"), ("", "roundtables"), ("", "events"), ("", "dialogue")],
            ),
            term(
                "assessment",
                "Maturity assessments",
                "Structured reviews of national or organisational cybersecurity capacity, such as CMM reviews.",
                fr="Évaluations de maturité",
                es="Evaluaciones de madurez",
                aliases=[
                    ("", "capacity assessment"),
                    ("", "maturity assessment"),
                    ("", "needs assessment"),
                    ("", "assessments"),
                ],
            ),
        ],
    },
]


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------
def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def country_data_path() -> Path:
    """Find country_converter's country_data.tsv without importing the package (it imports pandas)."""
    spec = importlib.util.find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("country_converter is not installed: pip install --no-deps country_converter==1.3.2")
    for location in spec.submodule_search_locations:
        path = Path(location) / "country_data.tsv"
        if path.is_file():
            return path
    sys.exit("country_converter is installed but has no country_data.tsv")


def build_regions() -> list[dict]:
    regions: list[dict] = []
    seen: set[str] = set()
    for m49, name, name_fr, name_es, kind, parent, description in M49_REGIONS:
        slug = slugify(name)
        assert parent is None or parent in seen, f"{slug}: parent {parent} must come first"
        assert (parent is None) == (kind == "continent"), slug
        seen.add(slug)
        regions.append(
            {
                "slug": slug,
                "name": name,
                "name_fr": name_fr,
                "name_es": name_es,
                "kind": kind,
                "parent": parent,
                "m49": m49,
                "description": description,
                "website": "",
                "members": [],
                "aliases": region_aliases(slug),
            }
        )
    return regions


def region_aliases(slug: str) -> list[dict]:
    return [{"name": name, "scheme": scheme} for scheme, name in sorted(REGION_ALIASES.get(slug, []))]


class Untranslated(gettext.NullTranslations):
    """A catalogue's last fallback: "" for a message it has no translation for."""

    def gettext(self, message: str) -> str:
        return ""


def country_translations(language: str) -> dict[str, str]:
    """ISO alpha-2 -> the country's name in this language ("" if there is none)."""
    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    catalogue.add_fallback(Untranslated())
    names = {}
    for country in pycountry.countries:
        candidates = (getattr(country, key, "") for key in ("common_name", "name", "official_name"))
        names[country.alpha_2] = next(
            (t for english in candidates if english and (t := catalogue.gettext(english))), ""
        )
    for iso2, name in TRANSLATION_OVERRIDES[language].items():
        assert names[iso2] != name, f"{language} {iso2}: override {name!r} is what the catalogue says already"
        names[iso2] = name
    return names


def build_countries(region_slugs: set[str]) -> list[dict]:
    with country_data_path().open(encoding="utf-8", newline="") as handle:
        table = {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}

    translations = {language: country_translations(language) for language in ("fr", "es")}
    countries = []
    for country in pycountry.countries:
        row = table.get(country.alpha_3)
        assert row is not None, f"{country.alpha_3} missing from country_data.tsv"
        assert int(row["ISOnumeric"]) == int(country.numeric), country.alpha_3
        iso2 = country.alpha_2
        if iso2 in REGION_OVERRIDES:
            region = REGION_OVERRIDES[iso2]
        else:
            region = slugify(row["UNregion"])
            assert region in region_slugs, f"{iso2}: unknown M49 region {row['UNregion']!r}"
        name = NAME_OVERRIDES.get(iso2) or re.sub(r"^St\. ", "Saint ", row["name_short"])
        row = {
            "iso2": iso2,
            "iso3": country.alpha_3,
            "m49": f"{int(country.numeric):03d}",
            "name": name,
            "name_fr": translations["fr"][iso2],
            "name_es": translations["es"][iso2],
            "region": region,
        }
        names = {row[key].casefold() for key in ("name", "name_fr", "name_es")}
        iso_names = (getattr(country, key, "") for key in ("name", "official_name", "common_name"))
        row["aliases"] = [
            {"name": alias, "scheme": ISO_SCHEME}
            for alias in sorted({alias for alias in iso_names if alias and alias.casefold() not in names})
        ]
        countries.append(row)
    countries.sort(key=lambda c: c["iso2"])
    add_country_variants(countries)

    assert len(countries) == 249, len(countries)
    for key in ("iso2", "iso3", "m49", "name"):
        assert len({c[key] for c in countries}) == len(countries), f"duplicate {key}"
    for key in ("name_fr", "name_es"):
        names = [c[key] for c in countries if c[key]]
        assert len(set(names)) == len(names), f"duplicate {key}"
    assert [c["iso2"] for c in countries if c["region"] is None] == ["AQ"]
    return countries


def add_country_variants(countries: list[dict]) -> None:
    """Add the hand-written variants, each one useful (not already a name) and unambiguous."""
    by_iso2 = {c["iso2"]: c for c in countries}
    owner: dict[str, str] = {}  # a name or code, casefolded -> the country it places
    for c in countries:
        for key in ("iso2", "iso3", "name", "name_fr", "name_es"):
            owner.setdefault(c[key].casefold(), c["iso2"])
        for alias in c["aliases"]:
            assert owner.setdefault(alias["name"].casefold(), c["iso2"]) == c["iso2"], alias
    variants = json.loads(VARIANTS_PATH.read_text(encoding="utf-8"))
    for scheme, by_country in variants.items():
        for iso2, names in by_country.items():
            assert iso2 in by_iso2, f"{VARIANTS_PATH.name}: {iso2} is not an ISO 3166-1 code"
            for name in names:
                assert name.casefold() not in owner, (
                    f"{VARIANTS_PATH.name}: {name!r} is already {owner[name.casefold()]}"
                )
                owner[name.casefold()] = iso2
                by_iso2[iso2]["aliases"].append({"name": name, "scheme": scheme})
    for c in countries:
        c["aliases"].sort(key=lambda alias: (alias["scheme"], alias["name"]))


def build_groupings(iso2_codes: set[str]) -> list[dict]:
    groupings = []
    for grouping in GROUPINGS:
        members = grouping["members"].split()
        assert len(set(members)) == len(members), f"{grouping['slug']}: duplicate member"
        unknown = set(members) - iso2_codes
        assert not unknown, f"{grouping['slug']}: not ISO 3166-1 codes: {sorted(unknown)}"
        groupings.append(
            {
                "slug": grouping["slug"],
                "name": grouping["name"],
                "name_fr": grouping["name_fr"],
                "name_es": grouping["name_es"],
                "kind": "grouping",
                "parent": None,
                "m49": "",
                "description": grouping["description"],
                "website": grouping["website"],
                "members": sorted(members),
                "aliases": region_aliases(grouping["slug"]),
            }
        )
    expected = {
        "african-union": 55,
        "ecowas": 12,
        "sadc": 16,
        "eac": 8,
        "asean": 11,
        "oas": 34,
        "european-union": 27,
        "pacific-islands-forum": 18,
        "commonwealth": 56,
        "caricom": 15,
        "itu-africa": 44,
        "arab-states": 22,
        "asia-pacific": 38,
        "cis": 9,
        "eastern-partnership": 6,
        "western-balkans": 5,
    }
    assert {g["slug"]: len(g["members"]) for g in groupings} == expected
    return groupings


def check_region_aliases(regions: list[dict]) -> None:
    """Aliases name known regions, and no alias is another region's name."""
    slugs = {r["slug"] for r in regions}
    assert set(REGION_ALIASES) <= slugs, sorted(set(REGION_ALIASES) - slugs)
    names = {r[key].casefold(): r["slug"] for r in regions for key in ("name", "name_fr", "name_es")}
    for region in regions:
        for alias in region["aliases"]:
            assert names.get(alias["name"].casefold(), region["slug"]) == region["slug"], alias


def check_translated(rows: list[dict], what: str) -> None:
    """Hand-written French and Spanish names: present, and not two rows with the same one."""
    for key in ("name_fr", "name_es"):
        names = [row[key].casefold() for row in rows]
        assert all(names), f"{what}: {key} missing for {[r['slug'] for r in rows if not r[key]]}"
        assert len(set(names)) == len(names), f"{what}: duplicate {key}"


def check_vocabularies(vocabularies: list[dict]) -> None:
    for vocabulary in vocabularies:
        check_translated(vocabulary["terms"], vocabulary["slug"])
        slugs: set[str] = set()
        names = {t["name"].casefold(): t["slug"] for t in vocabulary["terms"]}
        aliases: set[str] = set()
        for t in vocabulary["terms"]:
            assert t["slug"] not in slugs, t["slug"]
            assert t["parent"] is None or t["parent"] in slugs, f"{t['slug']}: parent must come first"
            assert t["description"], t["slug"]
            slugs.add(t["slug"])
            for alias in t["aliases"]:
                key = alias["name"].casefold()
                assert key not in aliases, f"{vocabulary['slug']}: alias {alias['name']!r} used twice"
                assert names.get(key, t["slug"]) == t["slug"], f"alias {alias['name']!r} is another term's name"
                aliases.add(key)


def render(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="Only report whether the files are up to date.")
    args = parser.parse_args(argv)

    m49_regions = build_regions()
    countries = build_countries({r["slug"] for r in m49_regions})
    groupings = build_groupings({c["iso2"] for c in countries})
    check_translated(m49_regions + groupings, "regions")
    check_region_aliases(m49_regions + groupings)
    check_vocabularies(VOCABULARIES)
    outputs = {
        "regions.json": render(m49_regions + groupings),
        "countries.json": render(countries),
        "vocabularies.json": render(VOCABULARIES),
    }

    stale = []
    for filename, text in outputs.items():
        path = OUTPUT_DIR / filename
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(filename)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check:
        print("out of date: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    print(
        f"{len(m49_regions) + len(groupings)} regions "
        f"({sum(len(r['aliases']) for r in m49_regions + groupings)} aliases), {len(countries)} countries "
        f"({sum(len(c['aliases']) for c in countries)} aliases), {sum(len(v['terms']) for v in VOCABULARIES)} "
        f"terms ({sum(len(t['aliases']) for v in VOCABULARIES for t in v['terms'])} aliases); "
        f"rewrote: {', '.join(stale) or 'nothing'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
