"""Mail sent through SES (v1 or v2) in moto: kept, listed at /_local/mail, printed as sent.

moto keeps sent mail in its in-process SES backend; `MailBox.sync()` reads what is new
there and stamps it with the time it was first seen (moto keeps no send time). A simple
SES message keeps only its HTML part when it has both (moto drops the text part), so the
text is then derived from the HTML, links included, for a person to follow.
"""

from __future__ import annotations

import email
import email.policy
import re
import textwrap
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

from moto.ses.models import ses_backends

from local.template import ACCOUNT_ID, REGION

_LOOKS_LIKE_HTML = re.compile(r"<(!doctype|html|body|p|div|a|br|table|h[1-6])\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str | None
    html: str | None
    sent_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class MailBox:
    """The mail sent since this box was made, oldest first."""

    def __init__(self, *, echo: bool = True) -> None:
        self._echo = echo
        self._lock = threading.Lock()
        self._mail: list[Mail] = []
        self._backend, messages = self._sent_messages()
        self._seen = len(messages)

    def items(self) -> list[Mail]:
        self.sync()
        with self._lock:
            return list(self._mail)

    def sync(self) -> list[Mail]:
        """Take in what moto has sent since the last call; print it when echoing."""
        with self._lock:
            backend, messages = self._sent_messages()
            if backend is not self._backend or len(messages) < self._seen:
                self._backend, self._seen = backend, 0  # moto was reset
            new = [_to_mail(message) for message in messages[self._seen :]]
            self._seen = len(messages)
            self._mail.extend(new)
        if self._echo:
            for mail in new:
                print(_printable(mail))
        return new

    @staticmethod
    def _sent_messages() -> tuple[Any, list[Any]]:
        backend = ses_backends[ACCOUNT_ID][REGION]
        return backend, list(backend.sent_messages)


class MailWatcher:
    """Calls `MailBox.sync()` a few times a second so that mail is printed as it is sent."""

    def __init__(self, box: MailBox, interval_s: float = 0.25) -> None:
        self._box = box
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self._box.sync()


def _to_mail(message: Any) -> Mail:
    sent_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if hasattr(message, "raw_data"):
        return _raw_mail(message, sent_at)
    destinations = message.destinations
    if isinstance(destinations, dict):
        keys = ("ToAddresses", "CcAddresses", "BccAddresses")
        addresses = [address for key in keys for address in destinations.get(key, [])]
    else:
        addresses = [str(item) for item in destinations]
    if hasattr(message, "template"):
        subject, body = f"template {message.template}", str(message.template_data)
    else:
        subject, body = str(message.subject), str(message.body)
    if _LOOKS_LIKE_HTML.search(body):
        return Mail(", ".join(addresses), subject, html_to_text(body), body, sent_at)
    return Mail(", ".join(addresses), subject, body, None, sent_at)


def _raw_mail(message: Any, sent_at: str) -> Mail:
    parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text: str | None = None
    html: str | None = None
    for part in parsed.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain" and text is None:
            text = str(part.get_content())
        elif part.get_content_type() == "text/html" and html is None:
            html = str(part.get_content())
    if text is None and html is not None:
        text = html_to_text(html)
    to = parsed.get("To") or ", ".join(message.destinations)
    return Mail(str(to), str(parsed.get("Subject", "")), text, html, sent_at)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._links.append(dict(attrs).get("href"))
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            link = self._links.pop()
            if link:
                self.parts.append(f" ({link})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML mail, each link's address kept beside its words."""
    extractor = _TextExtractor()
    extractor.feed(html)
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _printable(mail: Mail) -> str:
    body = textwrap.indent(mail.text or "", "    ")
    return f"[mail] to {mail.to}: {mail.subject}\n{body}\n[mail] end"
