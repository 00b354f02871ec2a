"""A contact's account pages, on their company's portal or at the help centre (the support
domain itself), all under /help/:

    GET  /help                  signed in: who they are, and the places for their tickets and the
                                knowledge base; else the sign-in form
    GET  POST /help/sign-in     the sign-in form (sign_in.py throttles it)
    GET  POST /help/forgot-password   "Forgot your password?": the same answer for any address
    GET  POST /help/set-password      a password from a single-use link (?token=...)
    GET  POST /help/change-password   a signed-in contact's new password: the first thing after a
                                temporary one, when no current password is asked for
    POST /help/sign-out

Plain HTML forms that post to the page and answer with a redirect (303) or the page again with
each problem next to its field: no script, so the Content-Security-Policy allows none. A form
that signs in or sets a password must come from a page of this host (its Origin: login CSRF);
the signed-in ones also carry the session's CSRF token, which the plumbing checks
(deskless.http). The session cookie is host-only (`__Host-`), HttpOnly, Secure, SameSite=Lax, and
lives as long as the admin setting says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deskless.credentials import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SESSION_COOKIE,
    CustomerSession,
    change_password,
    end_session,
    link_works,
    session_of,
    set_password_with_link,
    split_token,
)
from deskless.errors import (
    CredentialInvalid,
    InvalidCredentials,
    PasswordRefused,
    TooManyAttempts,
    TooManyRequests,
    WrongPortal,
)
from deskless.preferences import get_preferences

from .pages import Page, error_page, missing, portal_title, render
from .sign_in import ask_for_reset, sign_in
from .visit import Visit

BASE = "/help/"
HOME = "/help"
EMAIL_CHARS = 320
Form = Mapping[str, str]


def where(here: Visit) -> str | None:
    """Where contacts sign in on this host: a portal's subdomain, "" for the help centre, or None
    (an unknown or inactive portal, a stranger's host)."""
    if here.console:
        return ""
    return here.subdomain if here.active else None


def unavailable(here: Visit) -> Page:
    if here.portal is not None and not here.active:
        return render(here, "error.html", status=503, words=portal_title(here), detail=here.text["inactive"])
    return missing(here)


def help_page(here: Visit, template: str, heading: str, *, status: int = 200, **values: Any) -> Page:
    if not here.portal:
        heading = f"{heading} \N{EN DASH} {here.text['help_centre']}"
    kept = f"?lang={here.language}" if here.lang else ""  # a language chosen on the page stays chosen
    return render(here, template, status=status, heading=heading, base=BASE, lang_query=kept, **values)


def session_here(here: Visit, cookie: str | None) -> CustomerSession | None:
    """The visitor's session, if it was started on this host."""
    session = session_of(cookie)
    return session if session is not None and session.portal == where(here) else None


def _session_cookie(value: str) -> dict[str, str]:
    return _cookie(value, get_preferences().customer_session_hours * 3600)


def _cookie(value: str, max_age: int) -> dict[str, str]:
    return {"set-cookie": f"{SESSION_COOKIE}={value}; Max-Age={max_age}; Path=/; Secure; HttpOnly; SameSite=Lax"}


def _see_other(location: str, headers: Mapping[str, str] | None = None) -> Page:
    return Page(303, "", {"location": location, "cache-control": "no-store", **(headers or {})})


def _hint(here: Visit) -> str:
    return here.text["new_password_hint"].format(min=MIN_PASSWORD_LENGTH)


def _blocked(here: Visit, error: TooManyRequests) -> str:
    return here.text["error_blocked"].format(minutes=max(1, -(-error.retry_after // 60)))


def _retry_after(error: TooManyRequests) -> dict[str, str]:
    return {"retry-after": str(error.retry_after)}


def _password_words(here: Visit, error: PasswordRefused) -> str:
    key = error.reason if error.reason in here.text else ""
    return here.text[key].format(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH) if key else error.message


# --- the signed-in area --------------------------------------------------------------------------


def account_page(here: Visit, cookie: str | None, done: str = "") -> Page:
    if where(here) is None:
        return unavailable(here)
    session = session_here(here, cookie)
    if session is None:  # the help centre's (and a portal's account) address: where to sign in
        return sign_in_page(here)
    if session.must_change_password:
        return _see_other(BASE + "change-password")
    contact = session.contact
    notice = here.text["password_changed"] if done == "password-changed" else ""
    return help_page(
        here,
        "account.html",
        here.text["account_title"],
        contact_name=contact.name,
        email=contact.emails[0],
        notice=notice,
        csrf_token=session.csrf_token,
    )


# --- sign-in ---------------------------------------------------------------------------------------

_NOTICES = {"password-set": "password_set", "signed-out": "signed_out"}


def sign_in_page(
    here: Visit,
    *,
    done: str = "",
    email: str = "",
    problem: str = "",
    problems: Mapping[str, str] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Page:
    if where(here) is None:
        return unavailable(here)
    problems = dict(problems or {})
    focus = next(iter(problems), "password" if email else "email")
    notice = here.text[_NOTICES[done]] if done in _NOTICES else ""
    page = help_page(
        here,
        "sign_in.html",
        here.text["sign_in_title"],
        status=status,
        email=email,
        problem=problem,
        problems=problems,
        focus=focus,
        notice=notice,
    )
    return Page(page.status, page.html, {**page.headers, **(headers or {})})


def sign_in_submit(here: Visit, form: Form, *, same_origin: bool, source: str) -> Page:
    place = where(here)
    if place is None:
        return unavailable(here)
    if not same_origin:
        return error_page(here, 403, here.text["error_form_expired"])
    email = form.get("email", "").strip()[:EMAIL_CHARS]
    password = form.get("password", "")[:MAX_PASSWORD_LENGTH]
    problems = {
        name: here.text[key]
        for name, key in (("email", "error_email_required"), ("password", "error_password_required"))
        if not (email if name == "email" else password)
    }
    if problems:
        return sign_in_page(here, email=email, problems=problems, status=400)
    company_id = here.portal.company_id if here.portal is not None and place else None
    try:
        token, _, temporary = sign_in(email, password, portal=place, company_id=company_id, source=source)
    except InvalidCredentials:
        return sign_in_page(here, email=email, problem=here.text["error_wrong"], status=401)
    except TooManyAttempts as error:
        words = _blocked(here, error)
        return sign_in_page(here, email=email, problem=words, status=429, headers=_retry_after(error))
    except WrongPortal as error:
        words = here.text["error_wrong_portal"].format(address=error.address)
        return sign_in_page(here, email=email, problem=words, status=403)
    return _see_other(BASE + "change-password" if temporary else HOME, _session_cookie(token))


def sign_out(session: CustomerSession) -> Page:
    end_session(session)
    return _see_other(BASE + "sign-in?done=signed-out", _cookie("", 0))


# --- passwords -----------------------------------------------------------------------------------


def forgot_page(
    here: Visit,
    *,
    sent: bool = False,
    email: str = "",
    problem: str = "",
    problems: Mapping[str, str] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Page:
    if where(here) is None:
        return unavailable(here)
    page = help_page(
        here,
        "forgot_password.html",
        here.text["forgot_title"],
        status=status,
        sent=sent,
        email=email,
        problem=problem,
        problems=dict(problems or {}),
    )
    return Page(page.status, page.html, {**page.headers, **(headers or {})})


def forgot_submit(here: Visit, form: Form, *, same_origin: bool, source: str) -> Page:
    if where(here) is None:
        return unavailable(here)
    if not same_origin:
        return error_page(here, 403, here.text["error_form_expired"])
    email = form.get("email", "").strip()[:EMAIL_CHARS]
    if "@" not in email:
        return forgot_page(here, email=email, problems={"email": here.text["error_email_required"]}, status=400)
    try:
        ask_for_reset(email, source=source)
    except TooManyRequests as error:
        return forgot_page(here, email=email, problem=_blocked(here, error), status=429, headers=_retry_after(error))
    return forgot_page(here, sent=True)


def set_password_page(
    here: Visit, token: str = "", *, problems: Mapping[str, str] | None = None, check: bool = False
) -> Page:
    """The form of a set-password link; with `check`, the link is read first (used, replaced or
    expired: the page says so at once)."""
    if where(here) is None:
        return unavailable(here)
    invalid = split_token(token) is None or (check and not link_works(token))
    return help_page(
        here,
        "set_password.html",
        here.text["set_title"],
        status=410 if invalid else (400 if problems else 200),
        token=token,
        invalid=invalid,
        problems=dict(problems or {}),
        hint=_hint(here),
        keep_query="" if invalid else f"token={token}",  # the language switcher keeps the link's token
    )


def set_password_submit(here: Visit, form: Form, *, same_origin: bool) -> Page:
    if where(here) is None:
        return unavailable(here)
    if not same_origin:
        return error_page(here, 403, here.text["error_form_expired"])
    token = form.get("token", "")
    try:
        set_password_with_link(token, form.get("password", "")[: MAX_PASSWORD_LENGTH + 1])
    except CredentialInvalid:
        return set_password_page(here)
    except PasswordRefused as error:
        return set_password_page(here, token, problems={"password": _password_words(here, error)})
    return _see_other(BASE + "sign-in?done=password-set")


def change_page(
    here: Visit, session: CustomerSession, *, problems: Mapping[str, str] | None = None, status: int = 200
) -> Page:
    problems = dict(problems or {})
    forced = session.must_change_password
    focus = next(iter(problems), "password" if forced else "current_password")
    return help_page(
        here,
        "change_password.html",
        here.text["change_title"],
        status=status,
        forced=forced,
        problems=problems,
        focus=focus,
        hint=_hint(here),
        csrf_token=session.csrf_token,
    )


def change_submit(here: Visit, session: CustomerSession, form: Form) -> Page:
    current = None if session.must_change_password else form.get("current_password", "")[:MAX_PASSWORD_LENGTH]
    try:
        token, _ = change_password(session, form.get("password", "")[: MAX_PASSWORD_LENGTH + 1], current)
    except PasswordRefused as error:
        return change_page(here, session, problems={error.field: _password_words(here, error)}, status=400)
    return _see_other(HOME + "?done=password-changed", _session_cookie(token))
