"""The Retrieve Capabilities transaction (PS3.18 §8.9, Annex H): OPTIONS on the service root and on every
resource answers Allow and a WADL document; the OpenAPI document at /openapi.json validates and covers every
route; docs/conformance-statement.md holds the table the server generates. Every route is checked against
what it really does: its method is routed (not 404 for the path, not 405), and OPTIONS agrees."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests

from conftest import LANTERN_BIN, REPO

WADL = "{http://wadl.dev.java.net/2009/02}"

# The PS3.18 resources Lantern serves (method, path below the service root), written out from the standard
# so the generated descriptions are checked against an independent list.
EXPECTED = {
    ("POST", "/studies"), ("POST", "/studies/{study}"),
    ("GET", "/studies"), ("GET", "/series"), ("GET", "/instances"), ("GET", "/studies/{study}/series"),
    ("GET", "/studies/{study}/instances"), ("GET", "/studies/{study}/series/{series}/instances"),
    ("GET", "/studies/{study}"), ("GET", "/studies/{study}/series/{series}"),
    ("GET", "/studies/{study}/series/{series}/instances/{instance}"),
    ("GET", "/studies/{study}/metadata"), ("GET", "/studies/{study}/series/{series}/metadata"),
    ("GET", "/studies/{study}/series/{series}/instances/{instance}/metadata"),
    ("GET", "/studies/{study}/series/{series}/instances/{instance}/frames/{frames}"),
    ("GET", "/studies/{study}/series/{series}/instances/{instance}/pixeldata"),
    ("GET", "/studies/{study}/series/{series}/instances/{instance}/bulkdata/{reference}"),
    # Rendered and thumbnail resources (PS3.18 §10.4.1.1.3 and §10.4.1.1.4, Table 10.4-1)
    *{("GET", f"{target}/{kind}") for kind in ("rendered", "thumbnail") for target in (
        "/studies/{study}", "/studies/{study}/series/{series}",
        "/studies/{study}/series/{series}/instances/{instance}",
        "/studies/{study}/series/{series}/instances/{instance}/frames/{frames}")},
    ("DELETE", "/studies/{study}"), ("DELETE", "/studies/{study}/series/{series}"),
    ("DELETE", "/studies/{study}/series/{series}/instances/{instance}"),
    # UPS-RS (PS3.18 §11, Table 11.1.1-1 and §11.13)
    ("POST", "/workitems"), ("GET", "/workitems"), ("GET", "/workitems/{workitem}"),
    ("POST", "/workitems/{workitem}"), ("PUT", "/workitems/{workitem}/state"),
    ("POST", "/workitems/{workitem}/cancelrequest"), ("POST", "/workitems/{workitem}/subscribers/{aetitle}"),
    ("DELETE", "/workitems/{workitem}/subscribers/{aetitle}"),
    ("POST", "/workitems/{workitem}/subscribers/{aetitle}/suspend"), ("GET", "/subscribers/{aetitle}"),
}
# The Non-Patient Instance Service (PS3.18 §12, Table 12.3-1): Store, Search and Retrieve per category.
NPI = ["color-palettes", "defined-procedure-protocols", "hanging-protocols", "implant-templates", "inventories"]
for name in NPI:
    EXPECTED |= {("POST", f"/{name}"), ("GET", f"/{name}"), ("POST", f"/{name}/{{uid}}"), ("GET", f"/{name}/{{uid}}")}
SAMPLE = {"study": "1.2.3", "series": "1.2.3.4", "instance": "1.2.3.4.5", "frames": "1", "reference": "x",
          "workitem": "1.2.3.9", "aetitle": "SOMEAE", "uid": "1.2.3.8"}


def concrete(path: str) -> str:
    for name, value in SAMPLE.items():
        path = path.replace("{" + name + "}", value)
    return path


@pytest.fixture(scope="module")
def openapi(server):
    r = requests.get(server.origin + "/openapi.json", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    return r.json()


def test_openapi_document_validates_and_covers_every_route(openapi, server):
    from openapi_spec_validator import validate
    validate(openapi)
    assert openapi["servers"] == [{"url": server.url}]
    routes = {(m.upper(), p) for p, ops in openapi["paths"].items() if p != "/wado" for m in ops}
    assert routes == EXPECTED
    # WADO-URI sits beside the service root: its own server, the origin.
    wado = openapi["paths"]["/wado"]
    assert wado["servers"] == [{"url": server.origin}]
    assert {p["name"] for p in wado["get"]["parameters"] if p["required"]} == {
        "requestType", "studyUID", "seriesUID", "objectUID"}
    ids = [op["operationId"] for ops in openapi["paths"].values() for k, op in ops.items() if k != "servers"]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", sorted({p for _, p in EXPECTED}))
def test_options_on_every_resource_answers_allow_and_wadl(path, openapi, server):
    r = requests.options(server.url + concrete(path), timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/vnd.sun.wadl+xml")
    methods = {m.upper() for m in openapi["paths"][path]}
    assert set(r.headers["Allow"].split(", ")) == methods | {"OPTIONS"}
    root = ElementTree.fromstring(r.content)
    assert root.tag == WADL + "application"
    resources = root.findall(WADL + "resources")
    assert len(resources) == 1 and resources[0].get("base") == server.url + "/"
    target = resources[0].findall(WADL + "resource")
    assert len(target) == 1 and target[0].get("path") == path.lstrip("/")
    own = {(m.get("name"), m.get("id")) for m in target[0].findall(WADL + "method")}
    assert own == {(m.upper(), op["operationId"]) for m, op in openapi["paths"][path].items()}
    # Child resources are described too (Annex H): every longer path below this one appears.
    described = set()

    def walk(element, prefix):
        for child in element.findall(WADL + "resource"):
            full = prefix + "/" + child.get("path")
            described.add(full)
            walk(child, full)
    walk(resources[0], "")
    below = {p for _, p in EXPECTED if p.startswith(path + "/")}
    assert below <= described


def test_options_on_the_service_root_describes_the_whole_service(server, openapi):
    r = requests.options(server.url, timeout=30, headers={"Accept": "application/vnd.sun.wadl+xml"})
    assert r.status_code == 200 and r.headers["Allow"] == "OPTIONS"
    root = ElementTree.fromstring(r.content)
    ids = {m.get("id") for m in root.iter(WADL + "method")}
    assert ids == {op["operationId"] for p, ops in openapi["paths"].items() if p != "/wado" for op in ops.values()}
    top = {e.get("path") for e in root.find(WADL + "resources").findall(WADL + "resource")}
    assert top == {"studies", "series", "instances", "workitems", "subscribers", *NPI}


def test_every_described_route_is_routed(openapi, server):
    """The router serves exactly the described methods: each answers (not 404-for-route, not 405), and a
    method the description does not list at a path is not served there."""
    unrouted = requests.get(server.url + "/no-such-resource", timeout=30)
    # WADO-URI, beside the service root: routed at the origin (400 names the missing parameters).
    assert requests.get(server.origin + "/wado", timeout=30).status_code == 400
    for path, ops in openapi["paths"].items():
        if path == "/wado":
            continue
        url = server.url + concrete(path)
        for method in ops:
            r = requests.request(method.upper(), url, timeout=30, data=b"" if method == "post" else None,
                                 headers={"Content-Type": "multipart/related; type=\"application/dicom\"; boundary=x"}
                                 if method == "post" else {})
            assert r.status_code != 405, (method, path)
            if r.status_code == 404:
                assert r.text != unrouted.text, f"{method.upper()} {path} is described but not routed"
        if "put" not in ops:
            assert requests.put(url, timeout=30).status_code in (404, 405)


def test_capabilities_negotiation_and_cors(server):
    assert requests.options(server.url + "/studies", headers={"Accept": "application/json"},
                            timeout=30).status_code == 406
    xml = requests.options(server.url + "/studies", headers={"Accept": "application/xml"}, timeout=30)
    assert xml.status_code == 200 and xml.headers["Content-Type"].startswith("application/xml")
    browser = requests.options(server.url + "/studies", headers={"Origin": "https://viewer.example"}, timeout=30)
    assert browser.status_code == 200 and browser.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(server.url + "/studies", timeout=30, headers={
        "Origin": "https://viewer.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert requests.options(server.url + "/nothing-here", timeout=30).status_code == 404


def test_conformance_statement_holds_the_generated_table():
    generated = subprocess.run([str(LANTERN_BIN), "capabilities", "--format", "markdown"], capture_output=True,
                               text=True, check=True).stdout
    statement = (REPO / "docs" / "conformance-statement.md").read_text()
    assert generated.strip() in statement, "regenerate with: lantern capabilities --format markdown"


def test_the_command_prints_the_same_documents_as_the_server(server):
    wadl = subprocess.run([str(LANTERN_BIN), "capabilities", "--base", server.url], capture_output=True,
                          text=True, check=True).stdout
    assert wadl == requests.options(server.url, timeout=30).text
    spec = subprocess.run([str(LANTERN_BIN), "capabilities", "--format", "openapi", "--base", server.url],
                          capture_output=True, text=True, check=True).stdout
    assert json.loads(spec) == requests.get(server.origin + "/openapi.json", timeout=30).json()
