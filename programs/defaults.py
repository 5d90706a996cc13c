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

# Spanish versions of the starter content (mentoring.localized shows them to
# people who use Waypoint in Spanish; coordinators edit them like the English).
DEFAULT_EXPERIENCE_AREAS_ES = {
    "Alcohol": "Alcohol",
    "Opioids": "Opioides",
    "Stimulants": "Estimulantes",
    "Cannabis": "Cannabis",
    "Gambling": "Juegos de azar",
    "Co-occurring mental health": "Salud mental (al mismo tiempo)",
    "Prescription medication": "Medicamentos recetados",
    "Family member in recovery": "Familiar en recuperación",
}

DEFAULT_PRIVACY_NOTICE_ES = """\
Lo que guardamos: las respuestas de este formulario y, más adelante, sus metas, registros y notas de las sesiones.
Quién lo ve: el equipo de coordinación del programa y, una vez que tenga un emparejamiento, su mentor ve lo que usted \
comparta con él o ella.
Lo que nunca hacemos: vender su información ni decirle a nadie fuera del programa que usted participa, salvo que la \
ley lo exija o que la vida de alguien esté en peligro.
Sus opciones: puede pedir ver, corregir o borrar su información, y retirar cualquier consentimiento, en cualquier \
momento, hablando con un coordinador/a o desde su cuenta."""

DEFAULT_BOUNDARIES_AGREEMENT_ES = """\
Como mentor de pares en este programa, me comprometo a:
1. Compartir mi propia experiencia, no dar consejos médicos, legales ni clínicos, y orientar a mi participante hacia \
profesionales cuando los necesite.
2. Mantener en privado lo que mi participante me cuente, excepto cuando la seguridad de alguien esté en riesgo; en ese \
caso, me comunico de inmediato con el coordinador/a o con los servicios de emergencia.
3. Mantener la relación dentro del programa: sin dinero, préstamos, regalos de valor, negocios, relaciones románticas \
o sexuales, y sin vivir juntos.
4. Reunirme en lugares seguros y acordados o por los medios del programa, y registrar cada sesión.
5. Cuidar mi propia recuperación y avisar al coordinador/a si necesito un descanso.
6. Informar al coordinador/a de cualquier conflicto de intereses o inquietud sobre los límites."""

DEFAULT_SKILLS_ES = {
    "Coping with cravings": "Afrontar los deseos de consumir",
    "Stress management": "Manejo del estrés",
    "Mindfulness": "Atención plena",
    "Problem solving": "Resolución de problemas",
    "Time management": "Manejo del tiempo",
    "Asking for help": "Pedir ayuda",
    "Setting boundaries": "Poner límites",
    "Healthy routines": "Rutinas saludables",
}
