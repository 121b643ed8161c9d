"""briefs send: briefs built, then mailed to a real SMTP server on loopback, or written as .eml files."""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import socket
from email import policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefs.cli import main
from briefs.cli.send import send as send_command
from briefs.deliver.addresses import collect, parse_addresses
from briefs.deliver.message import Attachment, compose
from briefs.deliver.send import SendOptions, send
from briefs.localize.typography import NBSP
from briefs.options import BuildOptions

from .conftest import MINIMAL, ROOT, SAMPLES, build
from .mailserver import LOOPBACK, Authenticator, Handler, SmtpServer, make_certificates

if "send" not in main.commands:  # until briefs.cli registers it
    main.add_command(send_command)

ID = "us-az-charter-2026"
AGREEMENT = SAMPLES / f"{ID}.yaml"
SENDER = "Пресцентър <press@example.org>"
BG_NAME = "Харта за стратегическо партньорство между САЩ и Азербайджан – записка на една страница.pdf"
EN_NAME = "US–Azerbaijan Charter on Strategic Partnership – one-page brief.pdf"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def smtp(server: SmtpServer, *extra: str) -> list[str]:
    return ["--host", LOOPBACK, "--port", str(server.port), "--timeout", "5", "--retry-wait", "0.01", *extra]


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def plain(text: str) -> str:
    """Text parts travel with CRLF line ends; no-break spaces made plain for comparing."""
    return text.replace("\r\n", "\n").replace(NBSP, " ")


def sent_log(output: Path, ident: str = ID) -> dict:
    return json.loads((output / ident / "sent.json").read_text(encoding="utf-8"))


def states(output: Path, ident: str = ID) -> dict[tuple[str, str], list[str]]:
    """(file, recipient) -> the states of its deliveries."""
    found = {}
    for entry in sent_log(output, ident)["outputs"].values():
        for recipient, deliveries in entry["recipients"].items():
            found[entry["file"], recipient] = [d["state"] for d in deliveries]
    return found


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("BRIEFS_SMTP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRIEFS_SMTP_FROM", SENDER)


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory) -> Path:
    """The one-page PDFs of the sample, built once; each test gets a copy, which send finds up to date."""
    out = tmp_path_factory.mktemp("prebuilt")
    report = build([AGREEMENT], langs=["bg", "en"], kinds=["one-page"], formats=["pdf"], output=out)
    assert report.ok, report
    return out


@pytest.fixture
def output(prebuilt, tmp_path) -> Path:
    out = tmp_path / "output"
    shutil.copytree(prebuilt, out)
    return out


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


# --- delivery ------------------------------------------------------------------------------------------------


def test_sends_the_bulgarian_one_page_once_then_nothing_with_changed_only(output, monkeypatch):
    monkeypatch.chdir(ROOT)  # the id is found in agreements/
    handler = Handler()
    with SmtpServer(handler) as server:
        args = ["send", ID, "--to", "a@example.org", "--lang", "bg", "--kind", "one-page", "-o", str(output)]
        first = run(*args, *smtp(server, "--insecure"))
        assert first.exit_code == 0, first.output
        again = run(*args, "--changed-only", *smtp(server, "--insecure"))
    assert again.exit_code == 0, again.output
    assert "nothing to send" in again.stdout
    assert first.stdout.startswith(f"sent {ID} (bg) to a@example.org: {BG_NAME}")

    (received,) = handler.messages
    assert received.mail_from == "press@example.org"
    assert received.rcpt_tos == ["a@example.org"]
    message = parse(received.data)
    assert str(message["From"]) == SENDER
    assert str(message["To"]) == "a@example.org"
    assert str(message["Subject"]) == "Аналитична записка: Харта за стратегическо партньорство между САЩ и Азербайджан"
    assert message["Date"].datetime is not None
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", str(message["Message-ID"]))
    assert message["Content-Language"] == "bg-BG"
    assert "Bcc" not in message
    assert message.get_content_type() == "multipart/mixed"

    (part,) = message.iter_attachments()
    pdf = output / ID / f"{ID}-one-page-bg.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content_disposition() == "attachment"
    assert part.get_filename() == BG_NAME
    assert part.get_content() == pdf.read_bytes()

    text = plain(message.get_body(("plain",)).get_content())
    assert "Харта за стратегическо партньорство между правителството на Република Азербайджан" in text
    assert "Баку, 10 февруари 2026 г." in text
    assert "На 10 февруари 2026 г. в Баку вицепрезидентът на САЩ" in text
    assert f"Приложения:\n- {BG_NAME} (PDF, " in text
    html = plain(message.get_body(("html",)).get_content())
    assert '<html lang="bg-BG">' in html
    assert f"<title>{message['Subject']}</title>" in html  # the subject, as a screen reader announces it
    assert re.search(r"<h1[^>]*>Харта за стратегическо партньорство", html)  # a heading, not a styled paragraph
    assert f"<li>{BG_NAME} " in html

    sha = json.loads((output / ID / "manifest.json").read_text())["files"][pdf.name]["sha256"]
    log = sent_log(output)
    assert log["agreement"] == ID
    assert log["outputs"][sha]["file"] == pdf.name
    assert [d["state"] for d in log["outputs"][sha]["recipients"]["a@example.org"]] == ["sent"]


def test_cyrillic_file_names_decode_with_both_standard_library_parsers(output):
    handler = Handler()
    with SmtpServer(handler) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), *smtp(server, "--insecure"))  # fmt: skip
    assert result.exit_code == 0, result.output
    (received,) = handler.messages
    wire = received.data.decode("ascii")  # every header is encoded: the message is 7-bit
    assert "filename*0*=utf-8''%D0%A5%D0%B0" in wire  # RFC 2231
    assert 'name="=?utf-8?b?' in wire  # RFC 2047, for clients without RFC 2231
    assert all(len(line) <= 78 for line in wire.splitlines() if not line.startswith("Message-ID"))

    legacy = email.message_from_bytes(received.data)  # compat32, as older tools parse
    (part,) = [p for p in legacy.walk() if p.get_filename()]
    assert part.get_filename() == BG_NAME
    assert str(make_header(decode_header(part.get_param("name")))) == BG_NAME
    modern = parse(received.data)
    (part,) = modern.iter_attachments()
    assert part.get_filename() == BG_NAME
    assert part["Content-Type"].params["name"] == BG_NAME


def test_bcc_recipients_get_the_message_without_being_shown(output):
    handler = Handler()
    with SmtpServer(handler) as server:
        result = run("send", str(AGREEMENT), "--to", "Ана Иванова <ana@example.org>", "--cc", "c@example.org",
                     "--bcc", "hidden@example.org", "--lang", "en", "--kind", "one-page", "-o", str(output),
                     *smtp(server, "--insecure"))  # fmt: skip
    assert result.exit_code == 0, result.output
    (received,) = handler.messages
    assert received.rcpt_tos == ["ana@example.org", "c@example.org", "hidden@example.org"]
    message = parse(received.data)
    assert str(message["To"]) == "Ана Иванова <ana@example.org>"
    assert str(message["Cc"]) == "c@example.org"
    assert "Bcc" not in message
    assert b"hidden" not in received.data
    assert str(message["Subject"]) == "Policy brief: US–Azerbaijan Charter on Strategic Partnership"
    (part,) = message.iter_attachments()
    assert part.get_filename() == EN_NAME


def test_changed_only_mails_each_brief_once_per_change(write, tmp_path):
    agreement = write(MINIMAL, "test-agreement.yaml")
    output = tmp_path / "out"
    handler = Handler()
    with SmtpServer(handler) as server:
        args = ["send", str(agreement), "--lang", "en", "--kind", "one-page", "-o", str(output), "--changed-only",
                *smtp(server, "--insecure")]  # fmt: skip
        assert run(*args, "--to", "a@example.org").exit_code == 0
        unchanged = run(*args, "--to", "a@example.org")
        assert unchanged.exit_code == 0
        assert "nothing to send: 1 brief(s) already sent" in unchanged.stdout
        assert len(handler.messages) == 1

        agreement.write_text(MINIMAL.replace("en: Summary.", "en: A new summary."), encoding="utf-8")
        changed = run(*args, "--to", "a@example.org")
        assert changed.exit_code == 0, changed.output
        assert len(handler.messages) == 2
        assert "A new summary." in parse(handler.messages[1].data).get_body(("plain",)).get_content()

        newcomer = run(*args, "--to", "a@example.org", "--to", "b@example.org")
        assert newcomer.exit_code == 0, newcomer.output
        assert run(*args, "--to", "a@example.org", "--to", "b@example.org").exit_code == 0
    assert len(handler.messages) == 3
    assert handler.messages[2].rcpt_tos == ["b@example.org"]
    assert str(parse(handler.messages[2].data)["To"]) == "b@example.org"
    log = sent_log(output, "test-agreement")
    assert len(log["outputs"]) == 2  # the first and the changed version


def test_starttls_with_a_private_ca_and_login(output, certs, tmp_path, monkeypatch):
    password = tmp_path / "password"
    password.write_text("s3cret-pass\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFS_SMTP_USER", "press")
    monkeypatch.setenv("BRIEFS_SMTP_PASSWORD_FILE", str(password))
    monkeypatch.setenv("BRIEFS_SMTP_CAFILE", str(certs.ca))
    handler, auth = Handler(), Authenticator("press", "s3cret-pass")
    with SmtpServer(handler, starttls=certs.server_context(), authenticator=auth) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), *smtp(server))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(handler.messages) == 1
    assert auth.calls == 1


def test_implicit_tls(output, certs):
    handler = Handler()
    with SmtpServer(handler, implicit_tls=certs.server_context()) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), *smtp(server, "--tls", "implicit", "--cafile", str(certs.ca)))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(handler.messages) == 1


def test_an_unverified_certificate_is_refused(output, certs, monkeypatch):
    monkeypatch.setenv("BRIEFS_SMTP_CAFILE", str(certs.ca))
    handler = Handler()
    with SmtpServer(handler, starttls=certs.server_context(trusted=False)) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), *smtp(server))  # fmt: skip
    assert result.exit_code == 1
    assert f"{LOOPBACK}:{server.port}: the server's certificate could not be verified" in result.stderr
    assert "self-signed certificate" in result.stderr
    assert "Traceback" not in result.output
    assert handler.messages == []
    assert not (output / ID / "sent.json").exists()


def test_an_authentication_failure_is_clear_and_never_shows_the_password(output, certs, monkeypatch, caplog):
    monkeypatch.setenv("BRIEFS_SMTP_USER", "press")
    monkeypatch.setenv("BRIEFS_SMTP_PASSWORD", "wrong-Pa55word")
    monkeypatch.setenv("BRIEFS_SMTP_CAFILE", str(certs.ca))
    handler, auth = Handler(), Authenticator("press", "s3cret-pass")
    with SmtpServer(handler, starttls=certs.server_context(), authenticator=auth) as server:
        result = run("-vv", "send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), *smtp(server))  # fmt: skip
    assert result.exit_code == 1
    assert "authentication failed: 535" in result.stderr
    assert "wrong-Pa55word" not in result.output + caplog.text
    assert 1 <= auth.calls <= 2  # one login (smtplib tries PLAIN, then LOGIN), not retried
    assert handler.messages == []


def test_the_password_cannot_be_given_on_the_command_line():
    result = run("send", ID, "--to", "a@example.org", "--password", "x")
    assert result.exit_code == 2
    assert "No such option '--password'" in result.stderr


def test_a_refused_recipient_is_reported_and_the_others_get_the_message(output):
    handler = Handler(refuse={"nobody@example.org"})
    with SmtpServer(handler) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--to", "nobody@example.org",
                     "--lang", "bg", "--kind", "one-page", "-o", str(output), *smtp(server, "--insecure"))  # fmt: skip
    assert result.exit_code == 1
    assert "nobody@example.org was refused (550 5.1.1 No such user here)" in result.stderr
    assert f"sent {ID} (bg) to a@example.org:" in result.stdout
    (received,) = handler.messages
    assert received.rcpt_tos == ["a@example.org"]
    assert states(output) == {(f"{ID}-one-page-bg.pdf", "a@example.org"): ["sent"]}


def test_a_connection_dropped_before_the_message_is_retried_and_sent_once(output, caplog):
    handler = Handler(drop_at="rcpt", drops=1)
    with SmtpServer(handler) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), *smtp(server, "--insecure"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "connection lost (Connection unexpectedly closed); trying again in 0.0 s (attempt 2 of 4)" in caplog.text
    assert len(handler.messages) == 1
    assert handler.drops == 0


def test_a_connection_dropped_after_the_message_was_accepted_sends_nothing_twice(output, caplog):
    handler = Handler(drop_at="after-data", drops=1)
    with SmtpServer(handler) as server:
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--kind", "one-page", "-o", str(output),
                     *smtp(server, "--insecure"))  # fmt: skip
    assert result.exit_code == 0, result.output
    languages = sorted(parse(m.data)["Content-Language"] for m in handler.messages)
    assert languages == ["bg-BG", "en-GB"]  # one each: the accepted one was not sent again
    assert "connection lost" in caplog.text  # found when the second message was started, which was retried
    assert states(output) == {
        (f"{ID}-one-page-bg.pdf", "a@example.org"): ["sent"],
        (f"{ID}-one-page-en.pdf", "a@example.org"): ["sent"],
    }


def test_a_lost_answer_after_the_message_is_not_retried_nor_sent_again(output):
    handler = Handler(drop_at="before-reply", drops=1)
    with SmtpServer(handler) as server:
        args = ["send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                "-o", str(output), *smtp(server, "--insecure")]  # fmt: skip
        result = run(*args)
        assert result.exit_code == 1
        assert "it may have been delivered, so it is not sent again" in result.stderr
        assert len(handler.messages) == 1
        assert states(output) == {(f"{ID}-one-page-bg.pdf", "a@example.org"): ["unconfirmed"]}

        scheduled = run(*args, "--changed-only")
    assert scheduled.exit_code == 0, scheduled.output
    assert "may already have reached a@example.org" in scheduled.stderr
    assert len(handler.messages) == 1


def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_not(output, caplog):
    handler = Handler(answer_mail=["451 4.3.0 Try again later"])
    with SmtpServer(handler) as server:
        args = ["send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                "-o", str(output), *smtp(server, "--insecure")]  # fmt: skip
        assert run(*args).exit_code == 0
        assert "the server answered 451 4.3.0 Try again later; trying again" in caplog.text
        assert len(handler.messages) == 1

        handler.answer_data = "554 5.6.0 Message rejected"
        refused = run(*args, "--to", "b@example.org", "--changed-only")
    assert refused.exit_code == 1
    assert f"{LOOPBACK}:{server.port}: the server refused the message: 554 5.6.0 Message rejected" in refused.stderr
    assert "gave up" not in refused.stderr
    assert len(handler.messages) == 1
    # handed over, then refused: b is not recorded, so the next --changed-only run tries again
    assert states(output) == {(f"{ID}-one-page-bg.pdf", "a@example.org"): ["sent"]}


def test_an_oversize_message_is_refused_before_connecting(output):
    with socket.socket() as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "bg", "--kind", "one-page",
                     "-o", str(output), "--host", LOOPBACK, "--port", str(port), "--insecure",
                     "--max-size", "20KB")  # fmt: skip
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert result.exit_code == 2
    assert re.search(rf"{ID} \(bg, {BG_NAME}\): the message is \d+ KB, over the limit of 20 KB", result.stderr)
    assert "nothing was sent" in result.stderr


# --- .eml, addresses and headers -----------------------------------------------------------------------------


def test_eml_files_parse_back_to_the_same_message(output, tmp_path):
    folder = tmp_path / "review"
    delivery = SendOptions(to=("a@example.org",), bcc=("b@example.org",), eml=folder)
    options = BuildOptions(langs=("bg", "en"), kinds=("one-page",), output=output, jobs=1)
    report = send([AGREEMENT], delivery, options, env={"BRIEFS_SMTP_FROM": SENDER})
    assert [m.eml.name for m in report.messages] == [f"{ID}-bg.eml", f"{ID}-en.eml"]
    assert sorted(p.name for p in folder.iterdir()) == [f"{ID}-bg.eml", f"{ID}-en.eml"]
    for sent in report.messages:
        data = sent.eml.read_bytes()
        assert data == sent.message.as_bytes()
        parsed = parse(data)
        for header in ("From", "To", "Bcc", "Subject", "Date", "Message-ID", "Content-Language"):
            assert str(parsed[header]) == str(sent.message[header]), header
        assert str(parsed["Bcc"]) == "b@example.org"  # shown for review; never in a message that is sent
        for kind in (("plain",), ("html",)):
            assert plain(parsed.get_body(kind).get_content()) == plain(sent.message.get_body(kind).get_content())
        (part,) = parsed.iter_attachments()
        assert part.get_filename() == {"bg": BG_NAME, "en": EN_NAME}[sent.lang]
        assert part.get_content() == (output / ID / f"{ID}-one-page-{sent.lang}.pdf").read_bytes()
        assert email.message_from_bytes(data, policy=policy.SMTP).as_bytes() == data
    assert not (output / ID / "sent.json").exists()  # written for review, not sent


def test_recipient_files_take_one_address_a_line_with_comments(output, tmp_path):
    people = tmp_path / "press.txt"
    people.write_text("# press list\n\nAna <ana@example.org>   # desk\nb@example.org\n", encoding="utf-8")
    result = run("send", str(AGREEMENT), "--to-file", str(people), "--lang", "bg", "--kind", "one-page",
                 "-o", str(output), "--eml", str(tmp_path / "eml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    message = parse((tmp_path / "eml" / f"{ID}-bg.eml").read_bytes())
    assert str(message["To"]) == "Ana <ana@example.org>, b@example.org"

    people.write_text("a@example.org\n# fine\nnot an address\n", encoding="utf-8")
    result = run("send", ID, "--to-file", str(people), "--eml", str(tmp_path / "eml"))
    assert result.exit_code == 2
    assert f"{people}:3: 'not an address' is not an email address" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--to", "a@example.org\r\nBcc: evil@example.org"], {}, "--to 'a@example.org\\r\\nBcc: evil@example.org': "
         "contains a line break (CR/LF); refused"),
        (["--to", "a@example.org"], {"BRIEFS_SMTP_FROM": "p@example.org\nBcc: evil@example.org"}, "line break"),
        (["--cc", "a@example.org\nX-Evil: 1"], {}, "line break"),
        (["--to", "a@"], {}, "'a@' is not an email address"),
        ([], {}, "no recipients"),
        (["--to", "a@example.org"], {"BRIEFS_SMTP_FROM": ""}, "no sender: give --from or set BRIEFS_SMTP_FROM"),
    ],
)  # fmt: skip
def test_bad_addresses_are_refused_before_anything_is_built(args, env, message, tmp_path, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run("send", ID, *args, "-o", str(tmp_path / "out"), "--eml", str(tmp_path / "eml"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_subject_with_a_line_break_is_refused(output, tmp_path):
    mine = tmp_path / "mine"
    (mine / "email").mkdir(parents=True)
    (mine / "email" / "subject.txt").write_text("{{ b.short_title }}\nBcc: evil@example.org\n", encoding="utf-8")
    result = run("send", str(AGREEMENT), "--to", "a@example.org", "--lang", "en", "--kind", "one-page",
                 "-o", str(output), "--templates", str(mine), "--eml", str(tmp_path / "eml"))  # fmt: skip
    assert result.exit_code == 2
    assert (
        "subject 'US–Azerbaijan Charter on Strategic Partnership\\nBcc: evil@example.org': contains a line break"
        in (result.stderr)
    )


def test_smtp_settings_come_from_options_or_the_environment(tmp_path, monkeypatch):
    base = ["send", ID, "--to", "a@example.org", "-o", str(tmp_path)]
    assert "no SMTP server: give --host or set BRIEFS_SMTP_HOST" in run(*base).stderr
    monkeypatch.setenv("BRIEFS_SMTP_HOST", LOOPBACK)
    monkeypatch.setenv("BRIEFS_SMTP_USER", "press")
    result = run(*base)
    assert result.exit_code == 2
    assert "an SMTP user is set but no password" in result.stderr
    monkeypatch.setenv("BRIEFS_SMTP_PASSWORD_FILE", str(tmp_path / "missing"))
    assert "BRIEFS_SMTP_PASSWORD_FILE: cannot read" in run(*base).stderr
    assert "cannot be used together" in run(*base, "--insecure", "--tls", "starttls").stderr


def test_messages_use_the_right_mime_types():
    sender = parse_addresses("p@example.org", "--from")[0]
    message = compose(
        sender,
        collect({"to": ["a@example.org"]}, {}),
        "Subject",
        "text",
        "<p>text</p>",
        [Attachment("brief.docx", b"PK\x03\x04", "docx"), Attachment("Кратък анализ.pdf", b"%PDF-", "pdf")],
    )
    docx, pdf = message.iter_attachments()
    assert docx.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (docx.get_filename(), docx.get_param("name")) == ("brief.docx", "brief.docx")
    assert pdf.get_content_type() == "application/pdf"
    assert plain(parse(message.as_bytes()).get_body(("plain",)).get_content()) == "text\n"
