"""Fetch every page of a paginated API.

Styles: a next link in the body (``links.next``, ``_links.next.href``, ``next``…,
relative or absolute), an RFC 8288 ``Link: <…>; rel="next"`` header, offset/limit
(``offset``/``size``, ``startAt``/``maxResults``…) and page/per_page with a total
when given, and cursor tokens (``next_cursor``, ``nextPageToken``, ``cursor.next``…).
``Paginator`` is the pure part: fed one page, it says what to request next. The
async driver sends pages through ``Engine.exchange`` so auth (with the OAuth retry),
TLS and redirect rules apply and the engine's observer records each page;
``relaydesk.paginate_client`` drives the same logic with a plain ``httpx.Client``.

A relative next link is read against the connection's base URL when the page's own
path lies under the base path and the link's path does not (the ops API's
``"/v1/integrations/…/actions?offset=3"`` under ``…/jsm/ops/api/{cloudId}``),
otherwise against the page's URL; each ``Page`` says which reading was used.

A next link to another origin, a malformed next link and a next link (or cursor)
seen before all stop with a ``PaginationError`` that says which page and why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .errors import RelaydeskError, ValidationError
from .model import Environment, KeyValue, Request
from .templating import Unresolved
from .urls import same_origin

if TYPE_CHECKING:
    from .engine import Engine
    from .model import Connection

__all__ = [
    "PAGINATION_STYLES",
    "NextPage",
    "Page",
    "PaginationError",
    "PaginationResult",
    "PaginationSettings",
    "Paginator",
    "fetch_all",
    "iter_pages",
    "parse_link_header",
    "resolve_next_link",
]

# How a next link was read (shown in the page log).
READ_ABSOLUTE = "absolute"
READ_BASE = "base URL"
READ_PAGE = "page URL"

PAGINATION_STYLES = ("auto", "body_link", "link_header", "offset", "page", "cursor", "none")
_ITEM_KEYS = ("items", "values", "data", "results", "records", "entries", "issues", "elements")
_BODY_LINKS = ("links.next", "_links.next.href", "_links.next", "links.next.href", "next",
               "paging.next", "pagination.next", "meta.next", "nextLink", "@odata.nextLink",
               "next_url", "nextUrl")
# Cursor location in the body -> the query parameter that sends it back.
_CURSORS = (("next_cursor", "cursor"), ("nextCursor", "cursor"), ("cursor.next", "cursor"),
            ("meta.next_cursor", "cursor"), ("response_metadata.next_cursor", "cursor"),
            ("pagination.next_cursor", "cursor"), ("nextPageToken", "pageToken"),
            ("next_page_token", "page_token"))
_OFFSETS = (("offset", "limit"), ("offset", "size"), ("startAt", "maxResults"),
            ("start", "limit"), ("skip", "take"))
_PAGES = (("page", "per_page"), ("page", "page_size"), ("page", "pageSize"), ("page", "size"))
_TOTALS = ("total", "total_count", "totalCount", "count", "totalResults")
_TOTAL_PAGES = ("total_pages", "totalPages", "pages", "last_page")


class PaginationError(RelaydeskError):
    def __init__(self, message: str, pages: int = 0) -> None:
        super().__init__(message)
        self.pages = pages


@dataclass
class PaginationSettings:
    style: str = "auto"
    items_path: str = ""  # dotted path or JSONPath to the list of items; "" = auto
    next_path: str = ""  # where the next link / cursor is in the body; "" = auto
    cursor_param: str = ""  # the query parameter the cursor goes back in
    offset_param: str = ""
    limit_param: str = ""
    page_param: str = ""
    per_page_param: str = ""
    page_size: int | None = None  # sent as limit/per_page when set
    max_pages: int = 100


@dataclass
class NextPage:
    url: str | None = None  # an absolute URL (link styles), sent as is
    params: dict[str, str] = field(default_factory=dict)  # or: set these query params
    reading: str = ""  # for a relative link: READ_BASE or READ_PAGE


@dataclass
class Page:
    number: int  # 1-based
    url: str  # with credentials redacted
    items: list[Any]
    style: str = ""  # the style in force (as detected)
    reading: str = ""  # how the link to this page was read ("" when not a relative link)
    unresolved: list[Unresolved] = field(default_factory=list)  # {{names}} sent as written

    def describe(self) -> str:
        """The page-log line: ``page 2: 3 items (URL; next link read against …)``."""
        how = f"; next link read against the {self.reading}" if self.reading else ""
        return f"page {self.number}: {len(self.items)} items ({self.url}{how})"


@dataclass
class PaginationResult:
    items: list[Any]
    pages: int
    style: str


def parse_link_header(values: list[str]) -> dict[str, str]:
    """``rel`` -> URL from ``Link`` header values (RFC 8288; httpx's parser)."""
    links: dict[str, str] = {}
    for value in values:
        for link in httpx.Response(200, headers={"link": value}).links.values():
            for rel in link.get("rel", "").split():
                links.setdefault(rel.lower(), link.get("url", ""))
    return links


def _under(path: str, base_path: str) -> bool:
    return path == base_path or path.startswith(base_path + "/")


def resolve_next_link(current: str, link: str, base_url: str = "") -> tuple[str, str]:
    """The absolute URL of ``link`` met on the page ``current`` and how it was read.

    A host-relative link (``/v1/…``) is read against ``base_url`` when the current
    page lies under the base path and the link does not: such APIs write links
    relative to their base. Everything else follows RFC 3986 against ``current``.
    """
    link = link.strip()
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        return urljoin(current, link), READ_ABSOLUTE
    if base_url and link.startswith("/"):
        base = urlsplit(base_url)
        base_path = base.path.rstrip("/")
        if (base_path and same_origin(current, base_url)
                and _under(urlsplit(current).path, base_path)
                and not _under(parts.path, base_path)):
            return urlunsplit((base.scheme, base.netloc, base_path + parts.path, parts.query,
                               parts.fragment)), READ_BASE
    return urljoin(current, link), READ_PAGE


def _get(doc: Any, path: str) -> Any:
    if path.startswith("$"):
        from .checks import _compile

        found = [m.value for m in _compile(path).find(doc)]
        return found[0] if found else None
    for part in path.split("."):
        if isinstance(doc, Mapping) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class Paginator:
    """Decides, page by page, what to request next (no I/O)."""

    def __init__(self, settings: PaginationSettings, first_url: str,
                 base_url: str = "") -> None:
        if settings.style not in PAGINATION_STYLES:
            raise ValidationError(f"Unknown pagination style '{settings.style}'; choose one "
                                  f"of {', '.join(PAGINATION_STYLES)}.")
        self.settings = settings
        self.style = settings.style
        self.first_url = first_url
        self.base_url = base_url  # relative next links may be relative to it
        self.pages = 0
        self._seen: set[str] = set()  # URLs fetched and cursors used
        self._links: set[str] = set()  # next links handed out
        self._fetched = 0  # items so far (offset style)

    def items(self, body: Any) -> list[Any]:
        path = self.settings.items_path
        if path:
            found = _get(body, path)
            if not isinstance(found, list):
                raise PaginationError(f"Page {self.pages}: '{path}' is not a list of items "
                                      "in the response.", self.pages)
            return found
        if isinstance(body, list):
            return body
        if not isinstance(body, Mapping):
            return []
        lists = [k for k, v in body.items() if isinstance(v, list)]
        if len(lists) == 1:
            return list(body[lists[0]])
        known = [k for k in _ITEM_KEYS if k in lists]
        if known:
            return list(body[known[0]])
        if not lists:
            return []
        raise PaginationError(
            f"The response has several lists ({', '.join(lists)}); say which holds the "
            "items (items path).", self.pages)

    def read_page(self, url: str, shown: str, status: int, reason: str,
                  problem: str | None, headers: list[tuple[str, str]],
                  load_json: Callable[[], Any]) -> tuple[list[Any], NextPage | None]:
        """Check one answered page (``shown`` is its redacted URL, used in messages),
        then ``feed`` it: the items and the next page."""
        number = self.pages + 1
        if status >= 400:
            raise PaginationError(f"Page {number} ({shown}) answered {status} {reason}"
                                  + (f": {problem}" if problem else "."), self.pages)
        try:
            body = load_json()
        except ValueError:
            raise PaginationError(f"Page {number} ({shown}) is not JSON, so its items "
                                  "cannot be merged.", self.pages) from None
        items = self.items(body)
        return items, self.feed(url, headers, body, items)

    def feed(self, url: str, headers: list[tuple[str, str]], body: Any,
             items: list[Any]) -> NextPage | None:
        """Take one page; return the next page to fetch, or ``None`` when done."""
        self.pages += 1
        self._fetched += len(items)
        self._seen.add(url)
        if self.pages >= self.settings.max_pages:
            return None
        style = self.style
        if style == "auto":
            style = self._detect(headers, body)
            if style == "none":
                return None
            self.style = style
        if style == "link_header":
            links = parse_link_header([v for k, v in headers if k.lower() == "link"])
            return self._link(url, links.get("next"))
        if style == "body_link":
            path = self.settings.next_path or next(
                (p for p in _BODY_LINKS if isinstance(_get(body, p), str)), "")
            return self._link(url, _get(body, path) if path else None)
        if style == "cursor":
            return self._cursor(body)
        if style == "offset":
            return self._offset(body, items)
        if style == "page":
            return self._page(url, body, items)
        return None

    # -- detection ---------------------------------------------------------------------

    def _detect(self, headers: list[tuple[str, str]], body: Any) -> str:
        if "next" in parse_link_header([v for k, v in headers if k.lower() == "link"]):
            return "link_header"
        if not isinstance(body, Mapping):
            return "none"
        s = self.settings
        if s.next_path:
            return "body_link" if not s.cursor_param else "cursor"
        if any(isinstance(_get(body, p), str) for p in _BODY_LINKS):
            return "body_link"
        for where, param in _CURSORS:
            if _get(body, where) not in (None, ""):
                self.settings = replace(s, next_path=where, cursor_param=s.cursor_param or param)
                return "cursor"
        for off, lim in _OFFSETS:
            if _int(_get(body, off)) is not None and _int(_get(body, lim)) is not None:
                self.settings = replace(s, offset_param=s.offset_param or off,
                                        limit_param=s.limit_param or lim)
                return "offset"
        for page, per in _PAGES:
            if _int(_get(body, page)) is not None and (
                    _int(_get(body, per)) is not None
                    or any(_int(_get(body, t)) is not None for t in _TOTAL_PAGES)):
                self.settings = replace(s, page_param=s.page_param or page,
                                        per_page_param=s.per_page_param or per)
                return "page"
        return "none"

    # -- styles ------------------------------------------------------------------------

    def _link(self, current: str, link: Any) -> NextPage | None:
        if link is None or link == "":
            return None
        where = f"The next-page link on page {self.pages}"
        if not isinstance(link, str):
            raise PaginationError(f"{where} is not text: {str(link)[:80]}.", self.pages)
        try:
            target, reading = resolve_next_link(current, link, self.base_url)
            parsed = httpx.URL(target)
            if parsed.scheme not in ("http", "https") or not parsed.host:
                raise ValueError("not an http(s) URL")
            urlsplit(target).port  # noqa: B018 - raises on a malformed port
        except (ValueError, httpx.InvalidURL) as exc:
            raise PaginationError(f"{where} is malformed ('{link[:200]}': {exc}); "
                                  "stopped.", self.pages) from None
        if not same_origin(target, self.first_url):
            raise PaginationError(
                f"{where} points to another server ({target[:200]}); stopped so that the "
                "connection's credentials are not sent there.", self.pages)
        if target in self._seen or target in self._links:
            raise PaginationError(
                f"{where} repeats a page already fetched ({target[:200]}); stopped to "
                "avoid a loop.", self.pages)
        self._links.add(target)
        return NextPage(url=target, reading="" if reading == READ_ABSOLUTE else reading)

    def _cursor(self, body: Any) -> NextPage | None:
        s = self.settings
        token = _get(body, s.next_path or "next_cursor")
        has_more = _get(body, "has_more")
        if token in (None, "") or has_more is False:
            return None
        key = f"cursor:{token}"
        if key in self._seen:
            raise PaginationError(f"The cursor on page {self.pages} repeats one already used "
                                  f"('{str(token)[:80]}'); stopped to avoid a loop.", self.pages)
        self._seen.add(key)
        return NextPage(params={s.cursor_param or "cursor": str(token)})

    def _total(self, body: Any) -> int | None:
        return next((t for t in (_int(_get(body, k)) for k in _TOTALS) if t is not None), None)

    def _offset(self, body: Any, items: list[Any]) -> NextPage | None:
        s = self.settings
        offset = _int(_get(body, s.offset_param or "offset"))
        limit = _int(_get(body, s.limit_param or "limit")) or s.page_size or len(items)
        total = self._total(body)
        if not items or (offset is None and not self._fetched):
            return None
        nxt = (offset if offset is not None else self._fetched - len(items)) + len(items)
        if (total is not None and nxt >= total) or (total is None and len(items) < limit):
            return None
        return NextPage(params={s.offset_param or "offset": str(nxt),
                                s.limit_param or "limit": str(limit)})

    def _page(self, url: str, body: Any, items: list[Any]) -> NextPage | None:
        s = self.settings
        page = _int(_get(body, s.page_param or "page"))
        per = _int(_get(body, s.per_page_param or "per_page")) or s.page_size
        if not items or page is None:
            return None
        total_pages = next((t for t in (_int(_get(body, k)) for k in _TOTAL_PAGES)
                            if t is not None), None)
        total = self._total(body)
        if total_pages is None and total is not None and per:
            total_pages = -(-total // per)
        if (total_pages is not None and page >= total_pages) or (
                total_pages is None and per is not None and len(items) < per):
            return None
        params = {s.page_param or "page": str(page + 1)}
        if per:
            params[s.per_page_param or "per_page"] = str(per)
        return NextPage(params=params)


def _with_params(request: Request, params: Mapping[str, str]) -> Request:
    kept = [kv for kv in request.params if kv.name not in params]
    return replace(request, params=[*kept, *(KeyValue(k, v) for k, v in params.items())])


async def iter_pages(
    engine: Engine,
    request: Request,
    connection: Connection | None,
    *,
    environment: Environment | None = None,
    variables: Mapping[str, str] | None = None,
    settings: PaginationSettings | None = None,
    strict: bool = False,
) -> AsyncIterator[Page]:
    """Pages in order, each sent with ``Engine`` (auth and redirect rules apply);
    ``strict`` refuses undefined ``{{names}}`` as ``Engine.send`` does."""
    from .redact import Redactor
    from .urls import remove_query_params

    settings = settings or PaginationSettings()
    # Pages are never served from the cache; a 4xx/5xx becomes a PaginationError below.
    request = replace(request, options=replace(request.options, bypass_cache=True))
    current = request
    paginator = Paginator(settings, request.url)  # bad settings fail before any send
    reading = ""
    while True:
        # exchange(), not send(): the prepared request gives the real URL to resolve
        # next links against, its redacted form and the API-key params to strip.
        prepared, response = await engine.exchange(current, connection,
                                                   environment=environment,
                                                   variables=variables, strict=strict)
        try:
            if paginator.pages == 0:
                paginator.first_url = prepared.url  # the origin next links must keep
                paginator.base_url = prepared.base_url
            shown = Redactor.for_request(prepared).url(prepared.url)
            number = paginator.pages + 1
            items, nxt = paginator.read_page(prepared.url, shown, response.status,
                                             response.reason, response.problem,
                                             response.headers, response.json)
        finally:
            response.discard()
        yield Page(number, shown, items, paginator.style, reading, prepared.unresolved)
        reading = nxt.reading if nxt is not None else ""
        if nxt is None:
            return
        if nxt.url is not None:
            # The engine adds API-key params itself; a copy echoed in the link would double.
            url = remove_query_params(nxt.url, prepared.sensitive_params)
            current = replace(request, url=url, params=[])
        else:
            current = _with_params(request, nxt.params)


async def fetch_all(
    engine: Engine,
    request: Request,
    connection: Connection | None,
    *,
    environment: Environment | None = None,
    variables: Mapping[str, str] | None = None,
    settings: PaginationSettings | None = None,
    on_page: Callable[[Page], None] | None = None,
    strict: bool = False,
) -> PaginationResult:
    """Every page's items merged into one list."""
    items: list[Any] = []
    pages = 0
    style = (settings or PaginationSettings()).style
    async for page in iter_pages(engine, request, connection, environment=environment,
                                 variables=variables, settings=settings, strict=strict):
        items.extend(page.items)
        pages, style = page.number, page.style
        if on_page is not None:
            on_page(page)
    return PaginationResult(items, pages, style)
