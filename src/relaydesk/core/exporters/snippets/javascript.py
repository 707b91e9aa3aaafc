"""JavaScript snippets: ``fetch`` (browsers and Node ≥ 18) and Node's ``node:http(s)``.

Secrets are read from ``process.env`` (Node; a bundler's define in a browser build).
The fetch snippet uses top-level ``await`` (an ES module, e.g. ``snippet.mjs``).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

from .spec import EnvRef, SnippetSpec, Text, is_text

__all__ = ["js_str", "render_fetch", "render_node"]


def js_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def _expr(text: Text) -> str:
    pieces = [f"process.env[{js_str(p.name)}]" if isinstance(p, EnvRef) else js_str(p)
              for p in text if p != ""]
    return " + ".join(pieces) or '""'


def _url_expr(spec: SnippetSpec) -> str:
    if not spec.url_secrets:
        return js_str(spec.url)
    pieces = [js_str(spec.url_with_separator())]
    for i, (name, ref) in enumerate(spec.url_secrets):
        pieces.append(js_str(("&" if i else "") + name + "="))
        pieces.append(f"encodeURIComponent(process.env[{js_str(ref.name)}])")
    return " + ".join(pieces)


def _bytes_expr(data: bytes, node: bool) -> str:
    if is_text(data):
        text = js_str(data.decode("utf-8"))
        return f"Buffer.from({text}, \"utf8\")" if node else text
    b64 = base64.b64encode(data).decode("ascii")
    if node:
        return f'Buffer.from("{b64}", "base64")'
    return f'Uint8Array.from(atob("{b64}"), (c) => c.charCodeAt(0))'


def _header_rows(spec: SnippetSpec, node: bool) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name, value in spec.headers:
        if spec.files is not None and name.lower() == "content-type" and not node:
            continue  # fetch writes the multipart type with its boundary
        rows.append((name, _expr(value)))
    if spec.basic is not None:
        creds = _expr((spec.basic[0] + ":", *spec.basic[1]))
        rows.append(("Authorization",
                     f"\"Basic \" + Buffer.from({creds}).toString(\"base64\")" if node
                     else f"\"Basic \" + btoa({creds})"))
    return rows


def _headers_obj(rows: list[tuple[str, str]], indent: str) -> str:
    grouped: dict[str, list[str]] = {}
    order: list[str] = []
    for name, value in rows:
        key = name.lower()
        if key not in grouped:
            order.append(name)
            grouped[key] = []
        grouped[key].append(value)
    lines = []
    for name in order:
        values = grouped[name.lower()]
        shown = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
        lines.append(f"{indent}  {js_str(name)}: {shown},")
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _digest_note(spec: SnippetSpec) -> str:
    return ("// Digest authentication is not built in: use a library such as "
            "'digest-fetch'.\n" if spec.digest is not None else "")


def render_fetch(spec: SnippetSpec) -> str:
    pre: list[str] = []
    opts = [f"method: {js_str(spec.method)}"]
    rows = _header_rows(spec, node=False)
    if spec.files is not None:
        if any(p.filename is not None for p in spec.files):
            pre.append('import { openAsBlob } from "node:fs"; '
                       "// in a browser, take the file from an <input type=file>")
        pre.append("const form = new FormData();")
        for part in spec.files:
            if part.filename is None:
                value = js_str(part.data.decode("utf-8", "surrogateescape"))
                pre.append(f"form.append({js_str(part.name)}, {value});")
            else:
                ctype = js_str(part.content_type or "application/octet-stream")
                pre.append(f"form.append({js_str(part.name)}, await openAsBlob("
                           f"{js_str(part.source)}, {{ type: {ctype} }}), "
                           f"{js_str(part.filename)});")
    if rows:
        opts.append("headers: " + _headers_obj(rows, "  "))
    if spec.files is not None:
        opts.append("body: form")
    elif spec.content is not None:
        opts.append(f"body: {_bytes_expr(spec.content, node=False)}")
    opts.append(f"redirect: {js_str('follow' if spec.follow_redirects else 'manual')}")
    head = "\n".join(pre) + ("\n\n" if pre else "")
    call = (f"const response = await fetch({_url_expr(spec)}, {{\n"
            + "".join(f"  {o},\n" for o in opts) + "});\n")
    return _digest_note(spec) + head + call + "console.log(await response.text());\n"


def _multipart_node(spec: SnippetSpec) -> list[str]:
    lines = ['const boundary = "relaydesk-" + require("node:crypto").randomUUID();',
             "const body = Buffer.concat(["]
    for part in spec.files or []:
        disp = f'form-data; name="{_mp_quote(part.name)}"'
        if part.filename is not None:
            disp += f'; filename="{_mp_quote(part.filename)}"'
        head = f"Content-Disposition: {disp}\r\n"
        if part.content_type:
            head += f"Content-Type: {part.content_type}\r\n"
        head_expr = js_str(head + "\r\n")
        lines.append(f"  Buffer.from(`--${{boundary}}\\r\\n` + {head_expr}),")
        if part.filename is None:
            lines.append(f"  {_bytes_expr(part.data, node=True)},")
        else:
            lines.append(f"  require(\"node:fs\").readFileSync({js_str(part.source)}),")
        lines.append('  Buffer.from("\\r\\n"),')
    lines.append("  Buffer.from(`--${boundary}--\\r\\n`),")
    lines.append("]);")
    return lines


def _mp_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace(
        "\n", "%0A")


def render_node(spec: SnippetSpec) -> str:
    module = "node:https" if spec.url.lower().startswith("https:") else "node:http"
    lines = [f'const http = require("{module}");', ""]
    rows = [(n, v) for n, v in _header_rows(spec, node=True)
            if not (spec.files is not None and n.lower() == "content-type")]
    has_body = spec.content is not None or spec.files is not None
    if spec.files is not None:
        lines += _multipart_node(spec)
        rows.append(("Content-Type", '"multipart/form-data; boundary=" + boundary'))
    elif spec.content is not None:
        lines.append(f"const body = {_bytes_expr(spec.content, node=True)};")
    if has_body:
        rows.append(("Content-Length", "body.length"))
    # host, port and path apart: a URL string would be re-encoded by the WHATWG parser
    # (which turns ' into %27 in a query), the path option goes out as written.
    parts = urlsplit(spec.url)
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    path_expr = js_str(path)
    if spec.url_secrets:
        path_expr = _url_expr(spec)[len(js_str(spec.url_with_separator())):]
        path_expr = js_str(path + ("&" if "?" in path else "?")) + path_expr
    opts = [f"hostname: {js_str(parts.hostname or '')}"]
    if parts.port:
        opts.append(f"port: {parts.port}")
    opts += [f"path: {path_expr}", f"method: {js_str(spec.method)}"]
    if rows:
        opts.append("headers: " + _headers_obj(rows, "  "))
    lines.append("const options = {\n" + "".join(f"  {o},\n" for o in opts) + "};")
    if spec.follow_redirects:
        lines.append("// node:http does not follow redirects; check response.headers.location.")
    lines.append(
        "const request = http.request(options, (response) => {\n"
        "  const chunks = [];\n"
        "  response.on(\"data\", (chunk) => chunks.push(chunk));\n"
        "  response.on(\"end\", () => console.log(Buffer.concat(chunks).toString()));\n"
        "});\n"
        "request.on(\"error\", (error) => {\n"
        "  console.error(error.message);\n"
        "  process.exitCode = 1;\n"
        "});\n"
        + ("request.end(body);" if has_body else "request.end();"))
    return _digest_note(spec) + "\n".join(lines) + "\n"
