"""Files the user points at are measured before they are read (issue 18)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from relaydesk.core.bounded_read import TooLarge, as_text, read_capped, read_stream_capped
from relaydesk.core.errors import FileFormatError
from relaydesk.core.importers.loader import read_import_file
from tests.hostile_inputs import sparse_file


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    big = sparse_file(tmp_path / "big.json", 3 * 1024 ** 3)  # 3 GB, no disk space
    with pytest.raises(TooLarge) as caught:
        read_capped(big, 1024)
    assert caught.value.describe() == "3 GB; the limit is 1 KB"


def test_a_stream_is_cut_one_byte_past_the_limit() -> None:
    assert read_stream_capped(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(TooLarge):
        read_stream_capped(io.BytesIO(b"x" * 11), 10)


def test_a_device_without_a_size_is_still_bounded() -> None:
    with pytest.raises(TooLarge):
        read_capped("/dev/zero", 4096)


def test_text_keeps_universal_newlines_like_read_text() -> None:
    assert as_text(b"a\r\nb\rc\n") == "a\nb\nc\n"


def test_an_import_file_over_200_mb_is_one_clear_error(tmp_path: Path) -> None:
    big = sparse_file(tmp_path / "spec.yaml", 3 * 1024 ** 3, b"openapi: 3.0.0\n")
    with pytest.raises(FileFormatError, match=r"spec.yaml: is too large to import "
                                              r"\(3 GB; the limit is 200 MB\)"):
        read_import_file(big, "spec.yaml")
    with pytest.raises(FileFormatError, match="is a folder"):
        read_import_file(tmp_path)
    (tmp_path / "latin.json").write_bytes(b"\xe9t\xe9")
    with pytest.raises(FileFormatError, match="not UTF-8"):
        read_import_file(tmp_path / "latin.json")


def test_a_3_gb_json_data_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from relaydesk.core.datafile import DataFile
    from relaydesk.core.errors import ValidationError

    data = DataFile(sparse_file(tmp_path / "rows.json", 3 * 1024 ** 3, b"["))
    with pytest.raises(ValidationError, match=r"too large for a JSON data file \(3 GB"):
        data.count()


def test_a_body_file_over_1_gb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from relaydesk.core.errors import ValidationError
    from relaydesk.core.model import Body, Request
    from relaydesk.core.prepare import prepare

    big = sparse_file(tmp_path / "upload.bin", 3 * 1024 ** 3)
    req = Request(path="c/r", method="POST", url="http://127.0.0.1:9/x",
                  body=Body(kind="binary", file=str(big)))
    with pytest.raises(ValidationError, match=r"upload.bin' for the body is too large to "
                                              r"send \(3 GB; the limit is 1 GB\)"):
        prepare(req, None, None, {})
