"""Round-robin assignment: the next of a team's members who are available now
(deskless.presence.available: online, their console connected, the email channel on: the one
tickets' alerts come by), in a stable order (by id), after a
per-team turn counter that one atomic ADD moves on (ROUNDROBIN#<team id>), so two changes at once
never take the same turn. Nobody available: nobody is chosen (the action is skipped, `no_recipient`).

This function owns the counter's items (only round-robin reads or writes them).
"""

from __future__ import annotations

from deskless.data import table
from deskless.presence import available
from deskless.table import Entity, round_robin_key, stamped
from deskless.teams import team_of
from deskless.users import Channel


def next_member(team_id: str, *, now: float | None = None) -> str | None:
    """The member whose turn it is, among those available; None if nobody is (or no such team).
    One GetItem (the team), one BatchGetItem (presence), one UpdateItem (the turn)."""
    team = team_of(team_id)
    if team is None or not team.members:
        return None
    online = sorted(operator.user_id for operator in available(sorted(team.members), Channel.EMAIL, now=now))
    if not online:
        return None
    turn = table().update(round_robin_key(team_id), set_values=stamped(Entity.ROUND_ROBIN), add={"turn": 1})
    return online[(int(turn["turn"]) - 1) % len(online)]
