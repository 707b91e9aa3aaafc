"""`.http` files in the JetBrains and VS Code REST Client dialects."""

from __future__ import annotations

from relaydesk.core.importers import plan_import

from .helpers import notes_of


def test_a_line_that_is_not_a_request_is_left_out_with_a_note() -> None:
    text = "GET https://a.example/ok\n\n###\n!INVALID! line\n\n###\nget https://a.example/y\n"
    plan = plan_import("http", text, "a.http")
    assert [r.url for r in plan.requests] == ["/ok"]
    assert "'!INVALID! line' is not a request line" in notes_of(plan)
    assert "'get https://a.example/y' is not a request line" in notes_of(plan)


def test_a_request_target_split_over_indented_lines_is_one_url() -> None:
    text = "GET https://a.example/search\n    ?q=cats\n    &page=2\nAccept: text/html\n"
    [req] = plan_import("http", text, "a.http").requests
    assert req.url == "/search?q=cats&page=2"
    assert [h.name for h in req.headers] == ["Accept"]


def test_a_path_with_a_host_header_names_its_origin() -> None:
    plan = plan_import("http", "GET /api/items HTTP/1.1\nHost: a.example:8080\n", "a.http")
    assert plan.connections[0].base_url == "http://a.example:8080"
    [req] = plan.requests
    assert req.url == "/api/items" and not req.headers


def test_a_line_that_is_not_a_header_is_a_note_not_a_refusal() -> None:
    plan = plan_import("http", "GET https://a.example/x\nAccept: */*\nnot a header\n",
                       "a.http")
    assert [h.name for h in plan.requests[0].headers] == ["Accept"]
    assert "'not a header'" in notes_of(plan)


def test_multipart_bodies_keep_their_file_parts() -> None:
    text = ("POST https://a.example/upload\n"
            "Content-Type: multipart/form-data; boundary=XX\n\n"
            "--XX\nContent-Disposition: form-data; name=\"title\"\n\nHoliday\n"
            "--XX\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\n"
            "Content-Type: image/png\n\n< ./a.png\n--XX--\n")
    [req] = plan_import("http", text, "a.http").requests
    assert req.body.kind == "multipart"
    parts = [(p.name, p.value, p.file, p.content_type) for p in req.body.multipart]
    assert parts == [("title", "Holiday", "", ""), ("photo", "", "./a.png", "image/png")]


def test_a_urlencoded_body_becomes_form_fields() -> None:
    text = ("POST https://a.example/login\nContent-Type: application/x-www-form-urlencoded"
            "\n\nuser=ann\n&lang=en\n")
    [req] = plan_import("http", text, "a.http").requests
    assert req.body.kind == "form"
    assert [(f.name, f.value) for f in req.body.form] == [("user", "ann"), ("lang", "en")]
