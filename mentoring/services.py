"""Writes with side effects for people, roles and invitations."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, MenteeProfile, MentorProfile, VolunteerProfile, WorkerHeartbeat, hash_token

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue a Celery task only once the surrounding transaction commits, so a
    worker never sees ids of rows that were rolled back or not yet visible."""
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))


def invitation_link(raw_token):
    return settings.SITE_URL + reverse("mentoring:invitation_accept", args=[raw_token])


@transaction.atomic
def invitation_create(*, program, email, full_name, role, invited_by):
    """Create an invitation and email its one-time link after commit.

    Returns (invitation, link). Earlier pending invitations of the same person
    to the same program and role are revoked so that only one link works.
    """
    email = get_user_model().objects.normalize_email(email).lower()
    now = timezone.now()
    Invitation.objects.filter(
        program=program, email__iexact=email, role=role, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw_token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        program=program,
        email=email,
        full_name=full_name.strip(),
        role=role,
        token_hash=hash_token(raw_token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = invitation_link(raw_token)
    transaction.on_commit(lambda: _send_invitation_email(invitation, link))
    return invitation, link


def _send_invitation_email(invitation, link):
    context = {"invitation": invitation, "link": link, "valid_days": settings.INVITATION_VALID_DAYS}
    message = EmailMultiAlternatives(
        # Content-neutral subject: the program's purpose is only shown after login.
        subject="You're invited to Waypoint",
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    try:
        message.send()
    except OSError:
        # The coordinator still has the link on screen; never log the address.
        logger.warning("Invitation %s could not be emailed", invitation.pk)


def invitation_revoke(*, invitation):
    if not invitation.is_usable:
        raise ValidationError(f"This invitation is already {invitation.state}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(raw_token):
    """The usable invitation behind a raw token, or None."""
    invitation = Invitation.objects.select_related("program").filter(token_hash=hash_token(raw_token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation, password=None, user=None):
    """Give the invited person their role. A new person sets a password; a
    person who already has an account accepts while signed in (``user``).
    The row is locked so a link can be used once, even by two quick clicks."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError("This invitation link has already been used or is no longer valid.")
    User = get_user_model()
    if user is None:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and user.has_usable_password():
            raise ValidationError("An account with this email already exists. Sign in to accept the invitation.")
        if user is None:
            user = User(email=invitation.email, full_name=invitation.full_name)
        user.set_password(password)
        user.is_active = True
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError("This invitation was sent to a different email address.")
    role_grant(user=user, program=invitation.program, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def role_grant(*, user, program, role):
    """Give ``user`` a role in ``program`` (idempotent)."""
    if role == Invitation.Role.COORDINATOR:
        program.coordinators.add(user)
    elif role == Invitation.Role.MENTOR:
        MentorProfile.objects.get_or_create(user=user, program=program)
    elif role == Invitation.Role.MENTEE:
        MenteeProfile.objects.get_or_create(user=user, program=program)
    elif role == Invitation.Role.VOLUNTEER:
        VolunteerProfile.objects.get_or_create(user=user, program=program)
    else:
        raise ValueError(f"Unknown role {role!r}")


def heartbeat_record():
    """Note that a worker ran a task now (called by the heartbeat task)."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=1).update(last_seen=now, beats=F("beats") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(pk=1, defaults={"last_seen": now, "beats": 1})
    return now
