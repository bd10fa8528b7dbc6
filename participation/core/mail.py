"""Outgoing mail: written to the log in development, sent by SMTP in production."""

from __future__ import annotations

import logging
import smtplib
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, g, render_template
from flask_babel import force_locale

log = logging.getLogger("participation.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def outbox() -> list[Mail]:
    """Messages written by the log backend in this process (development and tests)."""
    return current_app.extensions.setdefault("participation_outbox", [])


def render_mail(to: str, language: str | None, template: str, **context) -> Mail:
    """Render ``templates/mail/<template>.txt`` in the recipient's language."""
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return Mail(to=to, subject=subject.strip(), body=body.strip() + "\n")


@contextmanager
def suppressed():
    """Send nothing inside this block (loading demo content, imports)."""
    previous = g.get("mail_suppressed", False)
    g.mail_suppressed = True
    try:
        yield
    finally:
        g.mail_suppressed = previous


def send(mail: Mail) -> None:
    if g.get("mail_suppressed"):
        return
    config = current_app.config
    if config["MAIL_BACKEND"] == "log":
        outbox().append(mail)
        log.info("Mail to %s\nSubject: %s\n\n%s", mail.to, mail.subject, mail.body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
