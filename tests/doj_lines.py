"""Builders for synthetic DOJ research file lines and files, shared by the tests.

Every value below is invented. `make_line()` with no arguments gives a felony conviction for
HS 11359 in a San Francisco court; pass DOJ column names to change single fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from autoclear.doj.columns import DOJ_COLUMNS

DEFAULT_FIELDS: dict[str, str] = {
    "RECORD_ID": "00000001",
    "SUBJECT_STATUS": "A",
    "SUBJECT_ID": "1000001",
    "REQ_SEG_SEP": "#",
    "PII_SEG_SEP": "#",
    "CII_NUMBER": "A01000001",
    "PRI_NAME": "DOE,JOHN Q",
    "GENDER": "MALE",
    "PRI_DOB": "19700101",
    "PDR_SEG_SEP": "#",
    "RACE_CODE": "W",
    "RACE_DESCR": "WHITE",
    "HEIGHT": "510",
    "WEIGHT": "170",
    "POB_CODE": "CA",
    "POB_NAME": "CALIFORNIA",
    "CYC_SEG_SEP": "#",
    "CYC_ORDER": "001",
    "CYC_DATE": "19950304",
    "STP_SEG_SEP": "#",
    "STP_ORDER": "002",
    "STP_EVENT_DATE": "19950410",
    "STP_TYPE_CODE": "CRT",
    "STP_TYPE_DESCR": "COURT ACTION",
    "STP_ORI_TYPE": "C",
    "STP_ORI_TYPE_DESCR": "COURT",
    "STP_ORI_CODE": "CA038015J",
    "STP_ORI_DESCR": "CASC SAN FRANCISCO",
    "STP_ORI_CNTY_CODE": "38",
    "STP_ORI_CNTY_NAME": "SAN FRANCISCO",
    "CNT_SEG_SEP": "#",
    "CNT_ORDER": "001002001000",
    "DISP_DATE": "19950410",
    "OFN": "F1234567",
    "OFFENSE_CODE": "11359",
    "OFFENSE_DESCR": "11359 HS-POSSESS MARIJUANA FOR SALE",
    "OFFENSE_TOC": "F",
    "DISP_ORDER": "001",
    "DISP_CODE": "CONV",
    "DISP_DESCR": "CONVICTED",
    "CONV_STAT_CODE": "F",
    "CONV_STAT_DESCR": "FELONY",
    "SENT_SEG_SEP": "#",
    "SENT_ORDER": "001",
    "SENT_LOC_CODE": "J",
    "SENT_LOC_DESCR": "JAIL",
    "SENT_LENGTH": "30",
    "SENT_TIME_CODE": "D",
    "SENT_TIME_DESCR": "DAYS",
    "CYC_AGE": "25",
    "CII_TYPE": "1",
    "END_OF_REC": "#",
}

HEADER_LINE = ",".join(DOJ_COLUMNS)


def quote_field(value: str) -> str:
    """Quote a field the way DOJ files do: only when it contains a comma or a double quote."""
    if "," in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def make_fields(**fields: str) -> list[str]:
    """Return the 95 unquoted field values of a line: the defaults with `fields` replacing them."""
    unknown = sorted(set(fields) - set(DOJ_COLUMNS))
    if unknown:
        raise KeyError(f"not DOJ column names: {', '.join(unknown)}")
    values = {**DEFAULT_FIELDS, **fields}
    return [values.get(name, "") for name in DOJ_COLUMNS]


def make_line(**fields: str) -> str:
    """Return one 95-field DOJ line without a line end; keyword arguments override defaults."""
    return ",".join(quote_field(value) for value in make_fields(**fields))


def write_doj_file(
    path: Path,
    lines: Iterable[str],
    header: bool = False,
    crlf: bool = False,
    bom: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write `lines` (each without a line end; "" for a blank line) as a DOJ file at `path`.

    Every line, the last one included, ends with a line end. `bom` writes the UTF-8 byte order
    mark, which only makes sense with the default encoding.
    """
    line_end = "\r\n" if crlf else "\n"
    all_lines = [HEADER_LINE, *lines] if header else list(lines)
    text = "".join(line + line_end for line in all_lines)
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path
