"""Mobiles are stored in E.164, read with the studio's country as the default region."""

import pytest

from backline.customers import normalize_mobile
from backline.errors import InvalidInputError


@pytest.mark.parametrize("raw", ["07911 123456", "07911123456", "+44 7911 123456", "+447911123456"])
def test_uk_mobile_in_any_common_form_becomes_e164(raw: str) -> None:
    assert normalize_mobile(raw, "GB") == "+447911123456"


def test_international_form_ignores_the_default_region() -> None:
    assert normalize_mobile("+44 7911 123456", "US") == "+447911123456"


def test_national_form_is_read_in_the_default_region() -> None:
    # a UK national number means nothing to a studio whose default region is the US
    with pytest.raises(InvalidInputError):
        normalize_mobile("07911 123456", "US")


@pytest.mark.parametrize("raw", ["not a number", "123", "+44 12", "0000000000000000", "++44"])
def test_invalid_mobile_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        normalize_mobile(raw, "GB")

    assert refused.value.field == "mobile"
