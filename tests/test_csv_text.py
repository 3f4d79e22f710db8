"""The run folder's CSV writer (``carbon.results.csv_text``) writes the bytes pandas' ``to_csv``
writes, for any table it takes; the others go to pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon.results import csv_text, write_table

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [0.0, -0.0, 1e-4, 9.999e-5, 1e16, 9999999999999998.0, 5e-324, 1.7976931348623157e308, 12.0, 0.1 + 0.2]
)
TEXT = st.text(alphabet=st.sampled_from(list("ab ,\"\n;'\t-é二氧化碳💥")), max_size=6)


@st.composite
def columns(draw, rows: int):
    kind = draw(st.sampled_from(["float", "int", "bool", "str", "object"]))
    if kind == "float":
        return np.array(draw(st.lists(FLOATS, min_size=rows, max_size=rows)), dtype=float)
    if kind == "int":
        return np.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=rows, max_size=rows)), dtype=np.int64)
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
    values = draw(st.lists(TEXT | st.none(), min_size=rows, max_size=rows))
    if kind == "object":
        return pd.Series(values, dtype=object)
    storage = draw(st.sampled_from(["python", "pyarrow"]))  # the command line's and pandas 3's default
    return pd.Series(values, dtype=pd.StringDtype(storage, na_value=np.nan))


@st.composite
def frames(draw):
    rows = draw(st.integers(1, 6))
    names = draw(st.lists(TEXT.filter(bool), min_size=2, max_size=5, unique=True))
    return pd.DataFrame({name: draw(columns(rows)) for name in names})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_the_text_is_what_pandas_writes(frame):
    text = csv_text(frame)
    assert text is not None
    assert text == frame.to_csv(index=False, lineterminator="\n")


def test_a_hand_made_table():
    frame = pd.DataFrame(
        {
            "year": [2020, 2030],
            "node": ["county", 'a "b", c'],
            "mw": [12.0, float("nan")],
            "share": [-0.0, 1e-05],
            "met": [True, False],
        }
    )
    assert csv_text(frame) == 'year,node,mw,share,met\n2020,county,12.0,-0.0,True\n2030,"a ""b"", c",,1e-05,False\n'


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": [1.0, 2.0]}),  # one column: a row of one empty field is quoted
        pd.DataFrame({"a": [], "b": []}),
        pd.DataFrame({"a": [1, 2], "b": pd.Categorical(["x", "y"])}),
        pd.DataFrame({"a": [1, 2], "b": pd.to_datetime(["2020-01-01", "2021-01-01"])}),
        pd.DataFrame({"a": [1, 2], "b": pd.array([1, None], dtype="Int64")}),
        pd.DataFrame({"a": [1, 2], "b": np.array([1.5, 2.5], dtype=np.float32)}),
        pd.DataFrame({"a": [1, 2], "b": pd.Series([1, "x"], dtype=object)}),
        pd.DataFrame([[1, 2]], columns=[0, 1]),
        pd.DataFrame([[1, 2]], columns=["a", "a"]),
        pd.DataFrame({"a": [1, 2], "b": ["x", "carriage\rreturn"]}),  # quoted or not by Python version
        pd.DataFrame({"a\rb": [1, 2], "b": ["x", "y"]}),
    ],
)
def test_other_tables_are_left_to_pandas_with_the_same_file(frame, tmp_path):
    assert csv_text(frame) is None
    written = write_table(frame, tmp_path / "t.csv", fmt="csv")
    assert written.read_bytes() == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def test_write_table_writes_the_text(tmp_path):
    frame = pd.DataFrame({"x": [0.1, 2.0], "name": ["碳", "a,b"]})
    written = write_table(frame, tmp_path / "t.csv")
    assert written.read_bytes() == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
