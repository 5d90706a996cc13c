"""The two-level taxonomy every directory starts with: created by a data
migration (resources 0002) and, on a site without any category, when a
program is created (never by a page)."""

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


def ensure_taxonomy(category_model):
    """Create the default two-level categories where missing (by name), with
    their positions. Takes the model so the data migration can pass its
    historical one. Idempotent."""
    for position, (top, children) in enumerate(TAXONOMY.items()):
        parent, _ = category_model.objects.get_or_create(name=top, parent=None, defaults={"position": position})
        for child_position, child in enumerate(children):
            category_model.objects.get_or_create(name=child, parent=parent, defaults={"position": child_position})
