"""The 58 counties of California, spelled as STP_ORI_CNTY_NAME spells them."""

import difflib

COUNTIES: tuple[str, ...] = (
    "ALAMEDA", "ALPINE", "AMADOR", "BUTTE", "CALAVERAS", "COLUSA", "CONTRA COSTA",
    "DEL NORTE", "EL DORADO", "FRESNO", "GLENN", "HUMBOLDT", "IMPERIAL", "INYO", "KERN",
    "KINGS", "LAKE", "LASSEN", "LOS ANGELES", "MADERA", "MARIN", "MARIPOSA", "MENDOCINO",
    "MERCED", "MODOC", "MONO", "MONTEREY", "NAPA", "NEVADA", "ORANGE", "PLACER", "PLUMAS",
    "RIVERSIDE", "SACRAMENTO", "SAN BENITO", "SAN BERNARDINO", "SAN DIEGO", "SAN FRANCISCO",
    "SAN JOAQUIN", "SAN LUIS OBISPO", "SAN MATEO", "SANTA BARBARA", "SANTA CLARA",
    "SANTA CRUZ", "SHASTA", "SIERRA", "SISKIYOU", "SOLANO", "SONOMA", "STANISLAUS", "SUTTER",
    "TEHAMA", "TRINITY", "TULARE", "TUOLUMNE", "VENTURA", "YOLO", "YUBA",
)  # fmt: skip


def normalize_county(name: str) -> str | None:
    """Return the county's canonical upper-case name, or None when it is not a California county."""
    candidate = " ".join(name.split()).upper()
    return candidate if candidate in COUNTIES else None


def unknown_county_message(name: str) -> str:
    """Build the error for a county name that is not one of the 58, with a close match if any."""
    candidate = " ".join(name.split()).upper()
    close = difflib.get_close_matches(candidate, COUNTIES, n=1, cutoff=0.75)
    hint = f" Did you mean {close[0].title()!r}?" if close else ""
    return (
        f"Unknown county {name!r}.{hint} Use one of the 58 California counties: "
        + ", ".join(county.title() for county in COUNTIES)
        + "."
    )
