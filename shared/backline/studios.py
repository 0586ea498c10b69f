"""Studio settings: name, money, country, sign-up policy, rooms and their rates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from backline import keys
from backline.dynamo import deserialize, is_condition_failure, serialize, values
from backline.errors import StaleVersionError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# ISO 4217 codes in use (funds and metals left out): a studio charges in one of these.
CURRENCIES = frozenset(
    (  # noqa: SIM905 (a table of codes reads better as text than as a list literal)
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD "
        "BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN "
        "ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD "
        "IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD "
        "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD "
        "OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP "
        "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD "
        "UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"
    ).split()
)

RoomId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Room(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    room_id: RoomId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    hourly_rate: int = Field(ge=0, le=10_000_000, description="minor units per hour")


class AutoPaymentRequests(BaseModel):
    """When the payment sweep asks customers to pay for unpaid bookings by itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    enabled: bool = False
    min_days_unpaid: int = Field(default=7, ge=1, le=365)
    send: bool = False


class Studio(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    studio_id: str
    name: str = ""
    currency: str = "GBP"
    country: str
    public_signup: bool = True
    rooms: tuple[Room, ...] = ()
    auto_payment_requests: AutoPaymentRequests = AutoPaymentRequests()
    version: int = 0
    updated_at: str | None = None

    def room(self, room_id: str) -> Room | None:
        return next((room for room in self.rooms if room.room_id == room_id), None)


class StudioEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    public_signup: bool | None = None
    rooms: list[Room] | None = Field(default=None, max_length=100)
    auto_payment_requests: AutoPaymentRequests | None = None

    @field_validator("rooms")
    @classmethod
    def _unique_rooms(cls, rooms: list[Room] | None) -> list[Room] | None:
        if rooms is not None and len({room.room_id for room in rooms}) != len(rooms):
            raise ValueError("room_id must be unique")
        return rooms

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str | None) -> str | None:
        if currency is not None and currency not in CURRENCIES:
            raise ValueError(f"{currency} is not an ISO 4217 currency code")
        return currency

    @field_validator("country")
    @classmethod
    def _known_region(cls, country: str | None) -> str | None:
        import phonenumbers  # (imported late: cold start)

        if country is not None and country not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{country} is not a country we can read phone numbers for")
        return country


def default_studio(studio_id: str, country: str) -> Studio:
    return Studio(studio_id=studio_id, country=country)


def studio_from_item(item: dict[str, Any]) -> Studio:
    return Studio.model_validate({name: item[name] for name in Studio.model_fields if name in item})


class StudioStore:
    def __init__(self, client: DynamoDBClient, table: str, default_country: str) -> None:
        self._client = client
        self._table = table
        self._default_country = default_country

    def get(self, studio_id: str) -> Studio:
        """The studio's settings; defaults for a studio that never saved any."""
        response = self._client.get_item(
            TableName=self._table, Key=serialize(keys.studio_key(studio_id)), ConsistentRead=True
        )
        return self.from_item(studio_id, response.get("Item"))

    def from_item(self, studio_id: str, raw: dict[str, Any] | None) -> Studio:
        if not raw:
            return default_studio(studio_id, self._default_country)
        return studio_from_item(deserialize(raw))

    def save(self, before: Studio, after: Studio) -> None:
        item = {
            **keys.studio_key(after.studio_id),
            "type": "studio",
            **after.model_dump(mode="json"),
        }
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize(item),
                ConditionExpression="attribute_not_exists(PK) OR version = :version",
                ExpressionAttributeValues=values(version=before.version),
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise StaleVersionError(
                    "the studio settings were changed by someone else; reload and try again"
                ) from error
            raise
