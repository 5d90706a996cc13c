"""The public program page and its published stories (no sign-in; see programs.public)."""

from django.shortcuts import render

from ..models import Application
from ..public import (
    public_outcomes,
    public_program_or_404,
    published_stories,
    published_story_or_404,
    upcoming_public_dates,
)


def program_page(request, slug):
    """/p/<slug>/: what the program offers, upcoming public dates, how to take
    part, published stories, outcome figures (when chosen), crisis help. 404
    unless a coordinator published the page."""
    program = public_program_or_404(slug)
    dates = list(upcoming_public_dates(program))
    return render(
        request,
        "programs/public_program.html",
        {
            "program": program,
            "dates": dates,
            "kinds_offered": sorted({date.kind for date in dates}),
            "stories": published_stories(program)[:12],
            "outcomes": public_outcomes(program),
            "apply_kinds": Application.Kind,
        },
    )


def story_page(request, slug, pk):
    program = public_program_or_404(slug)
    story = published_story_or_404(program, pk)
    return render(request, "programs/public_story.html", {"program": program, "story": story})
