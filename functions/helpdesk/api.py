"""The help desk's setup: admins keep the teams and their members, the ticket categories with
their fields, and the product areas; staff read them (the console's forms and lists). Admins also
keep the ticket automation rules, in order, and test one against a ticket.

The entities and their rules are the shared package's (deskless.teams, deskless.categories):
the tickets function and the portal's ticket form read them too."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel, Field

from deskless.automation_engine import AutomationOptions, Evaluation, options
from deskless.automation_rules import (
    Rule,
    RuleChange,
    RuleContent,
    RuleOrder,
    RuleSwitch,
    create_rule,
    delete_rule,
    list_rules,
    reorder_rules,
    replace_rule,
    rule_of,
    switch_rule,
    webhook_secret,
)
from deskless.categories import (
    Category,
    CategoryChange,
    CategoryContent,
    NewProductArea,
    ProductArea,
    ProductAreaChange,
    category_of,
    create_category,
    create_product_area,
    delete_category,
    delete_product_area,
    list_categories,
    list_product_areas,
    replace_category,
    update_product_area,
)
from deskless.errors import Conflict, InvalidRequest, NotFound, TeamInUse, TeamNameTaken
from deskless.http import Api
from deskless.teams import NewTeam, Team, TeamChange, create_team, delete_team, list_teams, team_of, update_team

from .automation import RuleTest, dry_run

api = Api("helpdesk")


# --- teams ----------------------------------------------------------------------------------------


@api.route("GET /api/teams")
def teams() -> list[Team]:
    return list_teams()


@api.route("POST /api/teams", status_code=201, errors=[TeamNameTaken, InvalidRequest])
def create(new: NewTeam) -> Team:
    return create_team(new)


@api.route("GET /api/teams/{team_id}", errors=[NotFound])
def team(team_id: str) -> Team:
    found = team_of(team_id)
    if found is None:
        raise NotFound("There is no such team.")
    return found


@api.route("PATCH /api/teams/{team_id}", errors=[NotFound, TeamNameTaken, InvalidRequest, Conflict])
def change(team_id: str, change: TeamChange) -> Team:
    return update_team(team_id, change)


@api.route("DELETE /api/teams/{team_id}", status_code=204, response_class=Response, errors=[NotFound, TeamInUse])
def delete(team_id: str) -> Response:
    delete_team(team_id)
    return Response(status_code=204)


# --- ticket categories ----------------------------------------------------------------------------


@api.route("GET /api/ticket-categories")
def categories(active_only: bool = False) -> list[Category]:
    return list_categories(active_only)


@api.route("POST /api/ticket-categories", status_code=201, errors=[InvalidRequest])
def create_one_category(content: CategoryContent) -> Category:
    return create_category(content)


@api.route("GET /api/ticket-categories/{category_id}", errors=[NotFound])
def category(category_id: str) -> Category:
    found = category_of(category_id)
    if found is None:
        raise NotFound("There is no such ticket category.")
    return found


@api.route("PUT /api/ticket-categories/{category_id}", errors=[NotFound, InvalidRequest, Conflict])
def replace(category_id: str, change: CategoryChange) -> Category:
    return replace_category(category_id, change)


@api.route(
    "DELETE /api/ticket-categories/{category_id}", status_code=204, response_class=Response, errors=[NotFound, Conflict]
)
def delete_one_category(category_id: str) -> Response:
    delete_category(category_id)
    return Response(status_code=204)


# --- product areas --------------------------------------------------------------------------------


@api.route("GET /api/product-areas")
def product_areas() -> list[ProductArea]:
    return list_product_areas()


@api.route("POST /api/product-areas", status_code=201)
def create_area(new: NewProductArea) -> ProductArea:
    return create_product_area(new)


@api.route("PATCH /api/product-areas/{area_id}", errors=[NotFound])
def change_area(area_id: str, change: ProductAreaChange) -> ProductArea:
    return update_product_area(area_id, change)


@api.route("DELETE /api/product-areas/{area_id}", status_code=204, response_class=Response, errors=[NotFound])
def delete_area(area_id: str) -> Response:
    delete_product_area(area_id)
    return Response(status_code=204)


# --- ticket automation rules (issue 14) -------------------------------------------------------------


@api.route("GET /api/automation/rules")
def automation_rules() -> list[Rule]:
    return list_rules()


@api.route("POST /api/automation/rules", status_code=201, errors=[InvalidRequest, Conflict])
def create_automation_rule(content: RuleContent) -> Rule:
    return create_rule(content)


@api.route("GET /api/automation/rules/{rule_id}", errors=[NotFound])
def automation_rule(rule_id: str) -> Rule:
    return rule_of(rule_id)


@api.route("PUT /api/automation/rules/{rule_id}", errors=[NotFound, InvalidRequest, Conflict])
def replace_automation_rule(rule_id: str, change: RuleChange) -> Rule:
    return replace_rule(rule_id, change)


@api.route("PATCH /api/automation/rules/{rule_id}", errors=[NotFound, InvalidRequest, Conflict])
def switch_automation_rule(rule_id: str, switch: RuleSwitch) -> Rule:
    return switch_rule(rule_id, switch)


@api.route(
    "DELETE /api/automation/rules/{rule_id}", status_code=204, response_class=Response, errors=[NotFound, Conflict]
)
def delete_automation_rule(rule_id: str) -> Response:
    delete_rule(rule_id)
    return Response(status_code=204)


@api.route("PUT /api/automation/order", errors=[InvalidRequest, Conflict])
def reorder_automation_rules(order: RuleOrder) -> list[Rule]:
    return reorder_rules(order)


@api.route("GET /api/automation/options")
def automation_options() -> AutomationOptions:
    return options()


@api.route("POST /api/automation/test", errors=[InvalidRequest, NotFound])
def test_automation_rule(test: RuleTest) -> Evaluation:
    return dry_run(test)


class WebhookSecret(BaseModel):
    secret: str = Field(
        description='Webhooks carry X-Deskless-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> '
        "with this key."
    )


@api.route("GET /api/automation/webhook-secret")
def automation_webhook_secret() -> WebhookSecret:
    return WebhookSecret(secret=webhook_secret())
