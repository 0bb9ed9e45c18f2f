"""Result files: every input line with its eligibility columns, in input order.

`All_Results.csv` keeps each input line as written (its 95 DOJ fields, quoting and padding
included) and adds the eligibility columns the older public tool wrote (same names, same
determination words), then autoclear's own columns. `All_Results_Condensed.csv` has the
condensed column set and `Prop64_Results.csv` only the in-scope cannabis conviction lines.

The result columns are encoded as CSV text once, when a partition is decided, and only for
lines that carry a value (`encoded_results`). The writer then reads the input files block by
block and appends that text, or the empty fields, to each line, so the three files are written
in one pass whose memory does not grow with the input.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from autoclear.doj.columns import (
    AUTOCLEAR_COLUMNS,
    CONDENSED_COLUMNS,
    DOJ_COLUMNS,
    ELIGIBILITY_COLUMNS,
)
from autoclear.doj.reader import BLOCK_SIZE, Delivery, LineSource, RawBlock
from autoclear.errors import InputFileError
from autoclear.outputs.output_file import OutputFile, WrittenFile
from autoclear.records.dates import us_date
from autoclear.records.history import ROW
from autoclear.rules import evaluate
from autoclear.rules.prop64 import PROP64_EFFECTIVE_DATE

# The columns of the normalized lines that `line_columns` reads.
LINE_FIELDS = (
    ROW, "_line", "count_row", "repeat_of", "is_count_line", "comment_cannabis",
    "section_display", "level", "cycle_date", "cycle_date_status", "event_date",
    "event_date_status", "charge_from_comment", "is_conviction", "is_prop64", "county",
)  # fmt: skip

# Result columns the writer adds to every line itself.
SOURCE_COLUMNS = ("Source File", "Source Line")
# Result columns encoded per line by `encoded_results`, in file order.
DECIDED_COLUMNS = tuple(
    name for name in ELIGIBILITY_COLUMNS + AUTOCLEAR_COLUMNS if name not in SOURCE_COLUMNS
)
OTHER_CHARGES = "Possible Other P64 Charges"

# Columns of `encoded_results`: the row, the line number in its file (to check that each result
# is written beside its own line), whether the line is an in-scope conviction, and the CSV text
# of DECIDED_COLUMNS.
SOURCE_LINE = "_source_line"
IN_SCOPE = "_in_scope"
ENCODED = "_encoded"

# The CSV text of DECIDED_COLUMNS for a line without any value.
EMPTY_ENCODED = "," * (len(DECIDED_COLUMNS) - 1)


def _yes_no(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr).then(pl.lit("true")).otherwise(pl.lit("false"))


def line_columns(lines: pl.LazyFrame, counts: pl.LazyFrame, county: str) -> pl.LazyFrame:
    """Eligibility and autoclear columns of the input lines (`_row`) that may carry a value.

    A line carries a value only when it belongs to an in-scope conviction, to a possible plea
    bargain, or has a flag or a cannabis charge in its comment. The other lines, most of a
    delivery, are left out before any column is built, and the writer gives them empty fields.
    The source file and line columns are left out too: the writer adds them to every line.
    """
    # Every count column is read only for in-scope counts, except plea_bargain (a flag).
    relevant = pl.col("in_scope").fill_null(False) | pl.col("plea_bargain").fill_null(False)
    count_columns = counts.filter(relevant).select(
        pl.col(ROW).alias("count_row"),
        "in_scope", "determination", "reason", "rule", "statute", "remedy", "sentence_end",
        "case_number", "convictions_on_record", "prop64_convictions", "hs_11357_convictions",
        "hs_11358_convictions", "hs_11359_convictions", "hs_11360_convictions", "deceased",
        "super_strike_section", "sex_offense_section", "registration_section",
        "years_since_conviction", "years_since_any_conviction", "plea_bargain",
        "sentence_unreadable", "subject_dob",
    )  # fmt: skip
    may_carry_value = (
        relevant
        | pl.col("repeat_of").is_not_null()
        | ~pl.col("is_count_line")
        | (pl.col("comment_cannabis").list.len() > 0)
        | (pl.col("is_prop64") & (pl.col("charge_from_comment") | pl.col("is_conviction")))
    )
    # `count_row` (see mark_repeats_and_parts) finds a line's count as a join on subject and
    # count key would, at the cost of a join on one integer.
    joined = (
        lines.select(LINE_FIELDS)
        .join(count_columns, on="count_row", how="left")
        .filter(may_carry_value)
    )

    in_scope = pl.col("in_scope").fill_null(False)

    def scoped(expr: pl.Expr) -> pl.Expr:
        return pl.when(in_scope).then(expr).otherwise(None)

    level_words = pl.col("level").replace_strict(
        {"F": "Felony", "M": "Misdemeanor", "I": "Infraction"}, default=None
    )
    flags = pl.concat_str(
        [
            pl.when(pl.col("repeat_of").is_not_null()).then(pl.lit(evaluate.FLAG_REPEATED)),
            pl.when(~pl.col("is_count_line") & pl.col("repeat_of").is_null()).then(
                pl.lit(evaluate.FLAG_SENTENCE_PART)
            ),
            pl.when(pl.col("plea_bargain").fill_null(False)).then(
                pl.lit(evaluate.FLAG_PLEA_BARGAIN)
            ),
            pl.when(pl.col("is_prop64") & pl.col("charge_from_comment")).then(
                pl.lit(evaluate.FLAG_CHARGE_FROM_COMMENT)
            ),
            pl.when(
                in_scope
                & (
                    (pl.col("cycle_date_status") != "full")
                    | (pl.col("event_date_status") != "full")
                )
            ).then(pl.lit(evaluate.FLAG_PARTIAL_DATE)),
            pl.when(in_scope & pl.col("subject_dob").is_null()).then(
                pl.lit(evaluate.FLAG_UNKNOWN_DOB)
            ),
            pl.when(in_scope & pl.col("sentence_unreadable").fill_null(False)).then(
                pl.lit(evaluate.FLAG_SENTENCE_UNREADABLE)
            ),
            pl.when(
                pl.col("is_conviction") & pl.col("is_prop64") & (pl.col("county") != county)
            ).then(pl.lit(evaluate.FLAG_OTHER_COUNTY)),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    occurred_after = pl.col("cycle_date") >= PROP64_EFFECTIVE_DATE

    return joined.select(
        ROW,
        pl.col("_line").alias(SOURCE_LINE),
        scoped(pl.col("case_number")).alias("Case Number"),
        scoped(pl.col("convictions_on_record").cast(pl.String)).alias("# of convictions on record"),
        pl.col("comment_cannabis").list.join("; ").alias("Possible Other P64 Charges"),
        scoped(pl.when(pl.col("cycle_date_status") == "full").then(_yes_no(occurred_after))).alias(
            "Occurred after 11/9/2016"
        ),
        scoped(pl.col("super_strike_section")).alias("Superstrike Code Section(s)"),
        scoped(pl.col("sex_offense_section")).alias("PC290 Code Section(s)"),
        scoped(_yes_no(pl.col("registration_section").is_not_null())).alias("PC290 Registration"),
        scoped(us_date(pl.col("event_date"))).alias("Date of Conviction"),
        scoped(pl.col("years_since_conviction").cast(pl.String)).alias(
            "Years Since This Conviction"
        ),
        scoped(pl.col("years_since_any_conviction").cast(pl.String)).alias(
            "Years Since Any Conviction"
        ),
        scoped(pl.col("prop64_convictions").cast(pl.String)).alias("# of Prop 64 convictions"),
        *(
            scoped(pl.col(f"hs_{s}_convictions").cast(pl.String)).alias(f"# of HS {s} convictions")
            for s in ("11357", "11358", "11359", "11360")
        ),
        scoped(_yes_no(pl.col("deceased"))).alias("Deceased"),
        scoped(pl.col("determination")).alias("Eligibility Determination"),
        scoped(pl.col("reason")).alias("Eligibility Reason"),
        scoped(pl.col("section_display")).alias("Code Section"),
        scoped(level_words).alias("Level"),
        scoped(pl.col("rule")).alias("Decision Rule"),
        scoped(pl.col("statute")).alias("Statute"),
        scoped(pl.col("remedy")).alias("Remedy"),
        scoped(pl.col("sentence_end").dt.strftime("%Y-%m-%d")).alias("Sentence End Date"),
        pl.when(flags == "").then(None).otherwise(flags).alias("Flags"),
        in_scope.alias(IN_SCOPE),
    )


def csv_field(value: pl.Expr) -> pl.Expr:
    """Encode text as one CSV field, as Polars writes it, except that a null and an empty string
    both become an empty field. A value with a comma, a double quote or a line break is quoted."""
    needs_quotes = value.str.contains(r'[",\r\n]')
    quoted = pl.lit('"') + value.str.replace_all('"', '""', literal=True) + pl.lit('"')
    return pl.when(needs_quotes).then(quoted).otherwise(value).fill_null("")


def _csv_text(value: str) -> str:
    """Encode one value as `csv_field` does."""
    if any(character in value for character in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def encoded_results(per_line: pl.LazyFrame) -> pl.LazyFrame:
    """Keep the lines of `line_columns` that carry a value, with their columns as CSV text.

    Most lines are not cannabis convictions and have no value in any result column, so they are
    left out and the writer gives them EMPTY_ENCODED. Returns ROW, SOURCE_LINE, IN_SCOPE and
    ENCODED.
    """
    valued = [pl.col(name).is_not_null() for name in DECIDED_COLUMNS if name != OTHER_CHARGES]
    has_value = pl.any_horizontal(*valued, pl.col(OTHER_CHARGES) != "", pl.col(IN_SCOPE))
    encoded = pl.concat_str(
        [csv_field(pl.col(name).cast(pl.String)) for name in DECIDED_COLUMNS], separator=","
    )
    return per_line.filter(has_value).select(ROW, SOURCE_LINE, IN_SCOPE, encoded.alias(ENCODED))


# Threads that parse blocks of input and build their result lines, and how many blocks they
# may prepare ahead of the one being written. Each block is about 8 MiB of input.
PREPARE_THREADS = 2
BLOCKS_AHEAD = 3

RESULT_FILES = ("All_Results.csv", "All_Results_Condensed.csv", "Prop64_Results.csv")


def write_result_files(
    delivery: Delivery,
    results: pl.DataFrame,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    suffix: str = ".tmp",
    block_size: int = BLOCK_SIZE,
) -> dict[str, WrittenFile]:
    """Write the three result CSVs under temporary names; return final name -> file written.

    `results` is the output of `encoded_results` for the whole delivery, sorted by row.
    `progress(done_bytes, total_bytes)` is called after each block of input; it may raise to
    stop the run. The input is read `block_size` bytes at a time.
    """
    report = progress or (lambda _done, _total: None)
    total = sum(source.path.stat().st_size for source in delivery.sources)
    written = {name: out_dir / (name + suffix) for name in RESULT_FILES}
    result_rows = results.get_column(ROW)
    names = [*ELIGIBILITY_COLUMNS, *AUTOCLEAR_COLUMNS]
    headers = {
        "All_Results.csv": [*DOJ_COLUMNS, *names],
        "All_Results_Condensed.csv": [*CONDENSED_COLUMNS, *names],
        "Prop64_Results.csv": [*DOJ_COLUMNS, *names],
    }

    handles: dict[str, OutputFile] = {}
    try:
        for name, path in written.items():
            handles[name] = OutputFile(path)
            header = ",".join(_csv_text(column) for column in headers[name])
            handles[name].write(header.encode() + b"\n")
        row = 0
        done = 0
        report(done, total)
        for source in delivery.sources:
            for texts, rows, size in _prepared_blocks(source, results, row, block_size):
                _write_lines(handles["All_Results.csv"], texts, ["line"])
                _write_lines(handles["All_Results_Condensed.csv"], texts, CONDENSED_COLUMNS)
                _write_lines(
                    handles["Prop64_Results.csv"], texts.filter(pl.col(IN_SCOPE)), ["line"]
                )
                row += rows
                done += size
                report(done, total)
        placed = result_rows.search_sorted(row, side="left")
        if row != delivery.accepted_lines or placed != results.height:
            raise InputFileError(
                f"Writing the result files read {row} lines where {delivery.accepted_lines} were "
                "accepted. Please report this problem to the autoclear developers."
            )
        for handle in handles.values():
            handle.close()
    except BaseException:
        # Every writer thread must stop, or the process would wait for it forever.
        for handle in handles.values():
            handle.abandon()
        raise
    return {name: handle.result() for name, handle in handles.items()}


def _check_alignment(
    lines: pl.DataFrame, block_results: pl.DataFrame, first_row: int, file_name: str
) -> None:
    """Raise unless each result of the block belongs to the line it is about to be written beside.

    The rows are counted again from the input, so a difference between this reading and the
    one the decisions came from would put decisions on the wrong lines.
    """
    positions = block_results.get_column(ROW) - first_row
    expected = block_results.get_column(SOURCE_LINE)
    found = lines.get_column("_line").gather(positions)
    if not found.equals(expected, check_names=False):
        raise InputFileError(
            f"The lines of {file_name} read for the result files do not match the lines the "
            f"decisions were made on (from row {first_row}). Please report this problem to the "
            "autoclear developers."
        )


def _prepared_blocks(
    source: LineSource, results: pl.DataFrame, first_row: int, block_size: int
) -> Iterator[tuple[pl.DataFrame, int, int]]:
    """Yield the result lines of each block of `source` in order (see `_result_lines`), with the
    number of accepted lines and of bytes the block covers.

    Parsing a block and building its result lines take most of the writer's time, so
    PREPARE_THREADS threads prepare up to BLOCKS_AHEAD blocks while the current one is written.
    """
    result_rows = results.get_column(ROW)
    row = first_row
    pending: deque[tuple[Future[pl.DataFrame], int, int]] = deque()
    with ThreadPoolExecutor(PREPARE_THREADS, thread_name_prefix="autoclear-prepare") as pool:
        try:
            for block in source.raw_blocks(block_size):
                bounds = pl.Series([row, row + block.accepted], dtype=result_rows.dtype)
                first, last = result_rows.search_sorted(bounds, side="left").to_list()
                block_results = results.slice(first, last - first)
                future = pool.submit(_prepare_block, source, block, block_results, row)
                pending.append((future, block.accepted, len(block.data)))
                row += block.accepted
                if len(pending) > BLOCKS_AHEAD:
                    future, rows, size = pending.popleft()
                    yield future.result(), rows, size
            while pending:
                future, rows, size = pending.popleft()
                yield future.result(), rows, size
        finally:
            # On an error or a cancel, the blocks not started yet are dropped, and the pool
            # waits for the ones running.
            for future, _rows, _size in pending:
                future.cancel()


def _prepare_block(
    source: LineSource, block: RawBlock, block_results: pl.DataFrame, first_row: int
) -> pl.DataFrame:
    lines = source.parse_block(block, CONDENSED_COLUMNS)
    _check_alignment(lines, block_results, first_row, source.name)
    return _result_lines(lines, block_results, first_row, source.name)


def _result_lines(
    lines: pl.DataFrame, block_results: pl.DataFrame, first_row: int, file_name: str
) -> pl.DataFrame:
    """Return the fields of one block's result lines as CSV text, and mark the in-scope lines.

    Columns: `line` (the input line as written), the CONDENSED_COLUMNS, ENCODED, the source file
    and line, and IN_SCOPE. A result line is `line` or the condensed columns, followed by the
    next three, joined by commas. A null stands for an empty field.
    """
    positions = block_results.get_column(ROW) - first_row
    encoded = pl.repeat(EMPTY_ENCODED, lines.height, dtype=pl.String, eager=True)
    encoded = encoded.scatter(positions, block_results.get_column(ENCODED))
    in_scope = pl.repeat(False, lines.height, dtype=pl.Boolean, eager=True)
    in_scope = in_scope.scatter(positions, block_results.get_column(IN_SCOPE))

    # Only the columns with a comma, a double quote or a line break somewhere in the block go
    # through csv_field: checking each column once, joined into one text, costs much less than
    # checking every value.
    needs_quotes = lines.select(
        pl.col(CONDENSED_COLUMNS).str.join("").str.contains(r'[",\r\n]').fill_null(False)
    ).row(0)
    quoted = [
        csv_field(pl.col(name)).alias(name)
        for name, needed in zip(CONDENSED_COLUMNS, needs_quotes, strict=True)
        if needed
    ]
    return lines.with_columns(
        *quoted,
        encoded.alias(ENCODED),
        pl.lit(_csv_text(file_name)).alias("source_file"),
        in_scope.alias(IN_SCOPE),
    )


def _write_lines(handle: OutputFile, texts: pl.DataFrame, fields: Sequence[str]) -> None:
    """Queue each result line: the `fields` of `texts`, the result fields and the source.

    The columns are CSV text already, so the file's thread joins them by commas without quoting.
    """
    handle.write_lines(texts.select(*fields, ENCODED, "source_file", "_line"))
