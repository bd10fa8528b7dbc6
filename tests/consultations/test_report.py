"""Answering every input, publishing the final report, and reading it."""

from __future__ import annotations

import re

import pytest

from participation.consultations import services as s
from participation.consultations.models import Answer
from participation.consultations.rules import Kind, ReplyStatus, Status, Value
from participation.core.models import Role
from participation.extensions import db
from tests.consultations.test_results import words
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import Browser, field_value, text


@pytest.fixture
def coordinator(town):
    return make_user(
        municipality=town.municipality, roles=(Role.COORDINATOR,), name="Karla Koordinátorová"
    )


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,), name="Rosa Rezková")


@pytest.fixture
def inputs(town, coordinator, resident):
    """A closed consultation with one input of each kind: a paragraph comment (online),
    an open comment (paper), a survey answer online from a person without a name, and
    one on paper."""
    c = make_consultation(
        town.municipality,
        by=coordinator,
        has_draft=True,
        title="Nová pravidla parkování",
        decision="Vyhláška o parkování",
        decision_maker="Zastupitelstvo",
    )
    question = make_survey(c, kinds=(Kind.LONG_TEXT,))[Kind.LONG_TEXT]
    s.replace_draft(
        c, "Návrh vyhlášky", [s.DraftPart("Úvod", ["Parkování je placené.", "Rezidenti zdarma."])]
    )
    paragraph = c.draft_sections[0].paragraphs[1]
    nameless = make_user(email="bez.jmena@example.test")
    comment = s.add_comment(c, "Ať platí i pro návštěvy.", author=resident, paragraph=paragraph)
    paper_comment = s.add_comment(
        c, "Chci víc míst pro kola.", entered_by=coordinator, author_name="Jan Papírový"
    )
    online = s.save_response(
        c, {question.id: Value(text="Méně aut v centru.")}, True, respondent=nameless
    )
    paper = s.save_response(
        c, {question.id: Value(text="Lepší autobusy.")}, True, entered_by=coordinator
    )
    s.close_now(c)
    db.session.flush()
    answers = {r.id: next(a for a in r.answers) for r in (online, paper)}
    return {
        "consultation": c,
        "comment": comment,
        "paper_comment": paper_comment,
        "online_answer": answers[online.id],
        "paper_answer": answers[paper.id],
    }


def inputs_url(c, **query):
    url = f"/lipnice/consultations/{c.id}/inputs"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def reply(browser, c, key, status, justification, show="unanswered"):
    return browser.post(
        f"/lipnice/consultations/{c.id}/inputs/{key}/reply?show={show}",
        {
            f"{key}-csrf_token": browser.token,
            f"{key}-status": status,
            f"{key}-justification": justification,
        },
    )


def selected(response, name: str) -> str | None:
    """The option a <select> named ``name`` shows as chosen."""
    page = response.get_data(as_text=True)
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    match = re.search(r'<option[^>]*\bselected\b[^>]*value="([^"]*)"', select) or re.search(
        r'<option[^>]*value="([^"]*)"[^>]*\bselected\b', select
    )
    return match.group(1) if match else None


def counter(response) -> str:
    return re.search(r"(\d+ of \d+ answered)", words(response)).group(1)


def test_the_inputs_page_answers_each_kind_and_the_counter_moves(app, inputs, coordinator):
    c = inputs["consultation"]
    browser = Browser(app, coordinator)
    page = browser.get(inputs_url(c))
    assert page.status_code == 200
    assert counter(page) == "0 of 4 answered"
    body = words(page)
    assert "Comment on paragraph 1.2" in body and "Ať platí i pro návštěvy." in body
    assert "Open comment" in body and "paper, entered by Karla Koordinátorová" in body
    assert "Answer to “Otázka long_text”" in body and "Lepší autobusy." in body
    # Every input has its anchor and its own labelled form.
    keys = [
        f"c{inputs['comment'].id}",
        f"c{inputs['paper_comment'].id}",
        f"a{inputs['online_answer'].id}",
        f"a{inputs['paper_answer'].id}",
    ]
    html = page.get_data(as_text=True)
    for key in keys:
        assert f'id="input-{key}"' in html
        assert f'<label for="{key}-justification">' in html
    statuses = [
        ReplyStatus.ACCEPTED,
        ReplyStatus.PARTLY_ACCEPTED,
        ReplyStatus.REJECTED,
        ReplyStatus.OUT_OF_SCOPE,
    ]
    for done, (key, status) in enumerate(zip(keys, statuses, strict=True), start=1):
        response = reply(browser, c, key, status.value, f"Odůvodnění {done}.")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"#input-{key}")
        after = browser.get(response.headers["Location"])
        assert counter(after) == f"{done} of 4 answered"
        assert "The answer is saved." in text(after)
        assert f'id="input-{key}"' in after.get_data(as_text=True)  # still shown, to check
    unanswered = browser.get(inputs_url(c))
    assert "Every input has its answer." in text(unanswered)
    every = browser.get(inputs_url(c, show="all"))
    assert field_value(every, f"{keys[0]}-justification") == "Odůvodnění 1."
    assert selected(every, f"{keys[1]}-status") == "partly_accepted"


def test_the_filters_by_kind(app, inputs, coordinator):
    c = inputs["consultation"]
    browser = Browser(app, coordinator)
    survey = words(browser.get(inputs_url(c, show="survey")))
    assert "Lepší autobusy." in survey and "Ať platí i pro návštěvy." not in survey
    assert "Survey answers (2)" in survey and "Comments on the draft (1)" in survey
    paragraph = words(browser.get(inputs_url(c, show="paragraph")))
    assert "Ať platí i pro návštěvy." in paragraph and "Lepší autobusy." not in paragraph


def test_a_reply_with_errors_keeps_what_was_typed(app, inputs, coordinator):
    c = inputs["consultation"]
    key = f"c{inputs['comment'].id}"
    browser = Browser(app, coordinator)
    response = reply(browser, c, key, "accepted", "   ")
    assert response.status_code == 422
    page = text(response)
    assert "Write a justification" in page and "Please correct the following:" in page
    assert selected(response, f"{key}-status") == "accepted"
    response = reply(browser, c, key, "", "Tohle zůstane napsané.")
    assert response.status_code == 422
    assert "Choose how the input is answered." in text(response)
    assert field_value(response, f"{key}-justification") == "Tohle zůstane napsané."
    assert f'aria-describedby="{key}-status-error"' in response.get_data(as_text=True)
    assert counter(response) == "0 of 4 answered"


def test_tags_for_free_text_answers_show_in_the_results(app, inputs, coordinator):
    c = inputs["consultation"]
    key = f"a{inputs['online_answer'].id}"
    browser = Browser(app, coordinator)
    response = browser.post(
        f"/lipnice/consultations/{c.id}/inputs/{key}/tags?show=survey",
        {f"{key}-t-csrf_token": browser.token, f"{key}-t-tags": "doprava, centrum , doprava"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#input-{key}")
    answer = db.session.get(Answer, inputs["online_answer"].id)
    db.session.refresh(answer)
    assert [t.name for t in answer.tags] == ["centrum", "doprava"]
    after = browser.get(response.headers["Location"])
    assert field_value(after, f"{key}-t-tags") == "centrum, doprava"
    results = words(browser.get(f"/lipnice/consultations/{c.id}/results"))
    assert "Tags of the answers to question 1" in results
    assert "doprava 1 50%" in results
    # Comments have no tags.
    comment_key = f"c{inputs['comment'].id}"
    response = browser.post(
        f"/lipnice/consultations/{c.id}/inputs/{comment_key}/tags",
        {f"{comment_key}-t-tags": "x"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR])
def test_only_coordinators_answer_inputs(app, town, inputs, role):
    c = inputs["consultation"]
    user = make_user(municipality=town.municipality, roles=(role,)) if role else None
    browser = Browser(app, user)
    assert browser.get(inputs_url(c)).status_code == (302 if user is None else 403)
    key = f"c{inputs['comment'].id}"
    assert reply(browser, c, key, "accepted", "Ne.").status_code == (302 if user is None else 403)


def test_an_input_of_another_consultation_is_not_found(app, town, inputs, coordinator):
    c = inputs["consultation"]
    other = make_consultation(town.municipality, by=coordinator)
    browser = Browser(app, coordinator)
    key = f"c{inputs['comment'].id}"
    assert reply(browser, other, key, "accepted", "Ne.").status_code == 404
    assert reply(browser, c, "x1", "accepted", "Ne.").status_code == 404


def publish(browser, c, intro="Děkujeme za připomínky.", confirm="y"):
    data = {"intro": intro}
    if confirm:
        data["confirm"] = confirm
    return browser.post(f"/lipnice/consultations/{c.id}/report/publish", data)


def answer_all(inputs, coordinator):
    c = inputs["consultation"]
    s.reply_to(c, inputs["comment"], ReplyStatus.ACCEPTED, "Návštěvy doplníme.", coordinator)
    s.reply_to(
        c, inputs["paper_comment"], ReplyStatus.PARTLY_ACCEPTED, "Část stojanů.", coordinator
    )
    s.reply_to(c, inputs["online_answer"], ReplyStatus.NOTED, "Bereme na vědomí.", coordinator)
    s.reply_to(c, inputs["paper_answer"], ReplyStatus.OUT_OF_SCOPE, "To řeší kraj.", coordinator)
    db.session.flush()


def test_publishing_is_refused_while_inputs_are_unanswered(app, inputs, coordinator):
    c = inputs["consultation"]
    browser = Browser(app, coordinator)
    page = browser.get(f"/lipnice/consultations/{c.id}/report/publish")
    assert page.status_code == 200
    assert "4 inputs have no answer yet." in words(page)
    response = publish(browser, c)
    assert response.status_code == 422
    body = words(response)
    assert "Answer every input before publishing the report: 4 still without an answer." in body
    assert f"/lipnice/consultations/{c.id}/inputs?show=unanswered" in response.get_data(
        as_text=True
    )
    assert field_value(response, "intro") == "Děkujeme za připomínky."
    db.session.refresh(c)
    assert c.report_published_at is None


def test_publishing_needs_a_confirmation(app, inputs, coordinator):
    c = inputs["consultation"]
    answer_all(inputs, coordinator)
    response = publish(Browser(app, coordinator), c, confirm=None)
    assert response.status_code == 422
    assert "Confirm that the report can be published." in text(response)


def test_publishing_tells_the_followers_and_the_report_answers_every_input(
    app, town, inputs, coordinator, resident, outbox
):
    c = inputs["consultation"]
    follower = make_user(email="sleduje@example.test")
    s.follow(follower, town.municipality, c)
    answer_all(inputs, coordinator)
    outbox.clear()
    response = publish(Browser(app, coordinator), c, intro="Vyhlášku **upravíme**.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/lipnice/consultations/{c.id}/report")
    db.session.refresh(c)
    assert c.status == Status.REPORT_PUBLISHED and c.report_intro == "Vyhlášku **upravíme**."
    assert [m.to for m in outbox] == [follower.email]

    for reader in (None, resident):
        response = Browser(app, reader).get(f"/lipnice/consultations/{c.id}/report")
        assert response.status_code == 200
        page = words(response)
        assert "You said, we did: Nová pravidla parkování" in page
        assert "Vyhláška o parkování" in page and "Zastupitelstvo" in page
        assert "<strong>upravíme</strong>" in response.get_data(as_text=True)
        assert "2 survey responses (1 online, 1 on paper)" in page
        assert "2 comments (1 online, 1 on paper)" in page
        assert "Draft preview" not in page
        # Every input with its answer, grouped.
        for said, status, why in (
            ("Ať platí i pro návštěvy.", "Accepted", "Návštěvy doplníme."),
            ("Chci víc míst pro kola.", "Partly accepted", "Část stojanů."),
            ("Méně aut v centru.", "Noted", "Bereme na vědomí."),
            ("Lepší autobusy.", "Out of scope", "To řeší kraj."),
        ):
            assert said in page and why in page
            after = page[page.index(said) :]
            assert after.index(status) < after.index(why)
        assert page.index("Paragraph 1.2") < page.index("Rezidenti zdarma.")
        assert page.index("Rezidenti zdarma.") < page.index("Ať platí i pro návštěvy.")
        assert page.index("Open comments") < page.index("Chci víc míst pro kola.")
        # Authors by name or as "a resident"; never an email; paper marked.
        assert "Rosa Rezková" in page
        assert "bez.jmena" not in page and "@" not in page.split("Contact")[0]
        assert "Jan Papírový" not in page and "Karla" not in page
        assert page.count("paper") >= 2
        # The summary of answers.
        assert "Accepted 1 25%" in page and "Out of scope 1 25%" in page
        assert "Not answered yet" not in page


def test_staff_preview_the_report_before_it_is_published(app, inputs, coordinator, resident):
    c = inputs["consultation"]
    url = f"/lipnice/consultations/{c.id}/report"
    assert Browser(app, resident).get(url).status_code == 403
    assert Browser(app).get(url).status_code == 302
    page = words(Browser(app, coordinator).get(url))
    assert "Draft preview" in page
    assert "Not answered yet 4 100%" in page


def test_replies_cannot_change_after_the_report_is_published(app, inputs, coordinator):
    c = inputs["consultation"]
    answer_all(inputs, coordinator)
    browser = Browser(app, coordinator)
    assert publish(browser, c).status_code == 302
    key = f"c{inputs['comment'].id}"
    assert reply(browser, c, key, "rejected", "Jinak.").status_code == 403
    assert browser.get(inputs_url(c)).status_code == 403
    again = browser.get(f"/lipnice/consultations/{c.id}/report/publish")
    assert again.status_code == 302  # already published: to the report
    db.session.refresh(inputs["comment"])
    assert "Návštěvy doplníme." in words(browser.get(f"/lipnice/consultations/{c.id}/report"))


def test_the_report_is_published_only_after_the_close(app, town, coordinator):
    c = make_consultation(town.municipality, by=coordinator)
    browser = Browser(app, coordinator)
    assert browser.get(f"/lipnice/consultations/{c.id}/report/publish").status_code == 403
    assert publish(browser, c).status_code == 403


def test_a_report_of_another_town_is_not_found(app, inputs, other_town):
    c = inputs["consultation"]
    stranger = make_user(municipality=other_town.municipality, roles=(Role.COORDINATOR,))
    assert Browser(app, stranger).get(f"/jinde/consultations/{c.id}/report").status_code == 404
