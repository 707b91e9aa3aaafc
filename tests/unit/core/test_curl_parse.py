"""parse_curl: real-world commands, curl's data rules, quoting, and clear errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaydesk.core.curl import CurlImport, parse_curl
from relaydesk.core.curl_lex import split_command
from relaydesk.core.errors import CurlParseError
from relaydesk.core.model import KeyValue, MultipartField


def headers(imp: CurlImport) -> list[tuple[str, str]]:
    return [(h.name, h.value) for h in imp.request.headers]


def header(imp: CurlImport, name: str) -> str | None:
    return next((h.value for h in imp.request.headers if h.name.lower() == name.lower()), None)


# -- the shell layer ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "words"), [
    ("curl a b", ["curl", "a", "b"]),
    ("curl 'a b' \"c d\"", ["curl", "a b", "c d"]),
    ("curl 'it'\\''s'", ["curl", "it's"]),
    ('curl "say \\"hi\\" \\$HOME $HOME `x` $(y)"', ["curl", 'say "hi" $HOME $HOME `x` $(y)']),
    ("curl $'a\\nb\\t\\x41\\u00e9\\'\\\\'", ["curl", "a\nb\tA\u00e9'\\"]),
    ("curl $'\\xc3\\xa9\\101\\cA'", ["curl", "\u00e9A\x01"]),
    ("curl \\\n  -s \\\r\n  x", ["curl", "-s", "x"]),
    ("curl ^\n -s ^\r\n x", ["curl", "-s", "x"]),
    ("curl a\\ b", ["curl", "a b"]),
    ("curl x # a comment\n", ["curl", "x"]),
    ("curl x > out.json 2>&1", ["curl", "x"]),
    ("curl x 2>/dev/null", ["curl", "x"]),
    ("curl 'http://h/?a=1'&b", ["curl", "http://h/?a=1&b"]),
    ("curl http://h/?a=1&b=2", ["curl", "http://h/?a=1&b=2"]),
])
def test_split_command_words(text: str, words: list[str]) -> None:
    assert split_command(text)[0] == words


def test_split_command_stops_at_pipe_and_newline() -> None:
    assert split_command("curl x | jq .") == (["curl", "x"], "|", " jq .")
    assert split_command("curl x\ncurl y")[:2] == (["curl", "x"], "\n")
    assert split_command("curl x &")[:2] == (["curl", "x"], "&")


# -- real-world commands ------------------------------------------------------------------

CHROME = r"""curl 'https://api.example.com/graphql?op=Search' \
  -H 'accept: */*' \
  -H 'accept-language: en-GB,en;q=0.9' \
  -H 'content-type: application/json' \
  -b 'sid=abc123; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'sec-ch-ua: "Chromium";v="124", "Not-A.Brand";v="99"' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64)' \
  --data-raw $'{"query":"{ search(q: \\"caf\u00e9\\") { id } }","vars":{}}' \
  --compressed"""

FIREFOX = """curl 'https://shop.example.com/cart' -X POST -H 'User-Agent: Mozilla/5.0' \
-H 'Accept: text/html' -H 'Accept-Encoding: gzip, deflate, br' \
-H 'Content-Type: application/x-www-form-urlencoded' -H 'Connection: keep-alive' \
-H 'Cookie: session=xyz; cart=3' -H 'TE: trailers' --data-raw 'item=42&qty=1'"""


def test_chrome_copy_as_curl() -> None:
    imp = parse_curl(CHROME)
    req = imp.request
    assert req.method == "POST"
    assert req.url == "https://api.example.com/graphql"
    assert req.params == [KeyValue("op", "Search")]
    assert req.cookies == [KeyValue("sid", "abc123"), KeyValue("theme", "dark")]
    assert header(imp, "sec-ch-ua") == '"Chromium";v="124", "Not-A.Brand";v="99"'
    assert header(imp, "user-agent") == "Mozilla/5.0 (X11; Linux x86_64)"
    assert req.body.kind == "json"
    assert req.body.text == '{"query":"{ search(q: \\"caf\u00e9\\") { id } }","vars":{}}'
    assert not imp.follow_redirects and req.options.follow_redirects is False
    assert imp.secrets == {}


def test_firefox_copy_drops_hop_by_hop_headers() -> None:
    imp = parse_curl(FIREFOX)
    names = [n.lower() for n, _ in headers(imp)]
    assert "connection" not in names and "te" not in names
    assert any("Connection" in note for note in imp.notes)
    assert imp.request.cookies == [KeyValue("session", "xyz"), KeyValue("cart", "3")]
    assert imp.request.body.kind == "raw"
    assert imp.request.body.text == "item=42&qty=1"
    assert imp.request.body.content_type == "application/x-www-form-urlencoded"


def test_api_doc_example_with_basic_auth() -> None:
    imp = parse_curl("""$ curl -u "ops:s3cr:et" https://jira.example.com/rest/api/3/issue \\
        -H "Content-Type: application/json" \\
        -d '{"fields": {"summary": "Hello"}}'""")
    req = imp.request
    assert req.auth is not None and req.auth.kind == "basic"
    assert req.auth.params == {"username": "ops"}
    assert imp.secrets == {"password": "s3cr:et"}
    assert "s3cr" not in repr(req)  # the password never sits in the request
    assert req.method == "POST" and req.body.kind == "json"


def test_digest_and_bearer_and_url_credentials() -> None:
    imp = parse_curl("curl --digest -u me:pw http://h/x")
    assert imp.request.auth is not None and imp.request.auth.kind == "digest"
    imp = parse_curl("curl --oauth2-bearer tok http://h/x")
    assert imp.request.auth is not None and imp.request.auth.kind == "bearer"
    assert imp.secrets == {"token": "tok"}
    imp = parse_curl("curl http://me%40corp:p%3Aw@h/x")
    assert imp.request.url == "http://h/x"
    assert imp.request.auth is not None and imp.request.auth.params == {"username": "me@corp"}
    assert imp.secrets == {"password": "p:w"}


def test_data_pieces_join_with_ampersand_and_set_form_type() -> None:
    imp = parse_curl("curl -d a=1 --data b=2 --data-ascii c=3 --data-raw '@d' http://h/x")
    req = imp.request
    assert req.method == "POST"
    assert req.body.kind == "raw" and req.body.text == "a=1&b=2&c=3&@d"
    assert header(imp, "Content-Type") == "application/x-www-form-urlencoded"


def test_json_option() -> None:
    imp = parse_curl("""curl --json '{"a":1}' http://h/x""")
    assert imp.request.body.kind == "json" and imp.request.body.text == '{"a":1}'
    assert header(imp, "content-type") == "application/json"
    assert header(imp, "accept") == "application/json"
    # curl glues --json pieces with nothing between them: not JSON any more, so raw
    imp = parse_curl("""curl --json '{"a":1}' --json '{"b":2}' http://h/x""")
    assert imp.request.body.kind == "raw" and imp.request.body.text == '{"a":1}{"b":2}'
    imp = parse_curl("""curl --json '[1]' -H 'Accept: text/csv' http://h/x""")
    assert [v for n, v in headers(imp) if n.lower() == "accept"] == ["text/csv"]


def test_json_text_without_json_type_stays_raw() -> None:
    imp = parse_curl("""curl -d '{"a":1}' http://h/x""")
    assert imp.request.body.kind == "raw"  # curl sends it as a form, so do we
    assert imp.request.body.content_type == "application/x-www-form-urlencoded"


@pytest.mark.parametrize(("arg", "body"), [
    ("hello world", "hello+world"),
    ("=a&b c", "a%26b+c"),
    ("name=a b/c~é", "name=a+b%2Fc~%C3%A9"),
    ("a@b=c d", "a@b=c+d"),
])
def test_data_urlencode_forms(arg: str, body: str) -> None:
    imp = parse_curl(f"curl --data-urlencode '{arg}' http://h/x")
    assert imp.request.body.text == body


def test_data_urlencode_from_file(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text("x y&z\n")
    imp = parse_curl("curl --data-urlencode @q.txt --data-urlencode n@q.txt http://h/",
                     cwd=tmp_path)
    assert imp.request.body.text == "x+y%26z%0A&n=x+y%26z%0A"


def test_data_from_file_strips_newlines_binary_keeps_them(tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_bytes(b"a=1\r\n&b=2\n")
    imp = parse_curl("curl -d @body.txt http://h/x", cwd=tmp_path)
    assert imp.request.body.kind == "raw" and imp.request.body.text == "a=1&b=2"
    imp = parse_curl("curl --data-binary @body.txt http://h/x", cwd=tmp_path)
    assert imp.request.body.kind == "binary"
    assert imp.request.body.file == str(tmp_path / "body.txt")
    assert imp.request.body.content_type == "application/x-www-form-urlencoded"
    imp = parse_curl("curl --data-binary @body.txt -d c=3 http://h/x", cwd=tmp_path)
    assert imp.request.body.kind == "raw" and imp.request.body.text == "a=1\r\n&b=2\n&c=3"


def test_get_moves_data_into_query() -> None:
    imp = parse_curl("curl -G 'http://h/s?x=0#frag' -d a=1 --data-urlencode 'q=caf é'")
    req = imp.request
    assert req.method == "GET" and req.body.kind == "none"
    # curl encodes a space as '+', which the engine would re-encode: the query is kept
    assert req.url == "http://h/s?x=0&a=1&q=caf+%C3%A9" and req.params == []
    imp = parse_curl("curl -G http://h/s -d a=1 -d a=2 -d b=x%20y")
    assert imp.request.url == "http://h/s"
    assert imp.request.params == [KeyValue("a", "1"), KeyValue("a", "2"), KeyValue("b", "x y")]


def test_repeated_query_keys_keep_order() -> None:
    imp = parse_curl("curl 'http://h/x?tag=b&tag=a&tag=b&n=1'")
    assert [(p.name, p.value) for p in imp.request.params] == [
        ("tag", "b"), ("tag", "a"), ("tag", "b"), ("n", "1")]


def test_multipart(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    (tmp_path / "note.txt").write_text("from a file")
    imp = parse_curl(
        "curl -F name=Ada -F 'doc=@report.pdf' -F 'raw=@\"report.pdf\";type=application/x-foo' "
        "-F 'note=<note.txt' -F 'kind=x;type=text/x' --form-string 'lit=@not-a-file' http://h/u",
        cwd=tmp_path)
    req = imp.request
    assert req.method == "POST" and req.body.kind == "multipart"
    pdf = str(tmp_path / "report.pdf")
    assert req.body.multipart == [
        MultipartField("name", "Ada"),
        MultipartField("doc", file=pdf, content_type="application/pdf"),
        MultipartField("raw", file=pdf, content_type="application/x-foo"),
        MultipartField("note", "from a file"),
        MultipartField("kind", "x", content_type="text/x"),
        MultipartField("lit", "@not-a-file"),
    ]


def test_cookies_exactness() -> None:
    assert parse_curl("curl -b 'a=1; b=2' http://h").request.cookies == [
        KeyValue("a", "1"), KeyValue("b", "2")]
    # curl joins several -b with ';' and no space; keep those bytes as a header
    imp = parse_curl("curl -b a=1 -b b=2 http://h")
    assert imp.request.cookies == [] and header(imp, "Cookie") == "a=1;b=2"
    # a -H Cookie wins over -b, as with curl
    imp = parse_curl("curl -b a=1 -H 'Cookie: z=9' http://h")
    assert imp.request.cookies == [KeyValue("z", "9")]


def test_flags_and_glued_forms() -> None:
    imp = parse_curl("curl -sSLk -XPUT -HX-One:1 --header=X-Two:2 -A 'ua/1' -e 'http://r;auto' "
                     "-m 2.5 --connect-timeout 3 -o out.json -i -v --globoff -f "
                     "--url http://h/x")
    req = imp.request
    assert req.method == "PUT" and req.url == "http://h/x"
    assert imp.insecure and imp.follow_redirects and req.options.follow_redirects
    assert req.options.timeout == 2.5 and req.options.raise_for_status
    assert headers(imp) == [("User-Agent", "ua/1"), ("Referer", "http://r"),
                            ("X-One", "1"), ("X-Two", "2")]


def test_head_methods_and_header_forms() -> None:
    assert parse_curl("curl -I http://h").request.method == "HEAD"
    assert parse_curl("curl -X delete http://h").request.method == "DELETE"
    assert parse_curl("curl -X PATCH -d x http://h").request.method == "PATCH"
    imp = parse_curl("curl -H 'X-Empty;' -H 'Accept:' -H 'X-Sp:   v  ' http://h")
    assert headers(imp) == [("X-Empty", ""), ("X-Sp", "v")]
    assert any("cannot reproduce exactly: -H 'accept:'" in n for n in imp.notes)


def test_a_custom_user_agent_header_beats_minus_a() -> None:
    imp = parse_curl("curl -A one -H 'User-Agent: two' http://h")
    assert [v for n, v in headers(imp) if n.lower() == "user-agent"] == ["two"]


def test_upload_file(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(b"\x00\x01")
    imp = parse_curl("curl -T f.bin http://h/dir/", cwd=tmp_path)
    assert imp.request.method == "PUT" and imp.request.url == "http://h/dir/f.bin"
    assert imp.request.body.kind == "binary"


def test_bare_host_and_unquoted_ampersand_url() -> None:
    imp = parse_curl("curl example.com/a?x=1&y=2")
    assert imp.request.url == "http://example.com/a"
    assert imp.request.params == [KeyValue("x", "1"), KeyValue("y", "2")]


def test_pipe_and_prompt_and_assignments_are_ignored() -> None:
    assert parse_curl("$ curl http://h/x | jq .").request.url == "http://h/x"
    assert parse_curl("LANG=C /usr/bin/curl http://h/x 2>&1").request.url == "http://h/x"
    assert parse_curl("curl.exe http://h/x").request.url == "http://h/x"


def test_tls_and_proxy_settings_are_handed_back() -> None:
    imp = parse_curl("curl --cacert ca.pem --cert c.pem --key k.pem -x http://p:3128 https://h")
    assert (imp.ca_bundle, imp.client_cert, imp.client_key, imp.proxy) == (
        "ca.pem", "c.pem", "k.pem", "http://p:3128")


# -- the differences issue 13 names (each checked against curl 7.88 on the wire) ---------

def test_range_with_only_a_start_is_completed_as_curl_does() -> None:
    assert header(parse_curl("curl --range 600 http://h"), "Range") == "bytes=600-"
    assert header(parse_curl("curl -r 0-99 http://h"), "Range") == "bytes=0-99"
    assert header(parse_curl("curl -r -500 http://h"), "Range") == "bytes=-500"


def test_method_case_is_kept_and_the_client_difference_noted() -> None:
    imp = parse_curl("curl -X wHat http://h")
    assert imp.request.method == "wHat"
    assert any("cannot reproduce exactly: curl sends the method 'wHat'" in n
               for n in imp.notes)
    assert not parse_curl("curl -X PURGE http://h").notes


def test_shell_variables_are_sent_literally_with_a_note() -> None:
    imp = parse_curl('curl -H "Authorization: Bearer $API_KEY" -d "u=${USER_ID}" http://h')
    assert header(imp, "Authorization") == "Bearer $API_KEY"
    said = " ".join(imp.notes)
    assert "$API_KEY is a shell variable" in said and "$USER_ID is a shell variable" in said
    # single quotes: the shell would not expand it either, so nothing to say
    assert not parse_curl("curl -d 'price=$5' http://h").notes


def test_home_in_a_file_name_is_expanded_like_the_shell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "a.txt").write_text("x=1")
    imp = parse_curl('curl -d @"$HOME/a.txt" http://h', cwd="/")
    assert imp.request.body.text == "x=1" and not imp.notes


def test_bare_question_mark_is_kept() -> None:
    assert parse_curl("curl 'http://h/c?'").request.url == "http://h/c?"
    assert parse_curl("curl 'http://h/c?#top'").request.url == "http://h/c?"


def test_url_query(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text("x\n")
    imp = parse_curl("curl --url-query 'a=b c' --url-query '+x=%20' "
                     "--url-query n@q.txt 'http://h/e?'", cwd=tmp_path)
    assert imp.request.url == "http://h/e?a=b+c&x=%20&n=x%0a"


def test_unambiguous_long_option_abbreviations() -> None:
    imp = parse_curl("curl --sil --user-ag X/1 --data-urlen 'a=b c' http://h")
    assert header(imp, "User-Agent") == "X/1" and imp.request.body.text == "a=b+c"
    with pytest.raises(CurlParseError, match="--reques is ambiguous"):
        parse_curl("curl --reques PUT http://h")  # --request or --request-target
    assert parse_curl("curl --no-progress-m http://h").request.url == "http://h"


def test_user_without_password_one_off_refused_or_asked() -> None:
    with pytest.raises(CurlParseError, match="curl would prompt for the password; give -u "
                       "user:password or set it with relaydesk secret set"):
        parse_curl("curl -u ada http://h", one_off=True)
    asked: list[str] = []
    imp = parse_curl("curl -u ada http://h", one_off=True,
                     ask_password=lambda user: asked.append(user) or "pw")
    assert asked == ["ada"] and imp.secrets == {"password": "pw"}
    saved = parse_curl("curl -u ada http://h")  # an import: the note says where it goes
    assert saved.secrets == {} and any("password secret" in n for n in saved.notes)


def test_host_header_kept_only_for_one_off_sends() -> None:
    assert header(parse_curl("curl -H 'Host: v.test' http://h", one_off=True), "Host") == "v.test"
    imp = parse_curl("curl -H 'Host: v.test' http://h")
    assert header(imp, "Host") is None and any("Host was dropped" in n for n in imp.notes)


def test_cookie_file_sends_the_cookies_for_that_host(tmp_path: Path) -> None:
    (tmp_path / "jar.txt").write_text(
        "# Netscape HTTP Cookie File\n"
        "h\tFALSE\t/\tFALSE\t0\tsid\tabc\n"
        "#HttpOnly_.h\tTRUE\t/api\tFALSE\t0\tdeep\t1\n"
        "h\tFALSE\t/\tTRUE\t0\tsecure_only\tno\n"
        "other\tFALSE\t/\tFALSE\t0\tforeign\tno\n"
        "h\tFALSE\t/\tFALSE\t1\texpired\tno\n"
        "# a comment\n")
    imp = parse_curl("curl -b jar.txt -b 'x=2' http://h/api/v1", cwd=tmp_path)
    assert [(c.name, c.value) for c in imp.request.cookies] == [
        ("deep", "1"), ("sid", "abc"), ("x", "2")]
    junk = parse_curl("curl -j -b jar.txt http://h/api", cwd=tmp_path)
    assert junk.request.cookies == [] and header(junk, "Cookie") is None
    assert parse_curl("curl -b missing.txt http://h", cwd=tmp_path).request.cookies == []


def test_upload_with_data_is_refused_like_curl_and_data_file_stops_at_nul(
        tmp_path: Path) -> None:
    (tmp_path / "nul.bin").write_bytes(b"ab\r\nc\x00rest")
    assert parse_curl("curl -d @nul.bin http://h", cwd=tmp_path).request.body.text == "abc"


def test_process_substitution_and_empty_referer() -> None:
    imp = parse_curl("curl -s -D >(grep -i x-id >&2) -o >(jq -r '.a' > out.png) "
                     "--referer ';auto' -L http://h/x")
    assert imp.request.url == "http://h/x" and header(imp, "Referer") is None


# -- errors -------------------------------------------------------------------------------

@pytest.mark.parametrize(("command", "message"), [
    ("", "holds no command"),
    ("wget http://h", "must start with 'curl'"),
    ("curl 'http://h", "Unbalanced quote: the ' opened at character 6"),
    ('curl "http://h', 'Unbalanced quote: the " opened'),
    ("curl $'abc", "Unbalanced quote: the $' opened"),
    ("curl --frobnicate http://h", "Unsupported curl option --frobnicate"),
    ("curl -W http://h", "Unsupported curl option -W"),
    ("curl --ntlm http://h", "--ntlm is not supported: it uses NTLM"),
    ("curl -K conf http://h", "-K is not supported: it reads more options"),
    ("curl -H", "-H needs a value"),
    ("curl --data", "--data needs a value"),
    ("curl", "has no URL"),
    ("curl http://a http://b", "2 URLs"),
    ("curl ftp://h/file", "uses ftp://"),
    ("curl -d @missing.txt http://h", "does not exist"),
    ("curl -d @- http://h", "standard input"),
    ("curl --compr http://h", "--compr is ambiguous (--compressed, --compressed-ssh)"),
    ("curl -T f.txt -d x http://h", "-T (a PUT of a file) and -d (a POST of data) cannot"),
    ("curl 'http://h/{a,b}'", "URL globbing"),
    ("curl 'http://h/img[1-5].png'", "URL globbing"),
    ("curl --url @urls.txt", "reads URLs from a file"),
    ("curl -H 'NoColon' http://h", "needs the shape 'Name: value'"),
    ("curl -H 'Bad Name: x' http://h", "not a valid header name"),
    ("curl -I -d x http://h", "-I (HEAD) cannot be combined"),
    ("curl -F a=b -d x http://h", "-F cannot be combined"),
    ("curl -X 'GE T' http://h", "is not an HTTP method"),
    ("curl -m abc http://h", "--max-time needs a positive number"),
    ("curl http://h\ncurl http://i", "more than one curl command"),
    ("curl --silent=yes http://h", "does not take a value"),
    ("curl -d $'\\xff' http://h", "not UTF-8"),
    ("curl http://h:99999/", "malformed"),
])
def test_errors_are_one_clear_sentence(command: str, message: str) -> None:
    with pytest.raises(CurlParseError) as info:
        parse_curl(command)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_shell_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    imp = parse_curl(f"curl -H \"X-A: $(touch {marker})\" -d \"`touch {marker}`\" http://h")
    assert not marker.exists()
    assert header(imp, "X-A") == f"$(touch {marker})"
    assert imp.request.body.text == f"`touch {marker}`"


# -- fuzz ---------------------------------------------------------------------------------

_pieces = st.sampled_from([
    "curl ", "-X", "-H", "-d", "-F", "-G", "-u", "-b", "--json", "--data-urlencode", "@",
    "'", '"', "$'", "\\", "\\\n", "http://h/x", "?a=1&b", "=", ";", ":", "|", "&", ">",
    "#", " ", "\n", "-sSL", "--url", "{{v}}", "%", "é", "\x00", "\\x", "\\u12",
])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_arbitrary_text_only_raises_curl_parse_error(text: str) -> None:
    with contextlib.suppress(CurlParseError):
        parse_curl(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(_pieces, max_size=14).map("".join))
def test_fuzz_curl_like_text_only_raises_curl_parse_error(text: str) -> None:
    with contextlib.suppress(CurlParseError):
        parse_curl("curl " + text)
