"""The one DynamoDB table: its keys, indexes, TTL and stream, and every item's key shape.

Both the CDK app (infra/constructs/data.py) and the local platform (local/services.py) build
the table from `TABLE`; code builds keys only through the functions below, so each access
pattern is written down once, next to the key it uses.

Access patterns (every read is a GetItem or a Query; nothing scans):

| pattern                               | operation | key                                            |
|---------------------------------------|-----------|------------------------------------------------|
| staff user by id                      | GetItem   | pk=USER#<id>          sk=PROFILE               |
| staff user by email (login, unique)   | GetItem   | pk=EMAIL#<email>      sk=EMAIL  -> user id     |
| list staff users, by name             | Query     | GSI1 gsi1pk=STAFF     gsi1sk=<name>#<id>       |
| WebSocket connection by id            | GetItem   | pk=CONN#<id>          sk=CONNECTION            |
| a user's open connections             | Query     | GSI1 gsi1pk=CONNS#<user id> gsi1sk=<id>        |
| company by id                         | GetItem   | pk=COMPANY#<id>       sk=COMPANY               |
| list companies, by name               | Query     | GSI1 gsi1pk=COMPANIES gsi1sk=<name>#<id>       |
| a company's portal (at most one)      | GetItem   | pk=COMPANY#<id>       sk=PORTAL                |
| portal by subdomain (unique)          | GetItem   | pk=SUBDOMAIN#<label>  sk=SUBDOMAIN -> company  |
| inbound email by SES message id       | GetItem   | pk=MAIL#<message id>  sk=INBOUND               |

Every item carries `type` (its entity name), which the stream filters match on, and items
that expire carry `expires_at` (epoch seconds); reads treat an item past it as gone because
DynamoDB's TTL deletes lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

TTL_ATTRIBUTE = "expires_at"
TYPE_ATTRIBUTE = "type"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableDefinition:
    partition_key: str
    sort_key: str
    indexes: tuple[Index, ...]
    ttl_attribute: str
    stream_view: str

    @property
    def key_attributes(self) -> tuple[str, ...]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return tuple(names)


GSI1 = Index(name="gsi1", partition_key="gsi1pk", sort_key="gsi1sk")

TABLE = TableDefinition(
    partition_key="pk",
    sort_key="sk",
    indexes=(GSI1,),
    ttl_attribute=TTL_ATTRIBUTE,
    stream_view="NEW_AND_OLD_IMAGES",
)


class Entity(StrEnum):
    """The value of `type` on each kind of item (stream filters match on it)."""

    USER = "user"
    EMAIL = "email"
    CONNECTION = "connection"
    COMPANY = "company"
    PORTAL = "portal"
    SUBDOMAIN = "subdomain"
    INBOUND_MAIL = "inbound_mail"


Key = dict[str, str]


def user_key(user_id: str) -> Key:
    return {"pk": f"USER#{user_id}", "sk": "PROFILE"}


def email_key(email: str) -> Key:
    return {"pk": f"EMAIL#{email.lower()}", "sk": "EMAIL"}


STAFF_LIST = "STAFF"


def staff_index(name: str, user_id: str) -> Key:
    return {"gsi1pk": STAFF_LIST, "gsi1sk": f"{name.lower()}#{user_id}"}


def connection_key(connection_id: str) -> Key:
    return {"pk": f"CONN#{connection_id}", "sk": "CONNECTION"}


def user_connections(user_id: str) -> str:
    return f"CONNS#{user_id}"


def connection_index(user_id: str, connection_id: str) -> Key:
    return {"gsi1pk": user_connections(user_id), "gsi1sk": connection_id}


def company_key(company_id: str) -> Key:
    return {"pk": f"COMPANY#{company_id}", "sk": "COMPANY"}


COMPANY_LIST = "COMPANIES"


def company_index(name: str, company_id: str) -> Key:
    return {"gsi1pk": COMPANY_LIST, "gsi1sk": f"{name.lower()}#{company_id}"}


def portal_key(company_id: str) -> Key:
    return {"pk": f"COMPANY#{company_id}", "sk": "PORTAL"}


def subdomain_key(label: str) -> Key:
    return {"pk": f"SUBDOMAIN#{label.lower()}", "sk": "SUBDOMAIN"}


def inbound_mail_key(message_id: str) -> Key:
    return {"pk": f"MAIL#{message_id}", "sk": "INBOUND"}
