"""Shell snippets: ``curl`` and HTTPie's ``http``.

Every word is quoted for a POSIX shell with the curl exporter's ``shell_quote``; a word
holding a secret reference becomes ``"…${JIRA_CLOUD_TOKEN}…"`` so the shell expands it
at run time. Bodies with NUL bytes are piped in with ``printf``.
"""

from __future__ import annotations

from ...curl_export import _form_value, _printf_pipe, shell_quote
from .spec import EnvRef, SnippetSpec, Text, is_text

__all__ = ["render_curl", "render_httpie", "shell_word"]

_DQ_UNSAFE = set('"$`\\!')


def shell_word(text: Text) -> str:
    """One shell word for ``text``; references expand as ``${NAME}``."""
    if all(isinstance(p, str) for p in text):
        return shell_quote("".join(p for p in text if isinstance(p, str)))
    literals = [p for p in text if isinstance(p, str)]
    if all(shell_quote(p) == p or (not (set(p) & _DQ_UNSAFE) and p.isprintable())
           for p in literals):
        inner = "".join(f"${{{p.name}}}" if isinstance(p, EnvRef) else p for p in text)
        return f'"{inner}"'
    return "".join(f'"${{{p.name}}}"' if isinstance(p, EnvRef) else shell_quote(p)
                   for p in text if p != "")


def _join(prefix: str, words: list[str], multiline: bool) -> str:
    sep = " \\\n  " if multiline else " "
    return prefix + sep.join(words)


def render_curl(spec: SnippetSpec, *, multiline: bool = True) -> str:
    words: list[str] = []
    method = spec.method
    has_body = spec.content is not None or spec.files is not None
    if method == "HEAD":
        words.append("--head")
    elif not (has_body and method == "POST") and (method != "GET" or spec.content is not None):
        words.append(f"-X {shell_quote(method)}")
    if set(spec.url) & set("[]{}"):
        words.append("--globoff")  # brackets and braces are URL globs to curl
    words.append(shell_quote(spec.url))
    for name, ref in spec.url_secrets:
        # --url-query percent-encodes the value, as the engine does.
        words.append(f"--url-query {shell_word((name + '=', ref))}")
    has_type = False
    for name, value in spec.headers:
        if name.lower() == "content-type":
            has_type = True
            if spec.files is not None:
                continue  # curl writes its own boundary
        words.append("-H " + shell_word((f"{name};",) if value in (("",), ())
                                        else (f"{name}: ", *value)))
    if spec.basic is not None:
        words.append("-u " + shell_word((spec.basic[0] + ":", *spec.basic[1])))
    if spec.digest is not None:
        words.append("--digest -u " + shell_word((spec.digest[0] + ":", *spec.digest[1])))
    if spec.aws_sigv4 is not None:  # curl signs it (7.75+), as the engine does
        aws = spec.aws_sigv4
        words.append(f"--aws-sigv4 {shell_quote(f'aws:amz:{aws.region}:{aws.service}')}")
        words.append("-u " + shell_word((aws.access_key_id + ":", *aws.secret)))
        if aws.session_token is not None:
            words.append("-H " + shell_word(("x-amz-security-token: ", *aws.session_token)))
    prefix = ""
    if spec.content is not None and spec.files is None:
        if not has_type:
            words.append("-H 'Content-Type:'")  # stop curl adding a form type
        if b"\x00" in spec.content:
            prefix = _printf_pipe(spec.content) + " "
            words.append("--data-binary @-")
        else:
            # --data-raw never reads a file, even when the body starts with '@'.
            flag = "--data-raw" if spec.content.startswith(b"@") else "--data-binary"
            words.append(f"{flag} {shell_quote(spec.content)}")
    for part in spec.files or []:
        if part.filename is None:
            form = _form_value(part.data.decode("utf-8", "surrogateescape"))
        else:
            form = "@" + _form_value(part.source)  # curl sends its base name
        if part.content_type:
            form += f";type={part.content_type}"
        words.append(f"-F {shell_quote(f'{part.name}={form}')}")
    if spec.follow_redirects:
        words.append("-L")
    return _join(prefix + "curl ", words, multiline)


_HTTPIE_SPECIAL = set(":;=@")


def _hi_escape(text: str) -> str:
    return "".join("\\" + c if c in _HTTPIE_SPECIAL else c for c in text)


def _hi_value(text: Text) -> Text:
    # A value starting with '=' or '@' would turn ':' into ':=' / ':@' (JSON, file embed).
    first = text[0] if text else ""
    if isinstance(first, str) and first[:1] in ("=", "@"):
        return ("\\" + first, *text[1:])
    return text


def render_httpie(spec: SnippetSpec, *, multiline: bool = True) -> str:
    prefix = ""
    options: list[str] = []
    items: list[str] = []
    binary = spec.content is not None and spec.files is None and not is_text(spec.content)
    if binary and spec.content is not None:
        prefix = _printf_pipe(spec.content) + " "
    else:
        options.append("--ignore-stdin")
    if spec.follow_redirects:
        options.append("--follow")
    if spec.files is not None:
        options.append("--multipart")
    if spec.basic is not None:
        options.append("-a " + shell_word((spec.basic[0] + ":", *spec.basic[1])))
    if spec.digest is not None:
        options.append("-A digest -a " + shell_word((spec.digest[0] + ":", *spec.digest[1])))
    for name, ref in spec.url_secrets:
        items.append(shell_word((_hi_escape(name) + "==", ref)))
    has_type = False
    for name, value in spec.headers:
        if name.lower() == "content-type":
            has_type = True
            if spec.files is not None:
                continue
        if value in (("",), ()):
            items.append(shell_quote(_hi_escape(name) + ";"))
        else:
            items.append(shell_word((_hi_escape(name) + ":", *_hi_value(value))))
    if spec.content is not None and spec.files is None:
        if not has_type:
            items.append(shell_quote("Content-Type:"))  # HTTPie would add a JSON type
        if not binary:
            options.append("--raw " + shell_quote(spec.content))
    for part in spec.files or []:
        if part.filename is None:
            field_value = part.data.decode("utf-8", "surrogateescape")
            if field_value[:1] in ("=", "@"):
                field_value = "\\" + field_value
            items.append(shell_quote(f"{_hi_escape(part.name)}={field_value}"))
        else:
            ctype = f";type={part.content_type}" if part.content_type else ""
            items.append(shell_quote(f"{_hi_escape(part.name)}@{part.source}{ctype}"))
    words = [*options, shell_quote(spec.method), shell_quote(spec.url), *items]
    return _join(prefix + "http ", words, multiline)
