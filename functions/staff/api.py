"""Staff administration: admins create and list staff users."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from deskless.auth import Principal, Role
from deskless.http import Api, require
from deskless.users import StaffUser, create_staff, list_staff

api = Api("staff")
admin_only = Depends(require(Role.ADMIN))


class NewStaff(BaseModel):
    email: EmailStr
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Literal[Role.ADMIN, Role.TECHNICIAN]
    password: str = Field(min_length=12, max_length=256, description="The first password; at least 12 characters.")


@api.route("list")
def list_users(_: Principal = admin_only) -> list[StaffUser]:
    return list_staff()


@api.route("create", status_code=201)
def create_user(user: NewStaff, _: Principal = admin_only) -> StaffUser:
    return create_staff(user.email, user.name, user.role, user.password)
