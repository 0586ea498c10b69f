"""If-Match: the version a client has seen, or a refusal that changes nothing."""

import pytest

from backline.errors import StaleVersionError
from backline.web import Request, if_match
from tests.support import http_event


def _request(header: str | None = None) -> Request:
    headers = {} if header is None else {"If-Match": header}
    return Request.of(http_event("PATCH", "/customers/cus_1", body={}, headers=headers))


@pytest.mark.parametrize(
    ("header", "version"),
    [('"3"', 3), ('W/"3"', 3), ("3", 3), (' "12" ', 12), ('W/"0"', 0)],
)
def test_if_match_reads_the_version_from_strong_and_weak_tags(header: str, version: int) -> None:
    assert if_match(_request(header)) == version


@pytest.mark.parametrize("header", [None, "*", " * "])
def test_no_if_match_or_a_star_means_any_version(header: str | None) -> None:
    assert if_match(_request(header)) is None


@pytest.mark.parametrize(
    "header",
    ["garbage", '"abc"', '"-1"', '"1.5"', "", '""', "W/", '"²"'],
)
def test_if_match_that_names_no_version_is_a_stale_version(header: str) -> None:
    # a tag that is no version of ours can match nothing: 412, never a crash (500)
    with pytest.raises(StaleVersionError):
        if_match(_request(header))
