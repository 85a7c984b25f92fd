"""Fuzzing the fragment parser: typed errors only, and Brython must agree with CPython."""

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from implicitflow.authorization_response import parse_fragment, read_authorization_response
from implicitflow.errors import ImplicitFlowError

KEYS = ["access_token", "state", "token_type", "expires_in", "error", "error_description", "scope"]
ATOMS = ["%", "%2", "%zz", "%41", "%C3%A9", "%C3", "%F0%9F%98%80", "%FF", "+", "&", "&&", "=", "==",
         "bearer", "Bearer", "3600", "-1", "1e3", "٣", "é", "😀", "\u202e", "<script>", "\x00", " "]

fragments = st.one_of(
    st.text(max_size=200),
    st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
                       st.text(max_size=40)), max_size=10).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.lists(st.one_of(st.sampled_from(ATOMS), st.sampled_from(KEYS)), max_size=40).map("".join),
    st.integers(10_000, 200_000).map(lambda n: "access_token=" + "a" * n + "&token_type=bearer"),
)


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
    return result


@pytest.mark.browser
def test_brython_parses_500_fragments_exactly_as_cpython(page, page_watch, site, security_report):
    page.goto(site.url + "/test/parse.html")
    page_watch.wait_for_flag("pythonDone")
    fragments = generated_fragments(500)

    in_browser = [json.loads(text) for text in page.evaluate("f => window.parseAll(f)", fragments)]

    in_cpython = [outcome(fragment) for fragment in fragments]
    differences = [(f, b, c) for f, b, c in zip(fragments, in_browser, in_cpython, strict=True)
                   if b != c]
    security_report["fragments compared, Brython vs CPython"] = (
        f"{len(fragments)} ({sum(isinstance(o, list) for o in in_cpython)} accepted), "
        f"{len(differences)} differences")
    assert differences == []
