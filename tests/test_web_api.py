"""POST /api/diff and /api/plot through Starlette's TestClient: replies, errors, limits."""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET

import pytest

import symdiff

from support.extras import need

need("starlette", "web")
need("httpx2", "test")  # what Starlette's TestClient runs on

from starlette.testclient import TestClient  # noqa: E402

from symdiff.web import BODY_LIMIT, create_app  # noqa: E402

TIME_LIMIT = 1.0  # for the expensive requests: shorter than the default, to keep the suite quick
F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
BASE = "http://localhost"  # a host name the server answers
JSON = {"Content-Type": "application/json"}
HUGE_SUM = " + ".join(f"1/(x^2 + {k})" for k in range(1, 300))  # common denominators explode


@pytest.fixture(scope="module")
def client():
    """A generous limit, so a loaded machine never turns a cheap request into a 422."""
    with TestClient(create_app(time_limit=30, workers=2), base_url=BASE) as c:
        yield c


@pytest.fixture(scope="module")
def tight():
    with TestClient(create_app(time_limit=TIME_LIMIT, workers=2), base_url=BASE) as c:
        yield c


def post(client, body, path="/api/diff"):
    return client.post(path, content=json.dumps(body), headers=JSON)


def test_diff_replies_in_every_format(client):
    r = post(client, {"expr": "log_2(x)", "wrt": "x", "order": 1, "lang": "en"})
    assert r.status_code == 200
    data = r.json()
    expected = symdiff.diff("log_2(x)", "x")
    assert data["plain"] == str(expected)
    assert data["latex"] == symdiff.latex(expected)
    assert ET.fromstring(data["mathml"]).tag.endswith("math")
    assert data["steps_markdown"] == symdiff.derive("log_2(x)", "x").render("markdown", "en")
    ET.fromstring(f"<div>{data['steps_html']}</div>")  # the page's steps are well-formed too


def test_japanese_steps(client):
    data = post(client, {"expr": "x^x", "lang": "ja"}).json()
    assert data["steps_markdown"] == symdiff.derive("x^x", "x").render("markdown", "ja")
    assert "微分" in data["steps_html"]


def test_where_and_assume(client):
    as_list = post(client, {"expr": F2, "wrt": "z_j", "where": ["y_i = sigmoid(z_i)"]}).json()
    as_object = post(client, {"expr": F2, "wrt": "z_j", "where": {"y_i": "sigmoid(z_i)"}}).json()
    assert as_list["plain"] == as_object["plain"] == "(sigmoid(z_j) - t_j)/N"
    f1 = r"\ - \frac{1}{N} \sum_{i}^{N} \sum_{k}^{K} t_{ik} \log y_{ik} \tag{1}"
    expected = symdiff.diff(f1, "z_{jl}", where={"y_{ik}": "exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"},
                            assume=["sum_{k=1}^{K} t_{ik} = 1"])
    data = post(client, {"expr": f1, "wrt": "z_{jl}",
                         "where": ["y_{ik} = exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"],
                         "assume": ["sum_{k=1}^{K} t_{ik} = 1"]}).json()
    assert data["plain"] == str(expected)


@pytest.mark.parametrize("text", ["x +* 2", "sin(x", "x\n+ )", r"\frac{1}{"])
def test_parse_error_is_400_with_the_parse_errors_position(client, text):
    with pytest.raises(symdiff.ParseError) as caught:
        symdiff.parse(text)
    r = post(client, {"expr": text})
    assert r.status_code == 400
    data = r.json()
    assert (data["line"], data["column"]) == (caught.value.line, caught.value.column)
    assert data["error"] == caught.value.reason
    assert data["field"] == "expr"


def test_parse_error_in_where_names_the_field(client):
    r = post(client, {"expr": "y_1", "wrt": "z_1", "where": ["y_i = sigmoid(z_i"]})
    assert r.status_code == 400
    assert r.json()["field"] == "where" and r.json()["column"] >= 1


@pytest.mark.parametrize("body, field", [
    ({"expr": "x", "order": -1}, "order"),
    ({"expr": "x", "order": "two"}, "order"),
    ({"expr": "x", "lang": "fr"}, "lang"),
    ({"expr": ""}, "expr"),
    ({"expr": 3}, "expr"),
    ([1, 2], "body"),
])
def test_bad_fields_are_400(client, body, field):
    r = post(client, body)
    assert r.status_code == 400
    assert r.json()["field"] == field


def test_not_json_is_400_with_position(client):
    r = client.post("/api/diff", headers=JSON, content=b'{"expr": "x",\n "wrt": }')
    assert r.status_code == 400
    assert (r.json()["line"], r.json()["column"]) == (2, 9)  # the `}` where a value should be


def test_deeply_nested_json_is_400(client):
    r = client.post("/api/diff", headers=JSON, content=b"[" * 60000)
    assert r.status_code == 400 and r.json()["field"] == "body"


def test_deeply_nested_expression_is_answered(client):
    r = post(client, {"expr": "(" * 20000 + "x" + ")" * 20000})
    assert r.status_code == 200 and r.json()["plain"] == "1"


def test_variable_errors_are_400(client):
    r = post(client, {"expr": "x*y"})
    assert r.status_code == 400 and "several variables" in r.json()["error"]


def test_body_cap(client):
    small = {"expr": "x" * (BODY_LIMIT - 20)}
    assert post(client, small).status_code != 413
    big = {"expr": "x" * (1 << 20)}
    started = time.monotonic()
    r = post(client, big)
    assert r.status_code == 413
    assert "too large" in r.json()["error"]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("body", [{"expr": "x^x", "order": 100}, {"expr": HUGE_SUM}],
                         ids=["100th derivative (refused by the pacing)", "huge sum (stopped at the limit)"])
def test_expensive_work_is_422_within_the_limit(tight, body):
    started = time.monotonic()
    r = post(tight, body)
    elapsed = time.monotonic() - started
    assert r.status_code == 422
    assert "too expensive" in r.json()["error"]
    assert elapsed < TIME_LIMIT + 3
    assert post(tight, {"expr": "x^2"}).json()["plain"] == "2*x"  # and the server goes on


def test_cheap_request_is_answered_while_an_expensive_one_runs(tight):
    # Workers killed by the tests above are replaced in the background: wait for both.
    deadline = time.monotonic() + 60
    while tight.app.state.pool.idle < 2:
        assert time.monotonic() < deadline, "the pool did not get its workers back"
        time.sleep(0.05)
    order: list[str] = []
    slow = threading.Thread(target=lambda: (post(tight, {"expr": HUGE_SUM}), order.append("slow")))
    slow.start()
    time.sleep(0.2)  # let the slow job take its worker
    assert post(tight, {"expr": "sin(x)"}).json()["plain"] == "cos(x)"
    order.append("cheap")
    slow.join()
    assert order == ["cheap", "slow"]


def test_plot_endpoint(client):
    need("matplotlib", "plot")
    data = post(client, {"expr": "sin(x)"}, "/api/plot").json()
    assert data["svg"].startswith("<?xml") and "<svg" in data["svg"]
    several = post(client, {"expr": "x*y"}, "/api/plot").json()
    assert several["svg"] is None and "several variables" in several["reason"]


def test_page_and_static_files(client):
    page = client.get("/")
    assert page.status_code == 200
    for element_id in ("expr", "wrt", "order", "lang", "result", "steps", "plot"):
        assert f'id="{element_id}"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace('http-equiv', '')  # nothing fetched from elsewhere
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_serve_binds_localhost_by_default():
    from symdiff.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.time_limit) == ("127.0.0.1", 8000, 5.0)


def test_plot_svg_is_the_figure_of_symdiff_plot():
    need("matplotlib", "plot")
    from symdiff.web.work import plot_svg

    svg = plot_svg(symdiff.parse("sin(x)"), "x", 1)
    assert svg is not None
    root = ET.fromstring(svg.encode())
    assert root.tag.endswith("svg")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) >= 2  # f and f'


def test_serve_on_a_taken_port_is_a_one_line_error(capsys):
    import socket

    from symdiff.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symdiff: error: cannot serve on 127.0.0.1:") and "Traceback" not in err


def test_reading_notes_are_returned(client):
    import warnings

    from symdiff.errors import ReadingNote

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReadingNote)
        symdiff.parse("sinx")
    expected = [str(w.message) for w in caught if issubclass(w.category, ReadingNote)]
    assert expected and post(client, {"expr": "sinx"}).json()["notes"] == expected
    assert post(client, {"expr": "sin(x)"}).json()["notes"] == []


# -- the edge: every field's type and range, before any work --------------------------------

@pytest.mark.parametrize("raw, field", [
    (b'{"expr": "x", "order": "\xc2\xb2"}', "order"),  # "²": a digit to str.isdigit, not to int()
    (b'{"expr": "x", "order": ' + b"9" * 4301 + b"}", "order"),  # past int()'s 4,300 digits
    (b'{"expr": "x", "order": ' + b"9" * 40 + b"}", "order"),
    (b'{"expr": "x", "order": 1e400}', "order"),
    (b'{"expr": "x", "order": 2.5}', "order"),
    (b'{"expr": "x", "order": 1001}', "order"),  # symdiff's MAX_ORDER
    (b'{"expr": "x", "order": true}', "order"),
    (b'{"expr": "x", "order": NaN}', "body"),  # not JSON
    (b'{"expr": "x", "lang": ["en"]}', "lang"),
    (b'{"expr": "x", "lang": {"a": 1}}', "lang"),
    (b'{"expr": "x", "lang": {}}', "lang"),
    (b'{"expr": "x", "lang": []}', "lang"),
    (b'{"expr": "x", "lang": 0}', "lang"),
    (b'{"expr": "x", "lang": false}', "lang"),
    (b'{"expr": "x", "lang": ""}', "lang"),
    (b'{"expr": "\\ud800"}', "expr"),  # a lone surrogate: not text UTF-8 can carry back
    (b'{"expr": "x", "wrt": "\\udfff"}', "wrt"),
    (b'{"expr": "y", "where": {"y": "\\ud800"}}', "where"),
    (b'{"expr": "y", "where": {"y": 1}}', "where"),
    (b'{"expr": "x", "assume": [["x"]]}', "assume"),
    (b'{"expr": "x", "assume": {"x": "1"}}', "assume"),
    (b'{"expr": "x", "wrt": 1}', "wrt"),
    (b'{"expr": "x", "oder": 2}', "oder"),  # a misspelt field is not silently ignored
], ids=lambda v: v[:40].decode("utf-8", "replace") if isinstance(v, bytes) else v)
@pytest.mark.parametrize("path", ["/api/diff", "/api/plot"])
def test_every_field_is_checked_at_the_edge(client, raw, field, path):
    r = client.post(path, content=raw, headers=JSON)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["field"] == field


@pytest.mark.parametrize("order", [0, 3, "3", 1000])
def test_orders_in_range_are_answered(client, order):
    data = post(client, {"expr": "x^3", "order": order}).json()
    assert data["plain"] == str(symdiff.diff("x^3", "x", int(order)))


def test_lang_null_means_english(client):
    assert post(client, {"expr": "x^x", "lang": None}).json()["lang"] == "en"


# -- /api/plot: every failure of the plotting path is a reason --------------------------------

@pytest.mark.parametrize("expr", ["sin(" * 30 + "x" + ")" * 30, "1e308*x", "x^(10^300)", "exp(exp(exp(x)))"])
def test_plot_answers_whatever_diff_accepts(client, expr):
    need("matplotlib", "plot")
    assert post(client, {"expr": expr}).status_code == 200
    r = post(client, {"expr": expr}, "/api/plot")
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["svg"] is None) == bool(data["reason"])
    if data["svg"] is not None:
        ET.fromstring(data["svg"].encode())


# -- workers ------------------------------------------------------------------------------------

def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_idle_workers_killed_then_the_request_is_answered(client):
    import os
    import signal

    pool = client.app.state.pool
    wait_for(lambda: pool.idle == pool.size)
    before = pool.pids()
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    r = post(client, {"expr": "x^3"})  # sent to a dead worker, or queued for a fresh one
    assert r.status_code == 200 and r.json()["plain"] == "3*x^2"
    wait_for(lambda: pool.alive == pool.size)
    assert not set(pool.pids()) & set(before)


# -- headers, host names, origin, JSON only ----------------------------------------------------

@pytest.mark.parametrize("method, path, body", [
    ("GET", "/", None), ("GET", "/static/app.js", None), ("GET", "/static/style.css", None),
    ("GET", "/nothing-here", None), ("GET", "/api/diff", None),
    ("POST", "/api/diff", {"expr": "x^2"}), ("POST", "/api/diff", {"expr": "x +* 2"}),
    ("POST", "/api/plot", {"expr": "x^2"}), ("POST", "/api/diff", "not json"),
])
def test_security_headers_on_every_response(client, method, path, body):
    content = None if body is None else json.dumps(body) if isinstance(body, dict) else body
    r = client.request(method, path, content=content, headers=JSON)
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert r.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("host, answered", [
    ("localhost", True), ("localhost:8000", True), ("127.0.0.1:8000", True), ("[::1]:8000", True),
    ("attacker.example", False), ("attacker.example:8000", False), ("127.0.0.1.nip.io", False), ("", False),
])
def test_only_the_served_host_names_answer(client, host, answered):
    for method, path, body in (("GET", "/", None), ("POST", "/api/diff", b'{"expr": "x"}')):
        r = client.request(method, path, content=body, headers={**JSON, "Host": host})
        assert (r.status_code != 421) == answered
        assert r.headers["x-content-type-options"] == "nosniff"


def test_the_host_serve_was_given_answers():
    from symdiff.web.app import HostNames

    assert HostNames(["example.lan"]).allows("example.lan:8000")
    assert not HostNames(["example.lan"]).allows("other.lan:8000")
    assert not HostNames(["192.168.1.5"]).allows("192.168.1.6")
    anywhere = HostNames(["0.0.0.0"])  # every address: any address as a number, no other name
    assert anywhere.allows("192.168.1.6:8000") and anywhere.allows("[fe80::1]:80")
    assert not anywhere.allows("rebound.attacker.example")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonx"])
def test_the_api_takes_json_only(client, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = client.post("/api/diff", content=b'{"expr": "x^2"}', headers=headers)
    assert r.status_code == 415 and "application/json" in r.json()["error"]
    ok = client.post("/api/diff", content=b'{"expr": "x^2"}',
                     headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert ok.status_code == 200


def test_other_origins_are_refused(client):
    r = client.post("/api/diff", content=b'{"expr": "x^2"}', headers={**JSON, "Origin": "http://attacker.example"})
    assert r.status_code == 403 and r.json()["field"] == "origin"
    same = client.post("/api/diff", content=b'{"expr": "x^2"}', headers={**JSON, "Origin": "http://localhost:8000"})
    assert same.status_code == 200


# -- the page's words ----------------------------------------------------------------------------

def test_several_variables_speak_of_the_page(client):
    data = post(client, {"expr": "x*y"}).json()
    assert data["field"] == "wrt" and "with respect to" in data["error"]
    assert "--" not in data["error"]


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_steps_too_long_for_the_page_show_the_derivative_alone(client):
    from symdiff.limits import MAX_OUTPUT

    expr = "sin(" * 950 + "x" + ")" * 950  # steps of at least 1.12 million characters
    r = post(client, {"expr": expr})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["plain"] == str(symdiff.diff(expr, "x"))
    assert data["steps_markdown"] is None
    assert "too many to show" in data["steps_html"] and f"{MAX_OUTPUT:,}" not in data["steps_html"]
    assert "--" not in data["steps_html"] and "max_length" not in data["steps_html"]
