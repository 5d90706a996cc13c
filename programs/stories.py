"""Success stories: written by a mentee or mentor, edited with a coordinator,
published only under the author's signed, revocable consent to that exact text.

The life of a story (``Story.status``):
- draft: the author writes; only the author and the program's coordinators see it;
- in_review: the author sent it to the coordinators, who may edit it with them
  (every change of name, title or text bumps ``Story.version``) and ask the
  author to read it and consent (``story_consent_request``: a ``story_review``
  message through the outbox, neutral wording);
- published: a coordinator published it while a consent of the author covered
  the text as it is (``StoryConsent.text_hash == Story.text_hash()``); shown on
  the program's public page and apply pages;
- withdrawn: the author revoked consent. Revoking unpublishes in the same
  transaction; the story leaves the public pages at once.

Editing a published story takes it off the public pages until the author
consents to the new text. Every function raises ValidationError (a sentence
for the page) when the step is not allowed in the story's state.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mentoring.notifications.notify import notify

from .models import Story, StoryConsent

# The words an author agrees to; bump the version when they change (each consent
# keeps the words and the version it was signed with).
CONSENT_STATEMENT_VERSION = 1
# Translated (the same version in every language): the author reads it in their
# language, and the consent keeps the words as they read them.
CONSENT_STATEMENT = gettext_lazy(
    "I agree that {program} may publish this version of my story on its public web pages, under the name "
    "shown with it and with no photo. I can withdraw this consent at any time from my stories page; the story "
    "then comes off the program's pages at once. Copies that others made before then cannot be recalled."
)


def consent_statement(story):
    """The statement in the active language, with the program's name."""
    return str(CONSENT_STATEMENT).format(program=story.program.name)


def current_consent(story):
    """The author's unrevoked consent that covers the story's text as it is now, or None."""
    return (
        StoryConsent.objects.filter(
            story=story, person_id=story.author_id, revoked_at__isnull=True, text_hash=story.text_hash()
        )
        .order_by("-signed_at")
        .first()
    )


def _locked(story):
    """The story row again, locked until the transaction ends (publish and revoke
    serialise on it, so a revocation can never be overtaken by a publication)."""
    return Story.objects.select_for_update().get(pk=story.pk)


def story_create(*, program, author, title, body, display_name):
    """A new draft by ``author`` (a mentor or mentee of ``program``: the view checks)."""
    now = timezone.now()
    return Story.objects.create(
        program=program,
        author=author,
        title=title,
        body=body,
        display_name=display_name,
        created_at=now,
        updated_at=now,
        updated_by=author,
    )


@transaction.atomic
def story_update(*, story, by, title, body, display_name):
    """Save new words by the author or a coordinator. A change of name, title or
    text is a new version: a published story goes back to the coordinators
    (off the public pages) until the author consents to it. A withdrawn story
    edited by its author becomes a draft again. Returns the story."""
    story = _locked(story)
    if (story.title, story.body, story.display_name) == (title, body, display_name):
        return story
    story.title, story.body, story.display_name = title, body, display_name
    story.version += 1
    story.updated_at = timezone.now()
    story.updated_by = by
    if story.status == Story.Status.PUBLISHED:
        story.status = Story.Status.IN_REVIEW
        story.published_at = None
    elif story.status == Story.Status.WITHDRAWN and by.pk == story.author_id:
        story.status = Story.Status.DRAFT
    story.save()
    return story


def story_submit(*, story):
    """The author sends a draft (or a withdrawn story) to the coordinators."""
    if story.status not in (Story.Status.DRAFT, Story.Status.WITHDRAWN):
        raise ValidationError(gettext("This story is already with the coordinators."))
    story.status = Story.Status.IN_REVIEW
    story.save(update_fields=["status"])
    return story


@transaction.atomic
def story_consent_request(*, story, by):
    """A coordinator asks the author to read the story as it is now and decide
    whether to consent: one ``story_review`` message (neutral line, link to the
    story). Asking twice for the same version sends nothing new."""
    if story.status != Story.Status.IN_REVIEW:
        raise ValidationError(gettext("Only a story that is with the coordinators can be sent to its author to read."))
    if current_consent(story):
        raise ValidationError(gettext("The author has already consented to this version."))
    return notify(
        kind="story_review",
        recipients=[story.author],
        subject=f"story:{story.pk}:v{story.version}",
        link=reverse("programs:story_detail", args=[story.pk]),
        program=story.program,
    )


@transaction.atomic
def story_consent_sign(*, story, person, typed_name, version=None):
    """The author signs consent to publish the story's current version: the
    statement's words and version, the text's hash and version and the typed
    name are kept. ``typed_name`` must be the author's full name as on their
    account (case and outer spaces aside), as for the mentor agreement
    (``agreement_sign``): otherwise ValidationError on "typed_name".
    ``version``: the Story.version the author read (the consent
    page sends it); when the story has changed since, ValidationError with code
    "changed" (they must read the new text first). Raises ValidationError for
    anyone but the author, for a withdrawn story (send it again first) or when
    such a consent already exists."""
    story = _locked(story)
    if person.pk != story.author_id:
        raise ValidationError(gettext("Only the author can consent to publishing a story."))
    if version is not None and version != story.version:
        raise ValidationError(
            gettext(
                "The story was changed after you opened this page. Please read it again as it is now before consenting."
            ),
            code="changed",
        )
    if story.status == Story.Status.WITHDRAWN:
        raise ValidationError(gettext("Send the story to the coordinators again before consenting."))
    if (typed_name or "").strip().casefold() != person.full_name.strip().casefold():
        raise ValidationError({"typed_name": gettext("Type your full name exactly as it appears on your account.")})
    if current_consent(story):
        raise ValidationError(gettext("You have already consented to this version."))
    return StoryConsent.objects.create(
        story=story,
        person=person,
        statement_version=CONSENT_STATEMENT_VERSION,
        statement=consent_statement(story),
        story_version=story.version,
        text_hash=story.text_hash(),
        typed_name=typed_name.strip(),
    )


@transaction.atomic
def story_consent_revoke(*, story, person):
    """The author withdraws every consent to publish the story, at any time. The
    story is unpublished in the same transaction (status withdrawn); it leaves
    the public pages with this commit. Returns the number of consents revoked."""
    story = _locked(story)
    if person.pk != story.author_id:
        raise ValidationError(gettext("Only the author can withdraw consent to a story."))
    now = timezone.now()
    revoked = StoryConsent.objects.filter(story=story, revoked_at__isnull=True).update(revoked_at=now)
    story.status = Story.Status.WITHDRAWN
    story.published_at = None
    story.save(update_fields=["status", "published_at"])
    return revoked


@transaction.atomic
def story_publish(*, story, by):
    """A coordinator publishes a story that is with them and whose current text
    the author consented to (checked under the row lock)."""
    story = _locked(story)
    if story.status != Story.Status.IN_REVIEW:
        raise ValidationError(gettext("Only a story that is with the coordinators can be published."))
    if current_consent(story) is None:
        raise ValidationError(
            gettext("The author has not consented to this version yet. Ask them to read it and consent first.")
        )
    story.status = Story.Status.PUBLISHED
    story.published_at = timezone.now()
    story.published_by = by
    story.save(update_fields=["status", "published_at", "published_by"])
    return story


@transaction.atomic
def story_unpublish(*, story, by):
    """A coordinator takes a published story off the public pages (back to review)."""
    story = _locked(story)
    if story.status != Story.Status.PUBLISHED:
        raise ValidationError(gettext("This story is not published."))
    story.status = Story.Status.IN_REVIEW
    story.published_at = None
    story.updated_by = by
    story.save(update_fields=["status", "published_at", "updated_by"])
    return story


@transaction.atomic
def story_delete(*, story, person):
    """The author deletes their story and its consents (published or not)."""
    if person.pk != story.author_id:
        raise ValidationError(gettext("Only the author can delete a story."))
    story.delete()
