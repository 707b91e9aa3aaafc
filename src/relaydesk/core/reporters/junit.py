"""JUnit XML reporter, in the shape Jenkins, GitLab and GitHub test reporters read
(validated in the tests against Jenkins' ``junit-10.xsd``).

One ``<testsuite>`` per run, one ``<testcase>`` per request and iteration: a failed
check is a ``<failure>``, a request that did not complete an ``<error>``. The suite
element carries totals, which are only known at the end, so test cases are spooled
to a temporary file and the report is assembled (atomically) in ``finish``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from ..runner import RequestResult, RunPlan, RunSummary

__all__ = ["JUnitReporter"]

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_INVALID_XML.sub("?", value))


def _attr(value: str) -> str:
    return quoteattr(_INVALID_XML.sub("?", value), {"\n": "&#10;", "\r": "&#13;",
                                                    "\t": "&#9;"})


class JUnitReporter:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._cases: IO[str] | None = None
        self._plan: RunPlan | None = None
        self._started = ""

    def start(self, plan: RunPlan) -> None:
        self._plan = plan
        self._started = time.strftime("%Y-%m-%dT%H:%M:%S")
        self._cases = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish

    def result(self, result: RequestResult) -> None:
        assert self._cases is not None and self._plan is not None
        name = result.name
        if self._plan.iterations > 1:
            name += f" [iteration {result.iteration + 1}]"
        classname = result.path.rpartition("/")[0].replace("/", ".") or result.path
        out = [f'    <testcase name={_attr(name)} classname={_attr(classname)} '
               f'time="{result.elapsed_ms / 1000:.3f}">']
        if result.error is not None:
            out.append(f'      <error type="RequestError" message={_attr(result.error)}>'
                       f"{_text(result.method + ' ' + result.url)}</error>")
        failed = [c for c in result.checks if not c.passed]
        if failed:
            message = "; ".join(f"{c.name}: {c.message}" for c in failed)
            body = "\n".join(f"{c.name}: {c.message}" for c in failed)
            out.append(f'      <failure type="CheckFailed" message={_attr(message)}>'
                       f"{_text(body)}</failure>")
        log = [f"{result.method} {result.url} -> "
               f"{result.status if result.status is not None else 'no response'}"]
        log += [f"{'PASS' if c.passed else 'FAIL'} {c.name}" for c in result.checks]
        log += [f"NOTE {note}" for note in result.notes]
        out.append(f"      <system-out>{_text(chr(10).join(log))}</system-out>")
        out.append("    </testcase>\n")
        self._cases.write("\n".join(out))

    def finish(self, summary: RunSummary) -> None:
        if self._cases is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                counts = (f'tests="{summary.executed}" failures="{summary.failed}" '
                          f'errors="{summary.errors}" time="{summary.duration:.3f}"')
                fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
                fh.write(f"<testsuites name={_attr('relaydesk run ' + summary.path)} "
                         f"{counts}>\n")
                fh.write(f"  <testsuite name={_attr(summary.path)} {counts} "
                         f'skipped="{summary.planned - summary.executed}" '
                         f"timestamp={_attr(self._started)} "
                         f"hostname={_attr(socket.gethostname())}>\n")
                self._cases.seek(0)
                shutil.copyfileobj(self._cases, fh)
                fh.write("  </testsuite>\n</testsuites>\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            self._cases.close()
            self._cases = None
