"""Mail leaves through SMTP in production and lands in the log in development."""

from __future__ import annotations

import logging
import socket

from aiosmtpd.controller import Controller

from participation.core import mail


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_smtp_backend_delivers_to_a_real_server(app):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with app.test_request_context("/"):
            mail.send(mail.Mail("jana@example.test", "Potvrzení", "Dobrý den,\nodkaz.\n"))
    finally:
        app.config.update(MAIL_BACKEND="log", MAIL_SERVER="localhost", MAIL_PORT=25)
        controller.stop()
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["jana@example.test"]
    body = envelope.content.decode()
    assert "Subject: =?utf-8?" in body or "Subject: Potvrzen" in body
    assert "participation@localhost" in body


def test_log_backend_writes_the_whole_mail_to_the_log(app, caplog):
    with caplog.at_level(logging.INFO, logger="participation.mail"), app.test_request_context("/"):
        mail.send(mail.Mail("jana@example.test", "Subject line", "Open http://x/confirm/abc\n"))
    assert "jana@example.test" in caplog.text and "http://x/confirm/abc" in caplog.text


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    from participation import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/x.db"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
