"""Fuzzing the fragment parser: typed errors only, and Brython must agree with CPython."""

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from implicitflow import form_urlencoded
from implicitflow.authorization_response import parse_fragment, read_authorization_response
from implicitflow.errors import ImplicitFlowError, MalformedResponseError

KEYS = ["access_token", "state", "token_type", "expires_in", "error", "error_description", "scope"]
ATOMS = ["%", "%2", "%zz", "%41", "%C3%A9", "%C3", "%F0%9F%98%80", "%FF", "+", "&", "&&", "=", "==",
         "bearer", "Bearer", "3600", "-1", "1e3", "٣", "é", "😀", "\u202e", "<script>", "\x00", " "]

#: Byte sequences Brython's own decoder accepted and CPython refuses (overlong "/", overlong
#: C1, CESU-8 surrogates, past U+10FFFF), next to valid ones and a NUL or CR/LF in a token.
KNOWN_BYTES = ["%C0%AF", "%C1%9F", "%ED%A0%80", "%ED%BF%BF", "%ED%A0%BD%ED%B8%80", "%F4%90%80%80",
               "%F5%80%80%80", "%E0%80%AF", "%F0%80%80%AF", "%C3%A9", "%F0%9F%98%80", "%EF%BF%BF",
               "%00", "%0D%0A", "%7F", "%20"]
#: Lead and continuation bytes, so random sequences are often nearly valid UTF-8.
INTERESTING_BYTES = [0x00, 0x2F, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                     0xDF, 0xE0, 0xED, 0xEE, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF]


def percent_encoded(data):
    return "".join(f"%{byte:02X}" for byte in data)


byte_sequences = st.lists(st.one_of(st.sampled_from(INTERESTING_BYTES), st.integers(0, 255)),
                          max_size=12).map(bytes)

fragments = st.one_of(
    st.lists(st.tuples(st.sampled_from(KEYS), st.one_of(
        byte_sequences.map(percent_encoded), st.sampled_from(KNOWN_BYTES))), max_size=6).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.text(max_size=200),
    st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
                       st.text(max_size=40)), max_size=10).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.lists(st.one_of(st.sampled_from(ATOMS), st.sampled_from(KEYS)), max_size=40).map("".join),
    st.integers(10_000, 200_000).map(lambda n: "access_token=" + "a" * n + "&token_type=bearer"),
)


@settings(max_examples=5000, deadline=None)
@given(byte_sequences)
def test_percent_escapes_decode_as_strict_utf8_or_not_at_all(data):
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        with pytest.raises(MalformedResponseError):
            form_urlencoded.unquote(percent_encoded(data))
    else:
        assert form_urlencoded.unquote(percent_encoded(data)) == expected


@pytest.mark.parametrize("fragment", [
    "access_token=a%00b&token_type=bearer", "access_token=a%0D%0Ab&token_type=bearer",
    "access_token=caf%C3%A9&token_type=bearer", "access_token=a\ud800&token_type=bearer",
    "access_token=a&token_type=bearer&expires_in=" + "9" * 5000,
    "access_token=a&token_type=bearer&state=x\udfff"])
def test_what_no_header_can_carry_is_refused_at_the_callback(fragment):
    with pytest.raises(MalformedResponseError):
        read_authorization_response(parse_fragment(fragment))


def outcome(fragment):
    try:
        response = read_authorization_response(parse_fragment(fragment))
        return [response.access_token, response.token_type, response.expires_in, response.state,
                response.scope]
    except ImplicitFlowError as error:
        return f"{type(error).__name__}: {error}"


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(fragments)
def test_ten_thousand_fragments_give_a_response_or_a_typed_error(fragment):
    outcome(fragment)  # any exception but the typed ones fails the test


def generated_fragments(count, seed=20261129):
    """Fragments from a fixed seed, so a disagreement can be replayed."""
    rng = random.Random(seed)
    alphabet = "abcXYZ019-._~ +&=%#/?é😀\u202e<>\"'"
    result = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(0, 8)):
            key = rng.choice(KEYS + ["x", "", "state%5B%5D"])
            value = "".join(rng.choice(alphabet + "".join(ATOMS)) for _ in range(rng.randint(0, 12)))
            pieces.append(rng.choice([f"{key}={value}", key, f"{key}={rng.choice(ATOMS)}"]))
        if rng.random() < 0.4:  # a valid answer with noise around it, so some are accepted
            token = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
            pieces = [f"access_token={token}", f"token_type={rng.choice(['bearer', 'Bearer'])}",
                      f"expires_in={rng.randint(0, 10**6)}", f"state={rng.randint(0, 10**9)}"]
            pieces += [f"{rng.choice(['scope', 'extra', ''])}={rng.choice(ATOMS)}"] * rng.randint(0, 1)
            rng.shuffle(pieces)
        result.append(rng.choice(["", "#"]) + rng.choice(["&", "&&"]).join(pieces))
    return result + raw_byte_fragments(rng, count // 2)


def raw_byte_fragments(rng, count):
    """Answers whose values are raw percent-encoded bytes, valid and invalid UTF-8."""
    result = [f"access_token={known}&token_type=bearer&state={known}" for known in KNOWN_BYTES]
    while len(result) < count:
        data = bytes(rng.choice(INTERESTING_BYTES) if rng.random() < 0.7 else rng.randint(0, 255)
                     for _ in range(rng.randint(1, 8)))
        field = rng.choice(["access_token", "state", "error_description", "scope"])
        pairs = {"access_token": "tok", "token_type": "bearer", "state": "s"}
        pairs[field] = rng.choice(["", "x"]) + percent_encoded(data)
        result.append("&".join(f"{k}={v}" for k, v in pairs.items()))
    return result


@pytest.mark.browser
def test_brython_parses_750_fragments_exactly_as_cpython(page, page_watch, site, security_report):
    page.goto(site.url + "/test/parse.html")
    page_watch.wait_for_flag("pythonDone")
    fragments = generated_fragments(500)
    assert len(fragments) == 750

    in_browser = [json.loads(text) for text in page.evaluate("f => window.parseAll(f)", fragments)]

    in_cpython = [outcome(fragment) for fragment in fragments]
    differences = [(f, b, c) for f, b, c in zip(fragments, in_browser, in_cpython, strict=True)
                   if b != c]
    security_report["fragments compared, Brython vs CPython"] = (
        f"{len(fragments)} ({sum(isinstance(o, list) for o in in_cpython)} accepted), "
        f"{len(differences)} differences")
    assert differences == []


@pytest.mark.browser
def test_brython_percent_encodes_exactly_as_cpython(page, page_watch, site):
    # Stored logins and authorize URLs are encoded in the page: every ASCII character alone,
    # and random text with escapes, non-ASCII and astral characters mixed in.
    rng = random.Random(20261130)
    alphabet = [chr(code) for code in range(128)] + ["é", "😀", "\u202e", "\u00a0", "%41", "+"]
    texts = [chr(code) for code in range(128)] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(300)]
    page.goto(site.url + "/test/parse.html")
    page_watch.wait_for_flag("pythonDone")

    in_browser = page.evaluate("t => window.encodeAll(t)", texts)

    assert in_browser == [form_urlencoded.encode([(text, text)]) for text in texts]


@pytest.mark.browser
def test_a_lone_surrogate_from_javascript_is_a_typed_error_in_brython(page, page_watch, site):
    page.goto(site.url + "/test/parse.html")
    page_watch.wait_for_flag("pythonDone")

    [result] = page.evaluate("window.parseAll(['access_token=a' + String.fromCharCode(0xD800)"
                             " + '&token_type=bearer'])")

    assert json.loads(result).startswith("MalformedResponseError")
