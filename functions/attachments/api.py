"""Upload forms for attachments: a presigned POST to the caller's staging area in the attachments
bucket, which a ticket (submission or reply) then takes (deskless.attachments). Staff ask in the
console, contacts on their portal (their session cookie and its CSRF token); each caller may ask
for a limited number an hour."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, Field

from deskless.attachments import contact_uploader, staff_uploader, upload_form
from deskless.credentials import CustomerSession
from deskless.errors import AttachmentNameRefused, AttachmentTooLarge, AttachmentTypeRefused, TooManyRequests
from deskless.http import Api, SignedIn, customer
from deskless.throttle import Limit, spend

api = Api("attachments")

FORMS = Limit("attachment_form", count=60, window_seconds=3600)  # per uploader
ERRORS = [AttachmentTooLarge, AttachmentTypeRefused, AttachmentNameRefused, TooManyRequests]
Customer = Annotated[CustomerSession, Depends(customer)]


class FileToUpload(BaseModel):
    name: str = Field(min_length=1, max_length=1000, description="The file's name; its folders are dropped.")
    content_type: str = Field(
        min_length=1, max_length=200, description="The file's type as the browser says it (File.type), e.g. image/png."
    )
    size: int = Field(ge=0, le=2**53, description="The file's size in bytes: the upload may be no larger.")


class UploadFormOut(BaseModel):
    attachment_id: str = Field(description="What the ticket names to take the file once it is uploaded.")
    url: str = Field(description="Where to POST the upload (the attachments bucket).")
    fields: dict[str, str] = Field(
        description="The form's fields, sent as they are before the file (multipart/form-data, the file as `file`)."
    )
    expires_at: int = Field(description="When the form stops working (epoch seconds).")


def _form(uploader: str, file: FileToUpload) -> UploadFormOut:
    spend(FORMS, uploader)
    form = upload_form(uploader, file.name, file.content_type, file.size)
    return UploadFormOut(attachment_id=form.attachment_id, url=form.url, fields=form.fields, expires_at=form.expires_at)


@api.route("POST /api/attachments", status_code=201, errors=ERRORS)
def staff_upload(file: FileToUpload, caller: SignedIn) -> UploadFormOut:
    return _form(staff_uploader(caller.user_id), file)


@api.route("POST /api/portal/attachments", status_code=201, errors=ERRORS)
def customer_upload(file: FileToUpload, caller: Customer) -> UploadFormOut:
    return _form(contact_uploader(caller.contact.id), file)
