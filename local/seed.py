"""Demo data: an admin, two technicians, and the customer company Acme, served by both
technicians, with its active portal and the email domain acme.example.com (and its subdomains);
the local platform's own pages may embed its chat widget. Unassigned exists, as it always does,
and two contacts: Carla at Acme (a primary contact) and Gina, whose free-mail address places
her in Unassigned.

The logins are printed by `deskless dev` and listed in the README; they exist only locally.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskless.auth import Role
from deskless.companies import add_domain, create_company, create_portal, ensure_unassigned
from deskless.contacts import CreatedVia, create_contact
from deskless.settings import get_settings
from deskless.users import create_staff


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    name: str
    email: str
    password: str


DEMO_STAFF = (
    DemoLogin(Role.ADMIN, "Ada Admin", "admin@example.com", "deskless-admin"),
    DemoLogin(Role.TECHNICIAN, "Alice Tech", "alice@example.com", "deskless-tech"),
    DemoLogin(Role.TECHNICIAN, "Bob Tech", "bob@example.com", "deskless-tech"),
)
DEMO_COMPANY = "Acme"
DEMO_SUBDOMAIN = "acme"
DEMO_DOMAIN = "*.acme.example.com"


def seed() -> dict[str, object]:
    """Write the demo data through the same core code the functions use (the environment must be set)."""
    users = [create_staff(login.email, login.name, login.role, login.password) for login in DEMO_STAFF]
    technicians = [user.id for user in users if user.role == Role.TECHNICIAN]
    company = create_company(DEMO_COMPANY, technicians)
    portal = create_portal(company, DEMO_SUBDOMAIN, allowed_origins=[get_settings().public_url])
    ensure_unassigned()
    company, _ = add_domain(company.id, DEMO_DOMAIN)
    contacts = [
        create_contact("Carla Díaz", ["carla@acme.example.com"], created_via=CreatedVia.CONSOLE, primary=True),
        create_contact("Gina Gómez", ["gina.gomez@gmail.com"], created_via=CreatedVia.CONSOLE, language="es"),
    ]
    return {
        "users": [u.model_dump() for u in users],
        "company": company.model_dump(),
        "portal": portal.model_dump(),
        "contacts": [c.model_dump() for c in contacts],
    }
