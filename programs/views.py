from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from mentoring import access

PAGE_SIZE = 25


@login_required
def program_detail(request, pk):
    """A coordinator's view of one program's people."""
    program = get_object_or_404(access.coordinated_programs(request.user), pk=pk)
    people = {
        "mentors": program.mentor_profiles.select_related("user").order_by("user__full_name"),
        "mentees": program.mentee_profiles.select_related("user").order_by("user__full_name"),
    }
    tab = request.GET.get("tab") if request.GET.get("tab") in people else "mentees"
    page = Paginator(people[tab], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "tab": tab,
            "page": page,
            "coordinators": program.coordinators.order_by("full_name"),
            "counts": {name: rows.count() for name, rows in people.items()},
        },
    )
