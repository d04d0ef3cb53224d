"""The web console's response headers, one policy for both places that serve it: CloudFront in the
cloud (`infra/web.py`) and the local platform under `make run` (`local_platform/web_console.py`).

The console is one index.html and hashed files under /assets/ (`web/`, built by Vite with no inline
script or style), so its content security policy allows only its own origin, plus the storage origins
its uploads go to (presigned S3 part URLs), and nothing else: no inline code, no eval, no frames."""

from __future__ import annotations

from collections.abc import Sequence

INDEX = "index.html"
ASSETS_PREFIX = "/assets/"
# Where the console's own files are: everything else on its origin is the platform's API.
CONSOLE_PATHS = ("/", f"/{INDEX}", "/favicon.svg", f"{ASSETS_PREFIX}*")
# hashed names change with their content, so a browser may keep them; index.html is always asked again
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
REVALIDATE_CACHE = "no-cache"
STRICT_TRANSPORT_SECONDS = 2 * 365 * 24 * 3600  # two years, as preload lists ask
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
REFERRER_POLICY = "no-referrer"


def content_security_policy(upload_origins: Sequence[str], *, https: bool = True) -> str:
    """The console's policy; `upload_origins` are the storage origins a browser PUTs file parts to."""
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        f"connect-src {' '.join(("'self'", *upload_origins))}",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def security_headers(upload_origins: Sequence[str], *, https: bool = True) -> list[tuple[str, str]]:
    """Every security header the console is served with (CloudFront sets the same from its policy)."""
    headers = [
        ("Content-Security-Policy", content_security_policy(upload_origins, https=https)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", REFERRER_POLICY),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", f"max-age={STRICT_TRANSPORT_SECONDS}; includeSubDomains"))
    return headers
