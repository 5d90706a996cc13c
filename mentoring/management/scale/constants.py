"""How much of everything the scale seeder writes, and the words it writes."""

PASSWORD = "waypoint-demo"
COORDINATOR_EMAIL = "scale-coordinator@example.org"
EMAIL_PREFIX = "scale-"  # every scale person is scale-<role>-<n>@example.org
SLUG_PREFIX = "scale-program-"
MIN_MENTEES = 10  # below this not every match state and close reason fits

MENTEES_PER_PROGRAM = 2_500
MENTORS_PER_MENTEE = 0.25
SESSIONS_PER_MENTEE = 10
CHECKINS_PER_MENTEE = 50
GOALS_PER_MENTEE = 2
BATCH = 5_000

# Where each mentee stands today, as shares of all mentees; everyone else is in
# an active match. "rematched": an earlier match closed, the current one is active.
MENTEE_STATES = {"waiting": 0.10, "proposed": 0.05, "paused": 0.03, "closed": 0.12, "rematched": 0.10}
DECLINED_SHARE = 0.02  # active mentees who turned down an earlier proposal
NEVER_MET_SHARE = 0.06  # active pairs that have not met yet
DECLINING_SHARE = 0.04  # active mentees whose mood falls and craving rises in the last two weeks
NOT_READY_SHARE = 0.15
NOT_READY_STAGES = ["training", "awaiting_confirmation", "check_pending", "check_expired", "agreement_unsigned"]
CLOSE_REASONS = {"graduated": 35, "disengaged": 25, "mentor_unavailable": 10, "moved": 10, "conflict": 5, "other": 15}
GOAL_STATUSES = {"active": 45, "suggested": 12, "achieved": 20, "paused": 10, "dropped": 13}
GOAL_PROGRESS = {"active": (5, 90), "suggested": (0, 0), "achieved": (100, 100), "paused": (10, 60), "dropped": (0, 40)}

TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]
CITIES = ["Riverbend", "Hillcrest", "Millbrook", "Lakeside", "Oakton", "Cedar Falls", "Brookhaven", "Pine Ridge"]
INTERESTS = ["hiking", "cooking", "music", "fishing", "art", "basketball", "gardening", "reading", "faith", "movies"]
SESSION_HOURS_UTC = range(14, 24)  # 9 am to 7 pm across the US zones
SUMMARIES = [
    "We talked about the week and what got in the way. You named two things that helped.",
    "We practised a breathing exercise for stressful moments and planned the weekend.",
    "We went over the job application together and set a small goal for Thursday.",
    "We looked at what a good Sunday looks like and who you could call.",
]
PRIVATE_NOTES = ["Seemed tired; ask about sleep next time.", "Family stress again; mention the Tuesday group.", ""]
CANCEL_REASONS = ["Work shift changed.", "Sick.", "Childcare fell through.", "Car trouble."]
REFLECTIONS = ["A better week.", "Hard day, but I called someone.", "Went to a meeting.", "Slept badly.", ""]
SURVEY_COMMENTS = ["Glad we did this.", "It helped to have someone who gets it.", "We lost touch.", ""]
GOAL_TITLES = {
    "recovery": ["Go to three meetings a week", "Write down my triggers"],
    "health": ["Walk 20 minutes three times a week", "See a doctor about sleep"],
    "housing": ["Find a quieter place to live", "Apply for rental help"],
    "employment": ["Update my CV and apply for two jobs", "Keep my shifts for a month"],
    "education": ["Enrol in the evening course", "Finish the GED practice tests"],
    "relationships": ["Make one new sober friend", "Repair things with an old friend"],
    "family": ["Call my sister every Sunday", "Have dinner with my kids weekly"],
    "legal": ["Go to every court date", "Ask the clinic about record clearing"],
    "finances": ["Make a monthly budget", "Pay off one bill"],
    "community": ["Volunteer once a month", "Go to the Tuesday group"],
    "spirituality": ["Ten minutes of quiet each morning", "Visit a faith community"],
    "other": ["Learn to cook five meals", "Get my driving licence back"],
}
LISTINGS = [
    ("Recovery Residence", "Recovery housing", "Shared, substance-free housing with house meetings.", "housing"),
    ("Housing Help Desk", "Rental help", "Help with deposits, rent arrears and housing applications.", "housing"),
    ("Walk-in Counseling", "Mental health care", "Same-day counseling for adults; no appointment needed.", "health"),
    ("Peer Support Circle", "Peer support groups", "A weekly peer-led group; newcomers welcome.", "groups"),
    ("Community Food Pantry", "Food pantries", "Groceries twice a week; bring any ID.", "food"),
    ("Job Readiness Center", "Job search", "CV help, mock interviews and job leads.", "work"),
    ("Free Legal Clinic", "Legal clinics", "Advice on housing, benefits and records, by appointment.", "legal"),
    ("Harm Reduction Outreach", "Naloxone and safer use supplies", "Naloxone training and supplies.", "safety"),
    ("Ride Program", "Rides to appointments", "Free rides to medical and recovery appointments.", "transport"),
    ("Emergency Shelter", "Emergency shelter", "Beds for the night and help finding housing.", "housing"),
]
