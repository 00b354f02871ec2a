"""Sign-in and the caller's own profile."""

from __future__ import annotations

from fastapi import Depends
from pydantic import BaseModel, EmailStr, Field

from deskless.auth import Principal
from deskless.http import Api, principal
from deskless.users import StaffUser

from .login import login_staff
from .profile import Profile, profile

api = Api("auth")


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class LoginResponse(BaseModel):
    token: str
    expires_at: int
    user: StaffUser


@api.route("login")
def login(request: LoginRequest) -> LoginResponse:
    token, expires_at, user = login_staff(request.email, request.password)
    return LoginResponse(token=token, expires_at=expires_at, user=user)


@api.route("me")
def me(caller: Principal = Depends(principal)) -> Profile:
    return profile(caller)
