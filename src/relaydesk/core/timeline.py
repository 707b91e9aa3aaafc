"""A timeline per response: the request as it went on the wire (final headers, secrets
masked as history masks them), each redirect hop, and where the time went.

The engine's trace hook (httpx's ``trace`` request extension) hands every connection
event to a ``TraceLog``; ``build_timeline`` splits them per hop and turns them into
phases: DNS, connect, TLS, request sent, waiting (time to first byte) and download.
httpcore resolves the host inside its connect step, so DNS time is only known apart
when the URL names an IP address (then there was no lookup: zero).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the app's response view loads this module: keep it light
    from .prepare import PreparedRequest

__all__ = ["Hop", "Phases", "Timeline", "TraceLog", "build_timeline", "exchange_timeline",
           "phase_rows",
           "timeline_text"]


class TraceLog:
    """Every trace event with its time, in order (one per request, all hops)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.events: list[tuple[str, float]] = []

    def add(self, name: str) -> None:
        self.events.append((name, time.perf_counter()))


@dataclass
class Phases:
    """Seconds per phase of one hop; ``None``: did not happen (a reused connection
    has no connect) or not measurable apart (DNS inside connect)."""

    dns: float | None = None
    connect: float | None = None
    tls: float | None = None
    send: float | None = None
    wait: float | None = None  # request sent → response headers (time to first byte)
    download: float | None = None
    total: float = 0.0
    reused: bool = False  # an open connection from the pool carried it


@dataclass
class Hop:
    """One request/answer of the chain; every hop but the last was a redirect."""

    method: str
    url: str  # secrets masked
    status: int
    location: str = ""  # where the redirect pointed (masked)
    phases: Phases = field(default_factory=Phases)


@dataclass
class Timeline:
    method: str
    url: str  # the last hop's URL, masked
    headers: list[tuple[str, str]]  # the last hop's request headers as sent, masked
    hops: list[Hop]
    started_at: float = 0.0  # epoch seconds
    total: float = 0.0

    @property
    def redirects(self) -> list[Hop]:
        return self.hops[:-1]

    @property
    def phases(self) -> Phases:
        return self.hops[-1].phases if self.hops else Phases(total=self.total)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        hops = [Hop(**{**h, "phases": Phases(**h.get("phases", {}))})
                for h in data.get("hops", [])]
        return cls(method=str(data.get("method", "")), url=str(data.get("url", "")),
                   headers=[(str(k), str(v)) for k, v in data.get("headers", [])],
                   hops=hops, started_at=float(data.get("started_at", 0.0)),
                   total=float(data.get("total", 0.0)))


def _span(marks: dict[str, float], start: str, end: str) -> float | None:
    a, b = marks.get(start), marks.get(end)
    return b - a if a is not None and b is not None else None


def _first(marks: dict[str, float], *names: str) -> float | None:
    return next((marks[n] for n in names if n in marks), None)


def _phases(events: list[tuple[str, float]], started: float, ended: float,
            url: str) -> Phases:
    marks: dict[str, float] = {}
    for name, at in events:
        marks.setdefault(name.replace("http2.", "http11."), at)
    connect = _span(marks, "connection.connect_tcp.started", "connection.connect_tcp.complete")
    sent_from = _first(marks, "http11.send_request_headers.started")
    sent = _first(marks, "http11.send_request_body.complete",
                  "http11.send_request_headers.complete")
    headers_in = marks.get("http11.receive_response_headers.complete")
    body_from = marks.get("http11.receive_response_body.started")
    body_to = _first(marks, "http11.response_closed.complete",
                     "http11.receive_response_body.complete")
    import ipaddress

    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
        dns: float | None = 0.0 if connect is not None else None
    except ValueError:
        dns = None
    return Phases(
        dns=dns, connect=connect,
        tls=_span(marks, "connection.start_tls.started", "connection.start_tls.complete"),
        send=(sent - sent_from) if sent is not None and sent_from is not None else None,
        wait=(headers_in - sent) if headers_in is not None and sent is not None else None,
        download=(body_to - body_from) if body_to is not None and body_from is not None
        else None,
        total=ended - started, reused=connect is None and sent_from is not None)


def _split_hops(events: list[tuple[str, float]], count: int) -> list[list[tuple[str, float]]]:
    """The events of each hop: a hop ends when its response is closed."""
    hops: list[list[tuple[str, float]]] = [[]]
    for name, at in events:
        hops[-1].append((name, at))
        if name.endswith("response_closed.complete") and len(hops) < count:
            hops.append([])
    return hops + [[] for _ in range(count - len(hops))]


def build_timeline(prepared: PreparedRequest, log: TraceLog,
                   sent_headers: Iterable[tuple[str, str]],
                   answers: list[tuple[str, str, int, str]]) -> Timeline:
    """``answers``: ``(method, url, status, location)`` per hop, the final one last;
    ``sent_headers``: the last hop's request headers as httpx sent them."""
    from .redact import Redactor

    red = Redactor.for_request(prepared)
    ended = time.perf_counter()
    per_hop = _split_hops(log.events, len(answers))
    hops: list[Hop] = []
    started = log.start
    for (method, url, status, location), events in zip(answers, per_hop, strict=True):
        last = events[-1][1] if events else ended
        end = ended if len(hops) == len(answers) - 1 else last
        hops.append(Hop(method, red.url(url), status, red.url(location) if location else "",
                        _phases(events, started, end, url)))
        started = end
    final_method, final_url = (answers[-1][0], answers[-1][1]) if answers else (
        prepared.method, prepared.url)
    return Timeline(method=final_method, url=red.url(final_url),
                    headers=red.header_list(sent_headers), hops=hops,
                    started_at=time.time() - (ended - log.start), total=ended - log.start)


def exchange_timeline(prepared: PreparedRequest, exchange: Any) -> Timeline:
    """The timeline of a finished ``transfer.Exchange`` (body read): the engine's hook."""
    sent = [(k.decode("latin-1"), v.decode("latin-1"))
            for k, v in exchange.response.request.headers.raw]
    return build_timeline(prepared, exchange.trace.log, sent, exchange.answers)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f} ms"


def phase_rows(p: Phases, url: str = "") -> list[tuple[str, str]]:
    """``(name, time)`` rows, with words where a phase has no number."""
    dns = _ms(p.dns) if p.dns is not None else (
        "reused connection" if p.reused else "included in Connect")
    return [("DNS", dns),
            ("Connect", _ms(p.connect) if p.connect is not None or not p.reused
             else "reused connection"),
            ("TLS", _ms(p.tls) if p.tls is not None else (
                "—" if not url.lower().startswith("https") else "reused connection")),
            ("Request sent", _ms(p.send)), ("First byte (waiting)", _ms(p.wait)),
            ("Download", _ms(p.download)), ("Total", _ms(p.total))]


def timeline_text(tl: Timeline) -> str:
    """Plain text for ``relaydesk send -v`` and "copy timeline"."""
    lines = []
    for i, hop in enumerate(tl.hops, 1):
        more = f" → {hop.location}" if hop.location else ""
        lines.append(f"* Hop {i}: {hop.method} {hop.url} → {hop.status}{more}")
        lines += [f"*   {name:<22}{value}" for name, value in phase_rows(hop.phases, hop.url)]
    lines.append(f"> {tl.method} {tl.url}")
    lines += [f"> {name}: {value}" for name, value in tl.headers]
    lines.append(f"* Total {_ms(tl.total)}")
    return "\n".join(lines)
