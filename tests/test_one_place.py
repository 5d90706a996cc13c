"""House rules checked on the source (ARCHITECTURE.md, "One rule, one place"
and "Where logic lives"):

- role predicates ("may this user manage this match / mentee / group /
  program") live in mentoring/access.py, not in views or services;
- views do not write to the database themselves: they call a service
  (``<thing>_<verb>(*, ...)`` in the app's services.py).

Plain ``ast`` over the files, no Django needed."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("goals", "mentoring", "programs", "resources", "sessions")


def _modules(pattern):
    return sorted(path for app in APPS for path in (ROOT / app).glob(pattern))


def view_modules():
    return _modules("views.py") + _modules("views/*.py")


def service_modules():
    return _modules("services.py")


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def _where(path, node):
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# --- role predicates -------------------------------------------------------------------------------------

PREDICATE_PREFIXES = ("can_", "may_", "is_coordinator", "is_mentor", "is_facilitator", "_can_", "_may_", "_is_")
ROLE_KEYWORDS = (
    "coordinators",
    "program__coordinators",
    "mentee__program__coordinators",
    "match__program__coordinators",
)
MATCH_SIDE_KEYWORDS = ("mentor__user", "mentee__user")


def _chain_root(node):
    """The leftmost name of ``a.b(...).c(...)``, e.g. "Match" or "access"."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def _calls_in_chain(node):
    """Method names called along ``a.b(...).c(...)``, innermost first."""
    names = []
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            names.append(node.func.attr)
            node = node.func.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            node = node.value
    return names[::-1]


def role_rule_problems(path, *, views):
    problems = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(PREDICATE_PREFIXES):
            problems.append(f"{_where(path, node)} defines {node.name}(): put the rule in mentoring/access.py")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        # program.coordinators.filter(pk=user.pk) / .coordinators.exists(): "is a coordinator of".
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "coordinators"
            and func.attr in ("filter", "exists", "contains")
        ):
            problems.append(f"{_where(path, node)} checks .coordinators by hand: use access.can_manage_program")
        for keyword in node.keywords:
            if keyword.arg in ROLE_KEYWORDS:
                problems.append(f"{_where(path, node)} filters by {keyword.arg}=: use an access.py queryset")
            # Match.objects.current().filter(mentor__user=...): "is the mentor of".
            if keyword.arg in MATCH_SIDE_KEYWORDS and _chain_root(node) == "Match":
                problems.append(f"{_where(path, node)} picks matches by {keyword.arg}= by hand: use access.py")
        if views and isinstance(func, ast.Attribute) and func.attr in ("filter", "values", "exclude"):
            # access.coordinated_programs(user).filter(pk=...) / .values("pk") for a
            # hand-made program__in: access.can_manage_program / managed_*().
            chain = _calls_in_chain(node)
            if _chain_root(node) == "access" and chain[:1] == ["coordinated_programs"] and len(chain) == 2:
                problems.append(
                    f"{_where(path, node)} builds a rule on coordinated_programs(): "
                    "use access.can_manage_program or access.managed_*()"
                )
        # side_of(...) == "mentor" or can_manage_program(...): a role rule spelled out in place.
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            called = {
                sub.func.attr if isinstance(sub.func, ast.Attribute) else getattr(sub.func, "id", None)
                for sub in ast.walk(node)
                if isinstance(sub, ast.Call)
            }
            if "side_of" in called and "can_manage_program" in called:
                problems.append(f"{_where(path, node)} combines side_of() and can_manage_program(): use access.may_*")
    return problems


def test_views_and_services_leave_role_rules_to_the_access_policy():
    problems = []
    for path in view_modules():
        problems += role_rule_problems(path, views=True)
    for path in service_modules():
        problems += role_rule_problems(path, views=False)
    assert not problems, "\n".join(problems)


def test_the_role_rule_check_finds_a_hand_written_rule(tmp_path):
    """The check itself: each pattern it looks for is found."""
    module = tmp_path / "views.py"
    module.write_text(
        "def _can_manage(user, match):\n"
        "    return match.program.coordinators.filter(pk=user.pk).exists()\n"
        "def page(request, mentee, match):\n"
        "    Match.objects.current().filter(mentee=mentee, mentor__user=request.user).exists()\n"
        "    access.coordinated_programs(request.user).filter(pk=match.program_id).exists()\n"
        "    Program.objects.filter(coordinators=request.user)\n"
        "    return match.side_of(request.user) == 'mentor' or access.can_manage_program(request.user, match.program)\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        problems = role_rule_problems(module, views=True)
    finally:
        ROOT = saved
    assert len(problems) == 6, problems


# --- no ORM writes in views --------------------------------------------------------------------------------

# Methods that write rows, on a model, a queryset, a manager or an instance.
WRITES = {
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "delete",
    "save",
    "update",
    "add",
    "remove",
    "set",
    "clear",
}
# Receivers that are plain dicts/sets in views (``context.update(...)``).
NOT_ORM = {"context", "initial", "seen", "messages"}
# What may stay in a view, and why:
# - ``<something>form.save()`` without arguments: a ModelForm saving the one row
#   it edits (a program's texts, a profile's answers), no other model and no
#   side effect; anything more (``commit=False`` then changes) is a service.
ALLOWED = {}  # {"app/views.py:function": "reason"}; nothing needs it today


def orm_write_problems(path):
    problems = []
    tree = _tree(path)
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if f"{path.relative_to(ROOT)}:{function.name}" in ALLOWED:
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name, receiver = node.func.attr, node.func.value
            if name not in WRITES:
                continue
            if isinstance(receiver, ast.Name) and receiver.id in NOT_ORM:
                continue
            if name in ("add", "remove", "clear", "set") and not isinstance(receiver, ast.Attribute):
                continue  # a local set/list, not a related manager
            if (
                name == "save"
                and isinstance(receiver, ast.Name)
                and receiver.id.endswith("form")
                and not node.args
                and not node.keywords
            ):
                continue
            problems.append(f"{_where(path, node)} {function.name}() calls .{name}(): move it into a service")
    return problems


def test_views_write_through_services_only():
    problems = [problem for path in view_modules() for problem in orm_write_problems(path)]
    assert not problems, "\n".join(problems)


def test_the_write_check_finds_writes_in_a_view(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def page(request, program, form):\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
        "    form.save()\n"
        "    thing = form.save(commit=False)\n"
        "    thing.save()\n"
        "    Skill.objects.create(program=program, name='x')\n"
        "    program.skills.filter(pk=1).update(is_active=False)\n"
        "    program.coordinators.add(request.user)\n"
        "    Notification.objects.filter(user=request.user).delete()\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        problems = orm_write_problems(module)
    finally:
        ROOT = saved
    assert len(problems) == 6, problems
