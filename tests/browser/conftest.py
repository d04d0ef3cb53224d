"""The browser checks' fixtures, one instance of each for the session whichever check module uses them
(imported into each module, a session fixture would start a platform and a browser per module)."""

from tests.browser.harness import browser, console, platform

__all__ = ("browser", "console", "platform")
