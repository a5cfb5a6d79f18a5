"""The web page's shapes field (issue 24): POST /api/diff with `shapes`
through Starlette's TestClient: the matrix-form result, its steps in
differentials, and refusals that name the field."""

from __future__ import annotations

import json

import pytest

from support.extras import need

need("starlette", "web")
need("httpx2", "test")
need("numpy", "numpy")

from starlette.testclient import TestClient  # noqa: E402

import symdiff  # noqa: E402
from symdiff.web import create_app  # noqa: E402

BASE = "http://localhost"
JSON = {"Content-Type": "application/json"}
LSQ = {"expr": "norm(X*w - y)^2", "wrt": "w", "shapes": "X:n,d w:d y:n"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(time_limit=30, workers=1), base_url=BASE) as c:
        yield c


def post(client, body, path="/api/diff"):
    return client.post(path, content=json.dumps(body), headers=JSON)


def test_matrix_form_with_steps(client):
    r = post(client, LSQ)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["plain"] == "2*X^T*(X*w - y)"
    assert data["latex"] == symdiff.latex(symdiff.diff("norm(X*w - y)^2", "w",
                                                       shapes={"X": ("n", "d"), "w": ("d",), "y": ("n",)}))
    assert "<math" in data["mathml"]
    assert data["shapes"] == {"X": ["n", "d"], "w": ["d"], "y": ["n"]}
    assert "Product rule of differentials" in data["steps_markdown"]
    assert 'data-rule="d_identify"' in data["steps_html"] and 'class="shapes"' in data["steps_html"]
    assert data["wrt"] == "w" and data["order"] == 1


def test_japanese_steps_and_a_jacobian_without_steps(client):
    ja = post(client, {**LSQ, "lang": "ja"}).json()
    assert "積の微分（全微分）" in ja["steps_markdown"]
    jac = post(client, {"expr": "softmax(z)", "wrt": "z", "shapes": "z:k"})
    assert jac.status_code == 200, jac.text
    assert jac.json()["plain"] == "diag(softmax(z)) - softmax(z)*softmax(z)^T"
    assert jac.json()["steps_markdown"] is None and "not yet" in jac.json()["steps_html"]


@pytest.mark.parametrize("body, field, column", [
    ({**LSQ, "shapes": "X:n,d w:d, y:n"}, "shapes", 11),
    ({**LSQ, "shapes": "X:n,d w:m y:n"}, "expr", 7),
])
def test_errors_name_the_field_with_a_position(client, body, field, column):
    r = post(client, body)
    assert r.status_code == 400
    data = r.json()
    assert (data["field"], data["line"], data["column"]) == (field, 1, column), data


def test_bad_shapes_type_and_no_plot(client):
    r = post(client, {**LSQ, "shapes": 3})
    assert r.status_code == 400 and r.json()["field"] == "shapes"
    plot = post(client, LSQ, "/api/plot")
    assert plot.status_code == 200 and plot.json()["svg"] is None
