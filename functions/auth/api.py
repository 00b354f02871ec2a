"""Sign-in and the caller's own profile."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, EmailStr, Field

from deskless.errors import AccountDeactivated, InvalidCredentials, NotFound, TooManyAttempts
from deskless.http import Api, SignedIn, viewer_address
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


@api.route("POST /api/auth/login", errors=[InvalidCredentials, AccountDeactivated, TooManyAttempts])
def login(request: Request, credentials: LoginRequest) -> LoginResponse:
    token, expires_at, user = login_staff(credentials.email, credentials.password, source=viewer_address(request))
    return LoginResponse(token=token, expires_at=expires_at, user=user)


@api.route("GET /api/me", errors=[AccountDeactivated, NotFound])
def me(caller: SignedIn) -> Profile:
    return profile(caller)
