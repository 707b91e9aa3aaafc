"""Cheap checks of the packaging files: desktop entry, AppStream metainfo, icons.

The full check (building the PyInstaller bundle and running it) is scripts/package-check;
these run in the normal suite so a broken edit is caught without building anything.
"""

from __future__ import annotations

import configparser
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
PACKAGE_RESOURCES = ROOT / "src" / "relaydesk" / "resources"
DESKTOP = PACKAGING / "io.github.relaydesk.Relaydesk.desktop"
METAINFO = PACKAGING / "io.github.relaydesk.Relaydesk.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SVG_NS = "{http://www.w3.org/2000/svg}"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no image library needed)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path}: first chunk is not IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text("utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_launches_relaydesk_with_its_icon() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Relaydesk"
    assert entry["Exec"].split()[0] == "relaydesk"
    assert entry["Icon"] == "relaydesk"
    categories = [c for c in entry["Categories"].split(";") if c]
    assert "Development" in categories
    assert entry.get("Terminal", "false") == "false"


def test_metainfo_describes_the_desktop_application() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.github.relaydesk.Relaydesk"
    assert root.findtext("name") == "Relaydesk"
    assert (root.findtext("summary") or "").strip()
    assert root.find("description/p") is not None
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name  # the launchable must name the shipped entry
    assert root.findtext("provides/binary") == "relaydesk"


def test_metainfo_release_is_the_package_version() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject, re.M)
    if match is None:
        pytest.skip("version is dynamic in pyproject.toml")
    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases, "metainfo lists no release"
    assert releases[0].get("version") == match.group(1)


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_size_matches_its_folder(size: int) -> None:
    path = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "relaydesk.png"
    assert png_size(path) == (size, size)


def test_no_stray_icon_folders() -> None:
    folders = {p.name for p in (RESOURCES / "icons" / "hicolor").iterdir()}
    assert folders == {f"{s}x{s}" for s in ICON_SIZES}


def test_svg_icon_parses_and_is_square() -> None:
    for path in (RESOURCES / "relaydesk.svg", PACKAGE_RESOURCES / "relaydesk.svg"):
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG_NS}svg"
        _, _, width, height = (float(v) for v in (root.get("viewBox") or "").split())
        assert width == height > 0
    # The packaged copy is the source icon, not a stale fork of it.
    assert (PACKAGE_RESOURCES / "relaydesk.svg").read_bytes() == (
        RESOURCES / "relaydesk.svg"
    ).read_bytes()


def test_package_carries_a_raster_icon() -> None:
    assert png_size(PACKAGE_RESOURCES / "relaydesk.png") == (256, 256)


def test_app_announces_the_desktop_entry_name() -> None:
    # Wayland compositors match a window to its launcher entry (icon, name in the task
    # switcher) by the app id Qt takes from setDesktopFileName: it must be the entry's name.
    app_py = ROOT / "src" / "relaydesk" / "app.py"
    if not app_py.exists():
        pytest.skip("the desktop app is not there yet")
    assert f'setDesktopFileName("{DESKTOP.stem}")' in app_py.read_text("utf-8")
