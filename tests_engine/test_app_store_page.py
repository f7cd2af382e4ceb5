"""The app-store page and the upgrade path, checked without Odoo: static/description/index.html
is what Odoo's app store accepts (no script, no stylesheet, inline styles, images by relative
path) and shows every screen `make screenshots` declares; the icon, the banner and the manifest
are in place; the migration scripts are harmless."""

import ast
import importlib.util
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTION = ROOT / "static" / "description"
MIGRATION_SCRIPTS = sorted((ROOT / "migrations").glob("*/*.py"))


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


@pytest.fixture(scope="module")
def page():
    parser = Page()
    parser.feed((DESCRIPTION / "index.html").read_text(encoding="utf-8"))
    return parser.tags


def png_size(path):
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def manifest():
    return ast.literal_eval((ROOT / "__manifest__.py").read_text(encoding="utf-8"))


def test_page_is_plain_html(page):
    names = {tag for tag, _attrs in page}
    assert not names & {"script", "style", "link", "iframe", "object", "embed", "form"}, names
    for tag, attrs in page:
        assert not [a for a in attrs if a.startswith("on")], f"<{tag}> has an event handler"
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.lower().startswith("javascript:"), value
            assert not value.endswith((".css", ".js")), value


def test_page_images_are_local_and_present(page):
    sources = [attrs.get("src", "") for tag, attrs in page if tag == "img"]
    assert len(sources) >= 6
    for src in sources:
        assert "/" not in src and ":" not in src, f"{src}: images by relative path in static/description"
        assert (DESCRIPTION / src).is_file(), f"{src} is missing: run `make screenshots`"
        assert all(attrs.get("alt") for tag, attrs in page if tag == "img"), "every image has an alt text"


def test_page_shows_every_declared_screen(page):
    screens = load(ROOT / "tools" / "store_screens.py", "store_screens")
    declared = {f"{screen['name']}.png" for screen in screens.SCREENS}
    shown = {attrs["src"] for tag, attrs in page if tag == "img"}
    assert declared == shown
    on_disk = {path.name for path in DESCRIPTION.glob("screenshot_*.png")}
    assert on_disk == declared, "stale or missing screenshots: run `make screenshots`"


def test_page_has_french_summary_and_required_sections():
    text = (DESCRIPTION / "index.html").read_text(encoding="utf-8")
    for needle in ('lang="fr"', "En français", "Configuration in", "French law", "External API",
                   "wkhtmltopdf", "Odoo 19"):
        assert needle in text, needle


def test_page_weight():
    total = sum(path.stat().st_size for path in DESCRIPTION.iterdir() if path.is_file())
    assert total < 3 * 1024 * 1024, f"static/description weighs {total // 1024} kB"


def test_icon_is_square_and_large_enough():
    width, height = png_size(DESCRIPTION / "icon.png")
    assert width == height >= 128


def test_manifest_for_the_app_store():
    data = manifest()
    assert "description" not in data, "the page (static/description/index.html) is the description"
    assert data["category"] == "Accounting/Accounting"
    for key in ("summary", "author", "website", "support", "license"):
        assert data.get(key), key
    assert data.get("application", False) is False, "it adds to Invoicing, it has no menu of its own"
    assert data["images"], "a banner for the app store"
    for image in data["images"]:
        assert (ROOT / image).is_file(), image
        width, height = png_size(ROOT / image)
        assert width > height, f"{image}: a banner is wider than tall"
    assert data["version"].startswith("19.0.")


class RecordingCursor:
    def __init__(self):
        self.queries = []

    def execute(self, query, params=None):
        self.queries.append((query, params))


@pytest.mark.parametrize("path", MIGRATION_SCRIPTS, ids=[f"{p.parent.name}/{p.name}" for p in MIGRATION_SCRIPTS])
def test_migration_scripts_are_harmless_skeletons(path):
    assert path.name.startswith(("pre-", "post-", "end-")), path.name
    assert path.parent.name.startswith("19.0."), path.parent.name
    script = load(path, f"migration_{path.parent.name}_{path.stem}".replace(".", "_").replace("-", "_"))
    cursor = RecordingCursor()
    assert script.migrate(cursor, "") is None  # a fresh install: nothing
    assert cursor.queries == []
    if path.parent.name == "19.0.1.0.1":
        script.migrate(cursor, "19.0.1.0.0")
        assert cursor.queries == []  # the skeleton changes nothing
    elif path.name == "post-go-live.py":
        script.migrate(cursor, "19.0.1.0.1")
        # an updated installation stays started: one update of the companies not started
        assert len(cursor.queries) == 1
        assert "SET late_payment_go_live_date = CURRENT_DATE" in cursor.queries[0][0]
        assert "WHERE late_payment_go_live_date IS NULL" in cursor.queries[0][0]
