"""Go snippet: ``net/http`` from the standard library, secrets from ``os.Getenv``."""

from __future__ import annotations

from .spec import EnvRef, SnippetSpec, Text

__all__ = ["go_str", "render_go"]

_ESC = {0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}


def go_str(data: str | bytes) -> str:
    """An interpreted Go string literal holding exactly these bytes."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    out: list[str] = []
    i = 0
    while i < len(raw):
        b = raw[i]
        if b in _ESC:
            out.append(_ESC[b])
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        elif b >= 0x80:
            # keep valid UTF-8 sequences readable, escape stray bytes
            for size in (4, 3, 2):
                try:
                    ch = raw[i:i + size].decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1 and ch.isprintable():
                    out.append(ch)
                    i += size
                    break
            else:
                out.append(f"\\x{b:02x}")
                i += 1
            continue
        else:
            out.append(f"\\x{b:02x}")
        i += 1
    return '"' + "".join(out) + '"'


def _expr(text: Text) -> str:
    pieces = [f"os.Getenv({go_str(p.name)})" if isinstance(p, EnvRef) else go_str(p)
              for p in text if p != ""]
    return " + ".join(pieces) or '""'


def render_go(spec: SnippetSpec) -> str:
    imports = {"fmt", "io", "net/http"}
    body: list[str] = []
    if spec.env:
        imports.add("os")
    url = go_str(spec.url)
    if spec.url_secrets:
        imports.add("net/url")
        pieces = [go_str(spec.url_with_separator())]
        for i, (name, ref) in enumerate(spec.url_secrets):
            pieces.append(go_str(("&" if i else "") + name + "="))
            pieces.append(f"url.QueryEscape(os.Getenv({go_str(ref.name)}))")
        url = " + ".join(pieces)
    reader = "nil"
    if spec.files is not None:
        imports |= {"bytes", "mime/multipart", "net/textproto"}
        body += ["\tvar payload bytes.Buffer", "\tform := multipart.NewWriter(&payload)"]
        for part in spec.files:
            disp = f'form-data; name="{part.name}"'
            if part.filename is not None:
                disp += f'; filename="{part.filename}"'
            body += ["\t{", "\t\theader := make(textproto.MIMEHeader)",
                     f"\t\theader.Set(\"Content-Disposition\", {go_str(disp)})"]
            if part.content_type:
                body.append(f"\t\theader.Set(\"Content-Type\", {go_str(part.content_type)})")
            body.append("\t\tw, err := form.CreatePart(header)")
            body.append("\t\tif err != nil {\n\t\t\tpanic(err)\n\t\t}")
            if part.filename is None:
                body.append(f"\t\tw.Write([]byte({go_str(part.data)}))")
            else:
                imports.add("os")
                body.append(f"\t\tdata, err := os.ReadFile({go_str(part.source)})")
                body.append("\t\tif err != nil {\n\t\t\tpanic(err)\n\t\t}")
                body.append("\t\tw.Write(data)")
            body.append("\t}")
        body.append("\tform.Close()")
        reader = "&payload"
    elif spec.content is not None:
        imports.add("strings")
        reader = f"strings.NewReader({go_str(spec.content)})"
    body.append(f"\treq, err := http.NewRequest({go_str(spec.method)}, {url}, {reader})")
    body.append("\tif err != nil {\n\t\tpanic(err)\n\t}")
    for name, value in spec.headers:
        if spec.files is not None and name.lower() == "content-type":
            continue
        body.append(f"\treq.Header.Add({go_str(name)}, {_expr(value)})")
    if spec.files is not None:
        body.append('\treq.Header.Set("Content-Type", form.FormDataContentType())')
    if spec.basic is not None:
        body.append(f"\treq.SetBasicAuth({go_str(spec.basic[0])}, {_expr(spec.basic[1])})")
    if spec.digest is not None:
        body.append("\t// Digest authentication is not in the standard library.")
    client = "&http.Client{}"
    if not spec.follow_redirects:
        client = ("&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error "
                  "{\n\t\treturn http.ErrUseLastResponse\n\t}}")
    body += [f"\tclient := {client}", "\tresp, err := client.Do(req)",
             "\tif err != nil {\n\t\tpanic(err)\n\t}", "\tdefer resp.Body.Close()",
             "\tout, err := io.ReadAll(resp.Body)",
             "\tif err != nil {\n\t\tpanic(err)\n\t}", "\tfmt.Println(string(out))"]
    imports_text = "".join(f'\t"{name}"\n' for name in sorted(imports))
    return f"package main\n\nimport (\n{imports_text})\n\nfunc main() {{\n" + "\n".join(
        body) + "\n}\n"
