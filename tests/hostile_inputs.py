"""Files built to hurt an importer (issue 18), shared by the tests and
``benchmarks/hostile_cases/files.py``: each is small on disk and huge once expanded."""

from __future__ import annotations

from pathlib import Path

__all__ = ["alias_bomb_insomnia", "alias_bomb_openapi", "ref_fanout_openapi", "sparse_file"]


def alias_bomb_openapi(levels: int = 6, fan: int = 10, width: int = 1000) -> str:
    """A string aliased ``fan``× per level over ``levels`` levels, used as the
    ``example`` of one operation (``fan**levels`` copies: a 1 GB body by default)
    beside an ordinary operation that must still come through."""
    lines = ["openapi: 3.0.0", "info: {title: Bomb, version: '1'}",
             f"x-s0: &s0 {'x' * width}"]
    for level in range(1, levels + 1):
        lines.append(f"x-s{level}: &s{level} [" + ", ".join([f"*s{level - 1}"] * fan) + "]")
    lines += [
        "paths:",
        "  /bomb:",
        "    post:",
        "      summary: Bomb",
        "      requestBody:",
        "        content:",
        "          application/json:",
        f"            example: *s{levels}",
        "  /fine:",
        "    post:",
        "      summary: Fine",
        "      requestBody:",
        "        content:",
        "          application/json:",
        "            example: {name: ok}",
    ]
    return "\n".join(lines) + "\n"


def ref_fanout_openapi(levels: int = 10, fan: int = 16) -> str:
    """Schemas whose ``fan`` properties each ``$ref`` the next (exponential in the
    fan-out once an example is generated), used by one operation's body; another
    operation has a small schema."""
    lines = ["openapi: 3.0.0", "info: {title: Fanout, version: '1'}", "paths:",
             "  /fan:", "    post:", "      summary: Fan", "      requestBody:",
             "        content:", "          application/json:",
             "            schema: {$ref: '#/components/schemas/S0'}",
             "  /fine:", "    post:", "      summary: Fine", "      requestBody:",
             "        content:", "          application/json:",
             "            schema: {type: object, properties: {name: {type: string}}}",
             "components:", "  schemas:"]
    for level in range(levels):
        target = f"{{$ref: '#/components/schemas/S{level + 1}'}}" if level + 1 < levels \
            else "{type: string}"
        lines.append(f"    S{level}:")
        lines.append("      type: object")
        lines.append("      properties:")
        lines += [f"        p{n}: {target}" for n in range(fan)]
    return "\n".join(lines) + "\n"


def sparse_file(path: Path, size: int, head: bytes = b"") -> Path:
    """A file that says it is ``size`` bytes long and takes no disk space."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def alias_bomb_insomnia(requests: int = 2000, width: int = 200_000) -> str:
    """An Insomnia export in YAML whose ``requests`` bodies all alias one ``width``
    character string: small on disk, ``requests × width`` once written (quadratic)."""
    lines = ["_type: export", "__export_format: 4", f"x-body: &body {'b' * width}",
             "resources:", "  - {_id: wrk, _type: workspace, name: W}"]
    lines += [f"  - {{_id: r{n}, _type: request, parentId: wrk, name: R{n}, method: POST, "
              f"url: 'https://a.example/{n}', body: {{mimeType: text/plain, text: *body}}}}"
              for n in range(requests)]
    return "\n".join(lines) + "\n"
