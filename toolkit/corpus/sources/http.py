"""Fetching one URL (or reading a local file named like one) for the feed and page readers."""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import InputError

DEFAULT_USER_AGENT = "fnt-collect/0.1 (French News Toolkit; research use)"
#: Responses larger than this are refused.
MAX_RESPONSE_BYTES = 50 * 2**20


def http_get(url: str, timeout: float = 20.0, user_agent: str | None = None) -> tuple[bytes, dict[str, str]]:
    """GET ``url`` (http, https, file, or a local path): ``(body, headers)``.

    Raises
    ------
    InputError
        With a one-line reason: HTTP status, timeout, refused connection, too large.
    """
    import urllib.error
    import urllib.request

    if "://" not in url or url.startswith("file://"):
        p = Path(url[7:] if url.startswith("file://") else url)
        try:
            return p.read_bytes(), {}
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=str(p)) from None
    req = urllib.request.Request(url, headers={"User-Agent": user_agent or DEFAULT_USER_AGENT,
                                               "Accept-Encoding": "identity"})  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = resp.read(MAX_RESPONSE_BYTES + 1)
            headers = dict(resp.headers.items())
    except urllib.error.HTTPError as exc:
        raise InputError(f"HTTP {exc.code} {exc.reason}", path=url) from None
    except TimeoutError:
        raise InputError(f"timed out after {timeout:g} s", path=url) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise InputError(f"timed out after {timeout:g} s", path=url) from None
        raise InputError(f"cannot connect ({reason})", path=url) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"request failed ({type(exc).__name__}: {exc})", path=url) from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise InputError(f"response larger than {MAX_RESPONSE_BYTES // 2**20} MiB", path=url)
    return data, headers
