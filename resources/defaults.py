"""The two-level taxonomy every directory starts with."""

TAXONOMY = {
    "Crisis and emergency": ["Crisis lines", "Emergency shelter"],
    "Treatment and recovery support": ["Outpatient programs", "Residential programs", "Medication support"],
    "Support groups and meetings": ["Peer support groups", "Family groups"],
    "Health care": ["Primary care", "Mental health care", "Dental care"],
    "Harm reduction": ["Naloxone and safer use supplies", "Testing"],
    "Housing": ["Recovery housing", "Rental help"],
    "Employment": ["Job search", "Training"],
    "Legal aid": ["Legal clinics", "Record clearing"],
    "Food": ["Food pantries", "Meals"],
    "Transport": ["Rides to appointments", "Transit passes"],
    "Worksheets and articles": ["Worksheets", "Articles"],
}
