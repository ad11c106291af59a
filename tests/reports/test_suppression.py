"""Masked exports cannot be undone by subtraction: complementary suppression, on the export rows
and on generated tables with row and column totals (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import exports
from reports.counting import rollup


def _report(reached_rows, new_rows=()):
    reached = rollup(list(reached_rows))
    return {
        "month": "2025-03",
        "indicators": [
            {
                "program": "PAO",
                "code": "PAO-ANY",
                "name": "Personas",
                "target_month": None,
                "target_total": None,
                "reached": reached,
                "new": rollup(list(new_rows)),
                "cumulative": reached,
            }
        ],
    }


def test_a_small_count_cannot_be_worked_out_from_the_total():
    """Total 52: women 35, men 16, other 0, age unknown 1. Masking only the 1 would give it away
    (52 - 35 - 16 - 0 = 1): the smallest other count of its group is hidden too."""
    report = _report(
        [
            ("F", "18-59", "destination", "VE", 35),
            ("M", "18-59", "transit", "VE", 16),
            ("M", "unknown", "host", "PE", 1),
        ]
    )
    header = exports.header()
    row = dict(zip(header, exports.rows(report, mask=True)[0], strict=True))
    assert row["Total monthly beneficiaries"] == 52
    assert row["Monthly: age unknown"] == "<5"
    assert row["Monthly: men 18 and over"] == "x"
    assert row["Monthly: women 18 and over"] == 35
    assert row["Monthly: other 18 and over"] == 0
    # The population types add up to 52 too: host 1 is protected by transit 16.
    assert row["Monthly: Host community"] == "<5"
    assert row["Monthly: In transit"] == "x"
    assert row["Monthly: Destination (settled)"] == 35
    unmasked = dict(zip(header, exports.rows(report)[0], strict=True))
    assert unmasked["Monthly: men 18 and over"] == 16


def test_nothing_is_hidden_when_nothing_is_small():
    report = _report([("F", "18-59", "destination", "VE", 35), ("M", "18-59", "transit", "VE", 16)])
    assert exports.rows(report, mask=True) == exports.rows(report)


def test_a_total_pinned_by_its_two_groups_is_protected():
    """Women 4 and men 4 are the only counts, total 8: 8 = 4 + 4 pins both; the total is hidden,
    and the population type that repeats it too."""
    report = _report([("F", "18-59", "transit", "VE", 4), ("M", "18-59", "transit", "VE", 4)])
    row = dict(zip(exports.header(), exports.rows(report, mask=True)[0], strict=True))
    assert row["Monthly: women 18 and over"] == row["Monthly: men 18 and over"] == "<5"
    assert row["Total monthly beneficiaries"] == "x"
    assert row["Monthly: In transit"] == "x"


# --- Generated tables ------------------------------------------------------------------------------


def _table_with_totals(cells: list[list[int]]):
    """Rows of counts with a total column, a total row and the grand total; and its groups."""
    n_rows, n_cols = len(cells), len(cells[0])
    table = [[*row, sum(row)] for row in cells]
    table.append([sum(row[c] for row in table) for c in range(n_cols + 1)])
    groups = [((r, n_cols), [(r, c) for c in range(n_cols)]) for r in range(n_rows)]
    groups += [((n_rows, c), [(r, c) for r in range(n_rows)]) for c in range(n_cols)]
    groups += [
        ((n_rows, n_cols), [(n_rows, c) for c in range(n_cols)]),
        ((n_rows, n_cols), [(r, n_cols) for r in range(n_rows)]),
    ]
    return table, groups


def _recovered_by_subtraction(table, groups, hidden) -> set:
    """Repeatedly solve any group with one unknown left: what a reader works out."""
    unknown, recovered = set(hidden), set()
    progress = True
    while progress:
        progress = False
        for total, cells in groups:
            left = [c for c in (total, *cells) if c in unknown]
            if len(left) == 1:
                unknown.discard(left[0])
                recovered.add(left[0])
                progress = True
    return recovered


counts = st.one_of(st.integers(0, 4), st.integers(0, 30))
tables = st.integers(1, 4).flatmap(
    lambda n_cols: st.lists(st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=4)
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_masked_cell_can_be_recovered_in_generated_tables(cells):
    table, groups = _table_with_totals(cells)
    hidden = exports.suppress(table, groups)

    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if 1 <= value <= 4:
                assert (r, c) in hidden  # every small count is masked
            if (r, c) in hidden:
                assert value != 0  # zeros are never hidden
    for total, group_cells in groups:
        masked = [c for c in (total, *group_cells) if c in hidden]
        assert len(masked) != 1, (total, masked)
    assert _recovered_by_subtraction(table, groups, hidden) == set()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("FMX"),
            st.sampled_from(["0-4", "5-11", "12-17", "18-59", "60+", "unknown"]),
            st.sampled_from(["destination", "transit", "pendular", "host", "returnee"]),
            st.just("VE"),
            st.one_of(st.integers(1, 4), st.integers(1, 40)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_export_rows_never_give_a_masked_count_away(reached_rows):
    report = _report(reached_rows, reached_rows[:2])
    plain = exports.rows(report)
    masked = exports.rows(report, mask=True)
    hidden = {(0, c) for c, value in enumerate(masked[0]) if value in (exports.MASK, exports.HIDDEN)}
    groups = exports.row_groups(0)
    for total, group_cells in groups:
        assert len([c for c in (total, *group_cells) if c in hidden]) != 1
    assert _recovered_by_subtraction(plain, groups, hidden) == set()
    assert all(
        (value == exports.MASK) == (1 <= plain[0][c] <= 4)
        for c, value in enumerate(masked[0])
        if c in (4, 5, 6) or c >= 9
    )
