from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from core.pagination import CursorPagination
from core.schemas import StrictInt

from . import services
from .models import Notification

router = Router(auth=django_auth)


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    count: int = Field(description="How many notices of this kind about the same subject this one stands for")
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class MarkReadIn(Schema):
    ids: list[StrictInt] | None = Field(..., max_length=500, description="The notifications to mark; null marks them all")


class MarkedOut(Schema):
    marked: int


@router.get("", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def list_notifications(request):
    return Notification.objects.filter(recipient=request.user)


@router.get("/unread-count/", response=UnreadOut, summary="How many of my notifications are unread")
def unread(request):
    return {"unread": services.unread_count(request.user)}


@router.post("/read/", response=MarkedOut, summary="Mark notifications read")
def mark_read(request, payload: MarkReadIn):
    return {"marked": services.mark_read(user=request.user, notification_ids=payload.ids)}
