"""The language switch on a phone (issue 19): anyone, without signing in,
turns the crisis page into Spanish from the bar at the top; the switch is a
44 px target and the bar does not make the page scroll sideways."""

import pytest

from .conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_to_spanish_on_the_crisis_page_on_a_phone(phone_page, live_server):
    page = phone_page
    page.goto("/crisis/")
    select = page.get_by_label("Language", exact=True)
    button = page.get_by_role("button", name="Change language", exact=True)
    for name, locator in (("select", select), ("button", button)):
        box = locator.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"the language {name} is too small ({box})"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the crisis page scrolls sideways ({width}px wide)"

    select.select_option("es")
    button.click()
    page.wait_for_url("**/crisis/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Obtener ayuda ahora").is_visible()
    assert page.get_by_role("link", name="Llamar al 988").is_visible()
    assert page.get_by_label("Idioma", exact=True).input_value() == "es"
    # It stays Spanish on the next page (the cookie), until switched back.
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", name="Iniciar sesión").is_visible()
    page.get_by_label("Idioma", exact=True).select_option("en")
    page.get_by_role("button", name="Cambiar idioma", exact=True).click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
