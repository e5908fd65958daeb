"""Static assets (CSS, JavaScript, icon), read once when the app is made and served from memory.

Pages link each asset with its content hash (``/static/app.css?v=1a2b3c4d5e``); a request that names
the current hash may be cached for a year, since a new file gets a new hash. Others get an hour.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response

from medcodes.errors import WebError

_LONG = "public, max-age=31536000, immutable"
_SHORT = "public, max-age=3600"
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
# Files that browsers and crawlers ask for at the site's root rather than under /static.
ROOT_FILES = ("favicon.ico", "robots.txt")


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    body: bytes
    media_type: str
    version: str  # the first characters of the sha256 of the body


class Assets:
    def __init__(self, assets: dict[str, Asset]) -> None:
        self.assets = assets

    @classmethod
    def load(cls) -> Assets:
        """Every file of the package's static/ folder."""
        found: dict[str, Asset] = {}
        for entry in files("medcodes.web").joinpath("static").iterdir():
            if not entry.is_file() or entry.name.startswith("."):
                continue
            body = entry.read_bytes()
            suffix = "." + entry.name.rsplit(".", 1)[-1]
            media_type = _TYPES.get(suffix) or mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            found[entry.name] = Asset(entry.name, body, media_type, hashlib.sha256(body).hexdigest()[:10])
        return cls(found)

    def url(self, name: str) -> str:
        """The address of an asset with its version, for templates."""
        return f"/static/{name}?v={self.assets[name].version}"

    async def serve(self, request: Request) -> Response:
        return self.answer(request, request.path_params["name"])

    async def serve_root(self, request: Request) -> Response:
        """``/favicon.ico``, ``/robots.txt``: the file of static/ named by the path."""
        return self.answer(request, request.url.path.lstrip("/"))

    def answer(self, request: Request, name: str) -> Response:
        asset = self.assets.get(name)
        if asset is None:
            raise WebError(404, "No such file")
        etag = f'"{asset.version}"'
        headers = {
            "cache-control": _LONG if request.query_params.get("v") == asset.version else _SHORT,
            "etag": etag,
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)
