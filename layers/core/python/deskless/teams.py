"""Teams: admin-defined groups of staff users that tickets are assigned to.

    TEAMS / <team id>                  the team: name, description, members, revision, and `used_by`
                                       (the categories whose default team it is)
    TEAMNAME#<folded name> / TEAMNAME  the guard that gives a name to one team, whatever its case
    MEMBEROF#<user id> / <team id>     a copy of the team under each member: "my teams" is one Query

Every change is one transaction: the team (conditional on the revision read, so two admins'
changes cannot undo each other), the name guards that move, and each member's copy written again
(a copy is the team as it is now) or deleted (a member who left). A team has at most MAX_MEMBERS
members so that the transaction stays within DynamoDB's 100 actions.

A member must be an active staff user when they are added (one BatchGetItem checks it); a user
deactivated later leaves every team in the same request (`leave_teams`, called by the staff
function): each of their teams is changed as an admin's edit would, one transaction a team. The
tickets assigned to them keep their assignee (the ticket core checks membership only when the
team or the assignee changes).

A team that is a ticket category's default team cannot be deleted (TeamInUse, 409): the category
adds itself to the team's `used_by` in its own transaction (`category_uses`), which the team's
deletion is conditional on, so the rule holds without a read-then-write race.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_serializer

from .data import (
    EXISTS,
    NEW_ITEM,
    Action,
    Condition,
    Item,
    TransactionCanceled,
    delete_action,
    put_action,
    table,
    update_action,
)
from .errors import Conflict, InvalidRequest, NotFound, TeamInUse, TeamNameTaken
from .fields import ONE_LINE, FullName
from .table import TEAMS, Entity, membership_key, memberships, stamped, team_key, team_name_key
from .users import staff_of

MAX_MEMBERS = 40  # one change writes the team, two name guards and up to 2 x 40 members' copies: < 100 actions
DESCRIPTION_CHARS = 300
_ID = r"^[A-Za-z0-9_-]{1,64}$"

Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_CHARS), ONE_LINE]
UserId = Annotated[str, StringConstraints(pattern=_ID)]


class Team(BaseModel):
    id: str
    name: str
    description: str = ""
    members: frozenset[str] = Field(description="The staff users in the team (their ids, in order).")
    revision: int = Field(default=1, description="Counts the changes stored.")

    @field_serializer("members")
    def _in_order(self, members: frozenset[str]) -> list[str]:
        return sorted(members)  # a set's order would differ from one answer to the next


class NewTeam(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName = Field(description="Unique among teams, whatever its case.")
    description: Description = ""
    members: list[UserId] = Field(
        default_factory=list, max_length=MAX_MEMBERS, description="Staff users' ids; each an active staff user."
    )


class TeamChange(BaseModel):
    """What PATCH changes: what is given (members replace the team's members)."""

    model_config = ConfigDict(extra="forbid")

    name: FullName | None = None
    description: Description | None = None
    members: list[UserId] | None = Field(default=None, max_length=MAX_MEMBERS)
    revision: int | None = Field(
        default=None,
        ge=0,
        description="The revision the change was made from: if the team changed since, the change is refused (409).",
    )


def _team(item: Item) -> Team:
    return Team(
        id=item["team_id"],
        name=item["name"],
        description=item.get("description", ""),
        members=frozenset(item.get("members", [])),
        revision=item.get("revision", 1),
    )


def _attributes(team: Team) -> dict[str, Any]:
    return {
        "team_id": team.id,
        "name": team.name,
        "description": team.description,
        "members": sorted(team.members),
        "revision": team.revision,
    }


def _by_name(teams: Iterable[Team]) -> list[Team]:
    return sorted(teams, key=lambda team: (team.name.casefold(), team.id))


def team_of(team_id: str) -> Team | None:
    """One team (a GetItem), or None."""
    if not re.fullmatch(r"[a-f0-9]{16}", team_id):
        return None
    item = table().get(team_key(team_id), consistent=True)
    return _team(item) if item is not None else None


def list_teams() -> list[Team]:
    """Every team, by name (one Query)."""
    return _by_name(_team(item) for item in table().query(TEAMS, consistent=True))


def teams_of_member(user_id: str) -> list[Team]:
    """The teams a staff user is a member of, by name, each with its members (one Query of the
    user's copies)."""
    return _by_name(_team(item) for item in table().query(memberships(user_id)))


def _active_staff(user_ids: Sequence[str]) -> frozenset[str]:
    """The ids, if each names an active staff user (one BatchGetItem); else InvalidRequest naming the others."""
    ids = list(dict.fromkeys(user_ids))
    if len(ids) > MAX_MEMBERS:
        raise InvalidRequest(f"A team has at most {MAX_MEMBERS} members.")
    active = {user.id for user in staff_of(ids) if user.active}
    refused = [user_id for user_id in ids if user_id not in active]
    if refused:
        raise InvalidRequest(f"These are not active staff users: {', '.join(refused)}.")
    return frozenset(ids)


def _copies(team: Team, before: Team | None) -> list[Action]:
    """Each member's copy of the team as it is now, and the copies of those who left deleted."""
    left = (before.members if before else frozenset()) - team.members
    written = [
        put_action(stamped(Entity.TEAM_MEMBERSHIP, membership_key(user_id, team.id), **_attributes(team)))
        for user_id in sorted(team.members)
    ]
    return written + [delete_action(membership_key(user_id, team.id)) for user_id in sorted(left)]


def _name_guard(name: str, team_id: str) -> Item:
    return stamped(Entity.TEAM_NAME, team_name_key(name), team_id=team_id)


def _taken(name: str) -> TeamNameTaken:
    return TeamNameTaken(f"There is a team named {name!r} already.")


def create_team(new: NewTeam) -> Team:
    """Store a new team with its members' copies and its name's guard (one transaction)."""
    team = Team(id=secrets.token_hex(8), name=new.name, description=new.description, members=_active_staff(new.members))
    item = stamped(Entity.TEAM, team_key(team.id), created_at=int(time.time()), **_attributes(team))
    actions = [put_action(item, NEW_ITEM), put_action(_name_guard(team.name, team.id), NEW_ITEM), *_copies(team, None)]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[1] == "ConditionalCheckFailed":
            raise _taken(team.name) from error
        raise
    return team


def _stored(team_id: str) -> Team:
    found = team_of(team_id)
    if found is None:
        raise NotFound("There is no such team.")
    return found


def _changed_meanwhile() -> Conflict:
    return Conflict("Someone else changed this team since you opened it; reload it and make your change again.")


def _as_read(team: Team) -> Condition:
    return Condition("revision = :read", values={":read": team.revision})


def update_team(team_id: str, change: TeamChange) -> Team:
    """Rename a team, describe it or choose its members (a GetItem, a BatchGetItem of new members,
    one transaction); the team as it is now."""
    before = _stored(team_id)
    if change.revision is not None and change.revision != before.revision:
        raise _changed_meanwhile()
    members = before.members
    if change.members is not None:  # those added must be active staff; those staying may stay
        members = frozenset(change.members)
        _active_staff(sorted(members - before.members))
        if len(members) > MAX_MEMBERS:
            raise InvalidRequest(f"A team has at most {MAX_MEMBERS} members.")
    team = before.model_copy(
        update={
            "name": change.name if change.name is not None else before.name,
            "description": change.description if change.description is not None else before.description,
            "members": members,
            "revision": before.revision + 1,
        }
    )
    if team == before.model_copy(update={"revision": team.revision}):
        return before
    actions = [
        update_action(team_key(team_id), set_values=_attributes(team), condition=_as_read(before)),
        *_copies(team, before),
    ]
    renamed = team_name_key(team.name) != team_name_key(before.name)
    if renamed:
        actions += [
            put_action(_name_guard(team.name, team.id), NEW_ITEM),
            delete_action(team_name_key(before.name)),
        ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if renamed and error.reasons[-2] == "ConditionalCheckFailed":
            raise _taken(team.name) from error
        if team_of(team_id) is None:
            raise NotFound("There is no such team.") from error
        raise _changed_meanwhile() from error
    return team


def delete_team(team_id: str) -> None:
    """Delete a team, its name's guard and its members' copies (a GetItem, one transaction);
    refused while a category names it as its default team."""
    team = _stored(team_id)
    unused = Condition("revision = :read AND attribute_not_exists(used_by)", values={":read": team.revision})
    actions = [
        delete_action(team_key(team_id), unused),
        delete_action(team_name_key(team.name)),
        *[delete_action(membership_key(user_id, team_id)) for user_id in sorted(team.members)],
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        item = table().get(team_key(team_id), consistent=True)
        if item is None:
            raise NotFound("There is no such team.") from error
        if item.get("used_by"):
            names = ", ".join(sorted(item["used_by"]))
            raise TeamInUse(
                f"The team {team.name!r} is the default team of ticket categories ({names}); choose another "
                "default team there first."
            ) from error
        raise _changed_meanwhile() from error


def leave_teams(user_id: str) -> list[Team]:
    """Take a staff user out of every team they are in (they were deactivated): one Query of their
    copies, then one transaction a team, from the revision its copy holds (the team without them,
    the others' copies rewritten, theirs deleted). A team changed meanwhile is read again (a
    GetItem) and the change made again (Conflict after three tries: the caller may simply ask again);
    one deleted meanwhile, or already without them, is passed over. The teams they left, as they are now."""
    left = []
    for copy in _by_name(_team(item) for item in table().query(memberships(user_id), consistent=True)):
        team = _without(copy, user_id)
        if team is not None:
            left.append(team)
    return left


def _without(team: Team, user_id: str, tries: int = 3) -> Team | None:
    for _ in range(tries):
        after = team.model_copy(update={"members": team.members - {user_id}, "revision": team.revision + 1})
        actions = [
            update_action(team_key(team.id), set_values=_attributes(after), condition=_as_read(team)),
            *_copies(after, team),
        ]
        try:
            table().transact(actions)
            return after
        except TransactionCanceled:
            found = team_of(team.id)
            if found is None or user_id not in found.members:
                return None
            team = found
    raise Conflict(f"The team {team.name!r} kept changing meanwhile; make the change again to take them out of it.")


# --- what a ticket category's transaction asks of a team ----------------------------------------


def category_uses(team_id: str, category_id: str) -> Action:
    """A transaction's write that records a category naming the team as its default team; it fails
    (the whole transaction with it) if there is no such team."""
    return update_action(team_key(team_id), add={"used_by": {category_id}}, condition=EXISTS)


def category_stops_using(team_id: str, category_id: str) -> Action:
    return update_action(team_key(team_id), discard={"used_by": {category_id}}, condition=EXISTS)
