"""The starter list of risk phrases every program gets (English and Spanish).

Words and phrases that often come with a risk of harm. A starter list, not a
clinical instrument: coordinators add and remove phrases for their program
(Programs → Risk phrases). Matching ignores case and accents and needs whole
words (conversations.flagging), so "dano" matches "daño" and "overdosed"
does not match "overdose"."""

DEFAULT_RISK_PHRASES = (
    # English
    "kill myself",
    "killing myself",
    "end my life",
    "end it all",
    "want to die",
    "wanna die",
    "suicide",
    "suicidal",
    "hurt myself",
    "hurting myself",
    "self harm",
    "no reason to live",
    "better off dead",
    "better off without me",
    "overdose",
    "can't go on",
    "cant go on",
    "relapsed",  # as "recaí" (issue 19)
    # Spanish
    "matarme",
    "quitarme la vida",
    "quiero morir",
    "quiero morirme",
    "suicidio",
    "suicidarme",
    "hacerme daño",
    "no quiero vivir",
    "no vale la pena vivir",
    "mejor muerto",
    "mejor muerta",
    "sobredosis",
    "acabar con todo",
    # Added with the Spanish translation (issue 19; conversations 0003 gives them to existing programs).
    "recaí",
    "volví a consumir",
    "me voy a matar",
    "lastimarme",
    "no puedo más",
    "sin razón para vivir",
    "ninguna razón para vivir",
    "estarían mejor sin mí",
)
