"""Common English words of the app's pages that are not Spanish words: a token
of a page rendered in Spanish found here is English that escaped translation
(tests/test_spanish.py). Words that are also Spanish (a, no, me, con, sin,
total, final, general, local, social, personal, plan, mentor, email, app,
chat, online, once, real, red, son, base, area, hotel, normal, ideal) are left
out on purpose, and so is anything shorter than two letters."""

WORDS = """
    the and your you with for this that from have has not are was were will can add save edit delete cancel
    back next previous sessions session goals goal check checkin update updates new view show hide open close
    closed send sent sign signed out in on of to at by or if is it be as my we our they their them there here
    what when where who which how why all any some more most yes one two three first last today tomorrow
    yesterday week weeks month months year years day days time times hour hours minutes name password search
    filter find help now please thank thanks welcome home profile settings account accept decline approve
    reject pending waiting active paused ended match matches matched mentee mentees coordinator coordinators
    program programs group groups meeting meetings calendar resources resource report reports alerts alert
    people person notes note message messages notifications reminders reminder attention needs need nothing
    none yet still already about after before between into only also just than then each every other others
    own should would could may must been being does did done get got give make take see seen choose chosen
    change changes keep stop start started starts ends due overdue progress skills skill training application
    applications apply  invitation invitations download export upload submit confirm remove removed
    share shared private public visible hidden read unread write written reply answer question questions yours
    yourself without within while until since  soon later never always often again page pages list details
    summary overview logged record recorded attendance attended absent upcoming past future mood score
    scores rating survey feedback story stories consent agreement privacy notice background ready readiness
    areas experience availability available capacity caseload suggestions suggested weights weight because
    these those such very well good great something someone anyone everyone nobody everything anything link
    click here add added edit edited mark marked phone text texts call
"""
ENGLISH_WORDS = frozenset(WORDS.split())
