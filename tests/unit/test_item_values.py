"""Items read back from DynamoDB are the plain values that were written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backline.dynamo import deserialize, serialize

scalars = st.one_of(
    st.text(max_size=20), st.integers(min_value=-(10**15), max_value=10**15), st.booleans()
)
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@given(st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=6))
def test_an_item_reads_back_as_it_was_written(item: dict[str, Any]) -> None:
    assert deserialize(serialize(item)) == item


def test_sets_read_back_as_lists_and_none_is_not_stored() -> None:
    written = {"holders": {"cus_b", "cus_a"}, "message": None, "price": 4000}

    read = deserialize(serialize(written))

    assert sorted(read["holders"]) == ["cus_a", "cus_b"]
    assert "message" not in read
    assert read["price"] == 4000


def test_binary_attributes_are_refused_since_backline_never_writes_them() -> None:
    with pytest.raises(ValueError, match="no B attributes"):
        deserialize({"blob": {"B": b"x"}})
