import unicodedata

from django.http import HttpResponse, QueryDict
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from cchc.lib.middleware import NFCMiddleware, nfc_querydict

DECOMPOSED = unicodedata.normalize("NFD", "Nâng cao chỉ số")
COMPOSED = unicodedata.normalize("NFC", "Nâng cao chỉ số")


def _echo(request):
    return HttpResponse(f"{request.GET.get('q', '')}|{request.POST.get('name', '')}")


def test_query_and_form_values_reach_views_in_nfc():
    assert DECOMPOSED != COMPOSED
    request = RequestFactory().post(f"/?q={DECOMPOSED}", {"name": DECOMPOSED})
    response = NFCMiddleware(_echo)(request)
    assert response.content.decode() == f"{COMPOSED}|{COMPOSED}"


def test_json_bodies_are_left_alone():
    request = RequestFactory().post("/", data='{"a": 1}', content_type="application/json")
    response = NFCMiddleware(_echo)(request)
    assert response.status_code == 200
    assert request.body == b'{"a": 1}'


def test_pages_are_vietnamese_even_when_the_browser_asks_for_english(personas):
    response = personas.client("anonymous").get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()


def test_the_language_switch_turns_the_interface_english(personas):
    client = personas.client("anonymous")
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert '<html lang="en">' in response.content.decode()


def test_a_key_sent_both_composed_and_decomposed_keeps_the_values_of_both():
    data = QueryDict(mutable=True)
    data.appendlist(COMPOSED, "1")
    data.appendlist(DECOMPOSED, "2")
    assert nfc_querydict(data).getlist(COMPOSED) == ["1", "2"]


@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=12)), max_size=6))
def test_every_key_and_value_comes_out_in_nfc_whether_or_not_it_went_in_so(pairs):
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    data._mutable = False
    normalized = nfc_querydict(data)
    expected: dict[str, list[str]] = {}
    for key, values in data.lists():
        expected.setdefault(unicodedata.normalize("NFC", key), []).extend(
            unicodedata.normalize("NFC", value) for value in values
        )
    assert dict(normalized.lists()) == expected
    assert not normalized._mutable
