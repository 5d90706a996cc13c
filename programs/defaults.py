"""Starter content for a new program. Coordinators edit all of it; the
wording is Waypoint's own."""

DEFAULT_EXPERIENCE_AREAS = [
    "Alcohol",
    "Opioids",
    "Stimulants",
    "Cannabis",
    "Gambling",
    "Co-occurring mental health",
    "Prescription medication",
    "Family member in recovery",
]

DEFAULT_PRIVACY_NOTICE = """\
What we keep: the answers on this form, and later your goals, check-ins and session notes.
Who sees it: the program's coordinators, and once you are matched, your mentor sees what you share with them.
What we never do: sell your information, or tell anyone outside the program that you take part, unless the law \
requires it or someone's life is in danger.
Your choices: you can ask to see, correct or delete your information, and withdraw any consent, at any time by \
telling a coordinator or from your account."""

DEFAULT_BOUNDARIES_AGREEMENT = """\
As a peer mentor in this program I agree to:
1. Share my own experience, not give medical, legal or clinical advice, and point my mentee to professionals \
when they need them.
2. Keep what my mentee tells me private, except when someone's safety is at risk; then I contact the coordinator \
or emergency services straight away.
3. Keep the relationship within the program: no money, loans, gifts of value, business, romantic or sexual \
relationships, and no living together.
4. Meet in safe, agreed places or through the program's channels, and log each session.
5. Look after my own recovery and tell the coordinator if I need a break.
6. Tell the coordinator about any conflict of interest or concern about boundaries."""

DEFAULT_SKILLS = [
    "Coping with cravings",
    "Stress management",
    "Mindfulness",
    "Problem solving",
    "Time management",
    "Asking for help",
    "Setting boundaries",
    "Healthy routines",
]
