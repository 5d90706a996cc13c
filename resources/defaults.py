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

# Spanish names of the default categories (Category.name_es; mentoring.localized).
TAXONOMY_ES = {
    "Crisis and emergency": "Crisis y emergencias",
    "Crisis lines": "Líneas de crisis",
    "Emergency shelter": "Refugio de emergencia",
    "Treatment and recovery support": "Tratamiento y apoyo a la recuperación",
    "Outpatient programs": "Programas ambulatorios",
    "Residential programs": "Programas residenciales",
    "Medication support": "Apoyo con medicamentos",
    "Support groups and meetings": "Grupos de apoyo y reuniones",
    "Peer support groups": "Grupos de apoyo entre pares",
    "Family groups": "Grupos para familias",
    "Health care": "Atención de salud",
    "Primary care": "Atención primaria",
    "Mental health care": "Atención de salud mental",
    "Dental care": "Atención dental",
    "Harm reduction": "Reducción de daños",
    "Naloxone and safer use supplies": "Naloxona y suministros para un consumo más seguro",
    "Testing": "Pruebas",
    "Housing": "Vivienda",
    "Recovery housing": "Vivienda de recuperación",
    "Rental help": "Ayuda con el alquiler",
    "Employment": "Empleo",
    "Job search": "Búsqueda de empleo",
    "Training": "Capacitación",
    "Legal aid": "Asistencia legal",
    "Legal clinics": "Clínicas legales",
    "Record clearing": "Limpieza de antecedentes",
    "Food": "Alimentos",
    "Food pantries": "Bancos de alimentos",
    "Meals": "Comidas",
    "Transport": "Transporte",
    "Rides to appointments": "Transporte a citas",
    "Transit passes": "Pases de transporte público",
    "Worksheets and articles": "Hojas de trabajo y artículos",
    "Worksheets": "Hojas de trabajo",
    "Articles": "Artículos",
}


def ensure_taxonomy(category_model):
    """Create the default two-level categories where missing (by name), with
    their positions. Takes the model so the data migration can pass its
    historical one. Idempotent."""
    for position, (top, children) in enumerate(TAXONOMY.items()):
        parent, _ = category_model.objects.get_or_create(name=top, parent=None, defaults={"position": position})
        for child_position, child in enumerate(children):
            category_model.objects.get_or_create(name=child, parent=parent, defaults={"position": child_position})
    if any(field.name == "name_es" for field in category_model._meta.get_fields()):
        fill_spanish_names(category_model)


def fill_spanish_names(category_model):
    """Give the default categories their Spanish names where none is set (a
    name a coordinator or admin gave is kept). Idempotent."""
    for name, name_es in TAXONOMY_ES.items():
        category_model.objects.filter(name=name, name_es="").update(name_es=name_es)
