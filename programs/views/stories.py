"""Success stories: the author's pages (write, send, consent, withdraw, delete)
and the coordinators' (list, edit with the author, ask for consent, publish).
The public reads published stories on programs.views.public."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentoring import access
from mentoring.audit import audit_read
from mentoring.params import int_param

from ..forms import PublicPageForm, StoryConsentForm, StoryForm
from ..models import Story
from ..stories import (
    consent_statement,
    current_consent,
    story_consent_request,
    story_consent_revoke,
    story_consent_sign,
    story_create,
    story_delete,
    story_publish,
    story_submit,
    story_unpublish,
    story_update,
)

# What a coordinator may still change: the author's drafts are theirs until sent,
# and a withdrawn story is the author's to take up again.
COORDINATOR_EDITS = (Story.Status.IN_REVIEW, Story.Status.PUBLISHED)


def _story(request, pk):
    return get_object_or_404(access.visible_stories(request.user).select_related("program", "author"), pk=pk)


def _own_story(request, pk):
    return get_object_or_404(access.own_stories(request.user).select_related("program", "author"), pk=pk)


def _coordinated_story(request, pk):
    return get_object_or_404(access.coordinated_stories(request.user).select_related("program", "author"), pk=pk)


def _done(request, call, success):
    """Run a service call; its ValidationError becomes an error message."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


@login_required
def my_stories(request):
    """The author's stories, and the way to write one (mentors and mentees)."""
    programs = list(access.story_programs(request.user))
    stories = access.own_stories(request.user).select_related("program").order_by("-updated_at")
    if not programs and not stories:
        raise Http404
    return render(request, "programs/story_mine.html", {"stories": stories, "programs": programs})


@login_required
def story_new(request):
    programs = list(access.story_programs(request.user))
    if not programs:
        raise Http404
    chosen = programs[0]
    if len(programs) > 1:
        wanted = int_param(request.POST.get("program") or request.GET.get("program"))
        chosen = next((p for p in programs if p.pk == wanted), None)
    form = StoryForm(request.POST or None, author=request.user)
    if request.method == "POST" and chosen is None:
        form.add_error(None, gettext("Choose the program this story is for."))
    if request.method == "POST" and chosen is not None and form.is_valid():
        story = story_create(program=chosen, author=request.user, **form.cleaned_data)
        messages.success(
            request, gettext("Your story is saved as a draft. Only you and your coordinators can read it.")
        )
        return redirect("programs:story_detail", story.pk)
    return render(request, "programs/story_form.html", {"form": form, "programs": programs, "chosen": chosen})


@login_required
def story_detail(request, pk):
    """The story as it is now, its status and what the viewer may do: the author
    (send, consent, withdraw, delete) or a coordinator (edit, ask, publish)."""
    story = _story(request, pk)
    is_author = story.author_id == request.user.pk
    is_coordinator = access.can_manage_program(request.user, story.program)
    consent = current_consent(story)
    audit_read(request, subject=story.author, what="story", obj=story, program=story.program)
    return render(
        request,
        "programs/story_detail.html",
        {
            "story": story,
            "is_author": is_author,
            "is_coordinator": is_coordinator,
            "consent": consent,
            "consents": story.consents.all() if is_author or is_coordinator else [],
            "coordinator_may_edit": is_coordinator and story.status in COORDINATOR_EDITS,
            "has_active_consent": story.consents.filter(revoked_at__isnull=True).exists(),
        },
    )


@login_required
def story_edit(request, pk):
    story = _story(request, pk)
    is_author = story.author_id == request.user.pk
    if not is_author and story.status not in COORDINATOR_EDITS:
        raise Http404
    form = StoryForm(request.POST or None, instance=story, author=story.author)
    if request.method == "POST" and form.is_valid():
        was_published = story.is_published
        updated = story_update(story=Story.objects.get(pk=story.pk), by=request.user, **form.cleaned_data)
        if was_published and not updated.is_published:
            if is_author:
                warning = gettext(
                    "The changes are saved. The story is off the public pages until you consent to the new text."
                )
            else:
                warning = gettext(
                    "The changes are saved. "
                    "The story is off the public pages until the author consents to the new text."
                )
            messages.warning(request, warning)
        else:
            messages.success(request, gettext("The changes are saved."))
        return redirect("programs:story_detail", story.pk)
    return render(request, "programs/story_form.html", {"form": form, "story": story})


@login_required
@require_POST
def story_submit_view(request, pk):
    story = _own_story(request, pk)
    _done(
        request,
        lambda: story_submit(story=story),
        gettext(
            "Your story is with your coordinators. They may suggest changes; nothing is published without your consent."
        ),
    )
    return redirect("programs:story_detail", story.pk)


@login_required
def story_consent(request, pk):
    """The author reads the current version and signs the consent to publish it."""
    story = _own_story(request, pk)
    form = StoryConsentForm(request.POST or None, initial={"version": story.version})
    if request.method == "POST" and form.is_valid():
        try:
            story_consent_sign(
                story=story,
                person=request.user,
                typed_name=form.cleaned_data["typed_name"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "changed":  # show the text as it is now, with a fresh form
                messages.warning(request, error.messages[0])
                return redirect("programs:story_consent", story.pk)
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("Thank you. Your consent is recorded; you can withdraw it at any time here.")
            )
            return redirect("programs:story_detail", story.pk)
    return render(
        request,
        "programs/story_consent.html",
        {"story": story, "form": form, "statement": consent_statement(story), "consent": current_consent(story)},
    )


@login_required
def story_withdraw(request, pk):
    """The author withdraws consent: the story leaves the public pages at once."""
    story = _own_story(request, pk)
    if request.method == "POST":
        _done(
            request,
            lambda: story_consent_revoke(story=story, person=request.user),
            gettext("Your consent is withdrawn. The story is no longer published anywhere on our pages."),
        )
        return redirect("programs:story_detail", story.pk)
    return render(request, "programs/story_confirm.html", {"story": story, "action": "withdraw"})


@login_required
def story_delete_view(request, pk):
    story = _own_story(request, pk)
    if request.method == "POST":
        if _done(request, lambda: story_delete(story=story, person=request.user), gettext("Your story is deleted.")):
            return redirect("programs:my_stories")
        return redirect("programs:story_detail", story.pk)
    return render(request, "programs/story_confirm.html", {"story": story, "action": "delete"})


@login_required
@require_POST
def story_ask(request, pk):
    story = _coordinated_story(request, pk)
    _done(
        request,
        lambda: story_consent_request(story=story, by=request.user),
        f"{story.author} is asked to read this version and decide whether to consent.",
    )
    return redirect("programs:story_detail", story.pk)


@login_required
@require_POST
def story_publish_view(request, pk):
    story = _coordinated_story(request, pk)
    _done(request, lambda: story_publish(story=story, by=request.user), gettext("The story is published."))
    return redirect("programs:story_detail", story.pk)


@login_required
@require_POST
def story_unpublish_view(request, pk):
    story = _coordinated_story(request, pk)
    _done(request, lambda: story_unpublish(story=story, by=request.user), gettext("The story is off the public pages."))
    return redirect("programs:story_detail", story.pk)


@login_required
def story_list(request, pk):
    """A coordinator's list of the program's stories, by status."""
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    stories = (
        access.visible_stories(request.user).filter(program=program).select_related("author").order_by("-updated_at")
    )
    by_status = {status: [s for s in stories if s.status == status] for status in Story.Status.values}
    sections = [(Story.Status(status).label, by_status[status]) for status in Story.Status.values]
    return render(request, "programs/story_list.html", {"program": program, "sections": sections})


@login_required
def public_page_settings(request, pk):
    """Coordinators publish the public program page, write its introduction and
    choose whether it shows outcome figures."""
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    form = PublicPageForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            gettext("The public page is published.")
            if program.public_page_enabled
            else gettext("The public page is not published."),
        )
        return redirect("programs:public_page_settings", program.pk)
    return render(
        request,
        "programs/public_page_settings.html",
        {"program": program, "form": form, "min_group": settings.PUBLIC_OUTCOMES_MIN_GROUP},
    )
