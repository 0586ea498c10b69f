"""Every key of Backline's one DynamoDB table, and the access patterns they serve.

No other module builds a key. Every key, in the table and in its indexes, starts with
the studio, so a request can only reach its own tenant's items.

Items
-----
| item                 | PK                            | SK                    |
|----------------------|-------------------------------|-----------------------|
| studio settings      | S#{studio}                    | STUDIO                |
| coupon               | S#{studio}                    | COUPON#{coupon}       |
| coupon code guard    | S#{studio}                    | COUPONCODE#{code}     |
| band                 | S#{studio}                    | BAND#{band}           |
| customer             | S#{studio}#C#{customer}       | CUSTOMER              |
| staff note           | S#{studio}#C#{customer}       | NOTE#{note}           |
| booking              | S#{studio}#C#{customer}       | BOOKING#{booking}     |
| coupon assignment    | S#{studio}#C#{customer}       | COUPON#{coupon}       |
| band membership      | S#{studio}#C#{customer}       | BAND#{band}           |
| status change        | S#{studio}#C#{customer}       | STATUS#{at}           |
| email guard          | S#{studio}#EMAIL#{email}      | EMAIL                 |
| blocked email guard  | S#{studio}#BLOCKED#{key}      | BLOCKED               |
| search lookup        | S#{studio}#LOOKUP             | {token}#{customer}    |
| idempotency record   | S#{studio}#IDEM#{scope}#{key} | IDEM                  |

Indexes
-------
| index | PK                         | SK                             | on                 |
|-------|----------------------------|--------------------------------|--------------------|
| GSI1  | S#{studio}#CUSTOMERS       | {A or I}#{sort name}#{customer}| customer           |
| GSI2  | S#{studio}#STATUS#{status} | {A or I}#{sort name}#{customer}| customer           |
| GSI3  | S#{studio}#BOOKING#{id}    | BOOKING                        | booking            |
| GSI3  | S#{studio}#BAND#{band}     | MEMBER#{customer}              | band membership    |
| GSI3  | S#{studio}#COUPON#{coupon} | HOLDER#{customer}              | coupon assignment  |
| GSI4  | S#{studio}#UNPAID          | {starts at}#{booking}          | unpaid booking     |

Access patterns
---------------
| pattern                                   | call                                          |
|-------------------------------------------|-----------------------------------------------|
| customer detail with everything           | Query PK=customer_pk                          |
| list customers (active, or all)           | Query GSI1 PK=customers_pk, SK begins_with A# |
| list customers with a status              | Query GSI2 PK=status_pk                       |
| search customers by word or digits        | Query PK=lookup_pk, SK begins_with token      |
| find a studio's customer by email         | GetItem email_guard_key                       |
| is an email blocked                       | GetItem blocked_key                           |
| studio settings                           | GetItem studio_key                            |
| list coupons / bands                      | Query PK=studio_pk, SK begins_with COUPON#... |
| a booking by id                           | Query GSI3 PK=booking_lookup_pk               |
| members of a band                         | Query GSI3 PK=band_members_pk                 |
| holders of a coupon (to switch it off)    | Query GSI3 PK=coupon_holders_pk               |
| unpaid bookings of a studio (sweep)       | Query GSI4 PK=unpaid_pk                       |
| replay an idempotent request              | GetItem idempotency_key                       |
"""

from __future__ import annotations

Key = dict[str, str]

CUSTOMER_SK = "CUSTOMER"
STUDIO_SK = "STUDIO"
NOTE_PREFIX = "NOTE#"
BOOKING_PREFIX = "BOOKING#"
COUPON_PREFIX = "COUPON#"
BAND_PREFIX = "BAND#"
STATUS_PREFIX = "STATUS#"

LIST_INDEX = "GSI1"
STATUS_INDEX = "GSI2"
LOOKUP_INDEX = "GSI3"
UNPAID_INDEX = "GSI4"

ACTIVE = "A#"
INACTIVE = "I#"


def _studio(studio_id: str) -> str:
    return f"S#{studio_id}"


# studio-level items


def studio_pk(studio_id: str) -> str:
    return _studio(studio_id)


def studio_key(studio_id: str) -> Key:
    return {"PK": studio_pk(studio_id), "SK": STUDIO_SK}


def coupon_key(studio_id: str, coupon_id: str) -> Key:
    return {"PK": studio_pk(studio_id), "SK": f"{COUPON_PREFIX}{coupon_id}"}


def coupon_code_key(studio_id: str, code: str) -> Key:
    return {"PK": studio_pk(studio_id), "SK": f"COUPONCODE#{code}"}


def band_key(studio_id: str, band_id: str) -> Key:
    return {"PK": studio_pk(studio_id), "SK": f"{BAND_PREFIX}{band_id}"}


# a customer's item collection


def customer_pk(studio_id: str, customer_id: str) -> str:
    return f"{_studio(studio_id)}#C#{customer_id}"


def customer_key(studio_id: str, customer_id: str) -> Key:
    return {"PK": customer_pk(studio_id, customer_id), "SK": CUSTOMER_SK}


def note_key(studio_id: str, customer_id: str, note_id: str) -> Key:
    return {"PK": customer_pk(studio_id, customer_id), "SK": f"{NOTE_PREFIX}{note_id}"}


def booking_key(studio_id: str, customer_id: str, booking_id: str) -> Key:
    return {"PK": customer_pk(studio_id, customer_id), "SK": f"{BOOKING_PREFIX}{booking_id}"}


def coupon_assignment_key(studio_id: str, customer_id: str, coupon_id: str) -> Key:
    return {"PK": customer_pk(studio_id, customer_id), "SK": f"{COUPON_PREFIX}{coupon_id}"}


def membership_key(studio_id: str, customer_id: str, band_id: str) -> Key:
    return {"PK": customer_pk(studio_id, customer_id), "SK": f"{BAND_PREFIX}{band_id}"}


def status_change_key(studio_id: str, customer_id: str, at: str) -> Key:
    return {"PK": customer_pk(studio_id, customer_id), "SK": f"{STATUS_PREFIX}{at}"}


# guards that hold uniqueness


def email_guard_key(studio_id: str, email_fold: str) -> Key:
    return {"PK": f"{_studio(studio_id)}#EMAIL#{email_fold}", "SK": "EMAIL"}


def blocked_key(studio_id: str, blocking_key: str) -> Key:
    return {"PK": f"{_studio(studio_id)}#BLOCKED#{blocking_key}", "SK": "BLOCKED"}


# search lookups


def lookup_pk(studio_id: str) -> str:
    return f"{_studio(studio_id)}#LOOKUP"


def lookup_key(studio_id: str, token: str, customer_id: str) -> Key:
    return {"PK": lookup_pk(studio_id), "SK": f"{token}#{customer_id}"}


# index keys


def customers_pk(studio_id: str) -> str:
    return f"{_studio(studio_id)}#CUSTOMERS"


def status_pk(studio_id: str, status: str) -> str:
    return f"{_studio(studio_id)}#STATUS#{status}"


def customer_list_sk(active: bool, sort_name: str, customer_id: str) -> str:
    return f"{ACTIVE if active else INACTIVE}{sort_name}#{customer_id}"


def booking_lookup_pk(studio_id: str, booking_id: str) -> str:
    return f"{_studio(studio_id)}#BOOKING#{booking_id}"


def band_members_pk(studio_id: str, band_id: str) -> str:
    return f"{_studio(studio_id)}#BAND#{band_id}"


def coupon_holders_pk(studio_id: str, coupon_id: str) -> str:
    return f"{_studio(studio_id)}#COUPON#{coupon_id}"


def unpaid_pk(studio_id: str) -> str:
    return f"{_studio(studio_id)}#UNPAID"


def idempotency_key(studio_id: str, scope: str, key: str) -> Key:
    return {"PK": f"{_studio(studio_id)}#IDEM#{scope}#{key}", "SK": "IDEM"}
