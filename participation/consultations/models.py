"""E-consultations: the consultation, its documents, survey, draft text, the inputs people
give (responses, answers, comments), the replies to them, tags and follows.

Demographic answers live in ``Demographic``, a table with a random key and no link to
the response or the person, so they can only ever be reported in aggregate.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.consultations.rules import (
    AgeBand,
    Area,
    Channel,
    Foreigner,
    Gender,
    Kind,
    QuestionSpec,
    ReplyStatus,
    Status,
    status,
)
from participation.core.models import Municipality, User, UTCDateTime, enum_type, utcnow
from participation.extensions import db
from participation.maps.models import District, Located
from participation.maps.types import Geometry

consultation_district = Table(
    "consultations_consultation_district",
    db.metadata,
    Column(
        "consultation_id",
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("district_id", ForeignKey("maps_district.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(db.Model):
    """One consultation: its subject, the decision it feeds, area, dates and settings.

    Its status follows from ``published_at``, the dates and ``report_published_at``
    (``rules.status``); opening or closing by hand moves a date to now.
    """

    __tablename__ = "consultations_consultation"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        Index("ix_consultations_consultation_municipality_dates", "municipality_id", "opens_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")  # the decision it feeds
    decision_maker: Mapped[str] = mapped_column(String(200), default="")
    area_kind: Mapped[Area] = mapped_column(
        enum_type(Area, "consultations_area"), default=Area.WHOLE
    )
    area = mapped_column(Geometry("MULTIPOLYGON"), nullable=True)  # when drawn
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_intro: Mapped[str] = mapped_column(Text, default="")
    # How people take part.
    has_survey: Mapped[bool] = mapped_column(Boolean, default=True)
    has_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    open_comments: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymous_responses: Mapped[bool] = mapped_column(Boolean, default=False)
    show_comments: Mapped[bool] = mapped_column(Boolean, default=True)  # others' comments
    ask_demographics: Mapped[bool] = mapped_column(Boolean, default=True)
    draft_title: Mapped[str] = mapped_column(String(200), default="")
    # The contact person.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    # Which notices followers have had, so each goes out once.
    opening_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship()
    districts: Mapped[list[District]] = relationship(
        secondary=consultation_district, order_by="District.name"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="Document.position"
    )
    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="Section.position"
    )
    draft_sections: Mapped[list[DraftSection]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="DraftSection.position",
    )

    @property
    def status(self) -> Status:
        return status(
            self.published_at, self.opens_at, self.closes_at, self.report_published_at, utcnow()
        )

    @property
    def questions(self) -> list[Question]:
        """Every question of the survey, in the order respondents see them."""
        return [q for s in self.sections for q in s.questions]


class Document(db.Model):
    """A file attached to a consultation (PDF or office document), checked on upload."""

    __tablename__ = "consultations_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(100))  # stored name, random
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="documents")

    @property
    def municipality_id(self) -> int:
        return self.consultation.municipality_id


# --- the survey ---------------------------------------------------------------------------


class Section(db.Model):
    __tablename__ = "consultations_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="Question.position"
    )

    @property
    def municipality_id(self) -> int:
        return self.consultation.municipality_id


class Question(db.Model):
    __tablename__ = "consultations_question"
    __table_args__ = (
        CheckConstraint("min_choices IS NULL OR min_choices >= 0", name="min_choices_range"),
        CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_range"),
        CheckConstraint("scale_max > scale_min", name="scale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_section.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "consultations_question_kind"))
    text: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_choices: Mapped[int | None] = mapped_column(Integer)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    scale_min_label: Mapped[str] = mapped_column(String(100), default="")
    scale_max_label: Mapped[str] = mapped_column(String(100), default="")
    number_min: Mapped[float | None] = mapped_column(Float)
    number_max: Mapped[float | None] = mapped_column(Float)
    max_length: Mapped[int | None] = mapped_column(Integer)
    condition_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations_question.id", ondelete="SET NULL")
    )
    condition_value: Mapped[str | None] = mapped_column(String(20))

    section: Mapped[Section] = relationship(back_populates="questions")
    consultation: Mapped[Consultation] = relationship(viewonly=True)
    options: Mapped[list[Option]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Option.position"
    )
    condition_question: Mapped[Question | None] = relationship(remote_side=[id])

    @property
    def municipality_id(self) -> int:
        return self.consultation.municipality_id

    @property
    def spec(self) -> QuestionSpec:
        """What decides valid answers (see ``rules.QuestionSpec``)."""
        return QuestionSpec(
            id=self.id,
            kind=Kind(self.kind),
            required=self.required,
            options=tuple(o.id for o in self.options),
            min_choices=self.min_choices,
            max_choices=self.max_choices,
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            number_min=self.number_min,
            number_max=self.number_max,
            max_length=self.max_length,
            condition_question=self.condition_question_id,
            condition_value=self.condition_value,
        )


class Option(db.Model):
    __tablename__ = "consultations_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_question.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)

    question: Mapped[Question] = relationship(back_populates="options")


# --- the draft document -------------------------------------------------------------------


class DraftSection(db.Model):
    """A numbered section of the draft text under consultation."""

    __tablename__ = "consultations_draft_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    consultation: Mapped[Consultation] = relationship(back_populates="draft_sections")
    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="Paragraph.position"
    )


class Paragraph(db.Model):
    """A numbered paragraph (``section.number``.``number``), the unit people comment on."""

    __tablename__ = "consultations_paragraph"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_draft_section.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)  # Markdown
    position: Mapped[int] = mapped_column(Integer, default=0)

    section: Mapped[DraftSection] = relationship(back_populates="paragraphs")

    @property
    def label(self) -> str:
        return f"{self.section.number}.{self.number}"


# --- inputs -------------------------------------------------------------------------------


class Response(db.Model):
    """One person's survey response, online or entered from paper by staff.

    An online response of a signed-in person is unique per consultation and stays a
    draft (``submitted_at`` empty) until finished; an anonymous one is keyed by a hash
    of a token kept in the browser, also unique.
    """

    __tablename__ = "consultations_response"
    __table_args__ = (
        UniqueConstraint("consultation_id", "respondent_id"),
        UniqueConstraint("consultation_id", "browser_key"),
        CheckConstraint(
            "channel = 'online' OR (entered_by_id IS NOT NULL AND respondent_id IS NULL)",
            name="paper_entered_by_staff",
        ),
        Index("ix_consultations_response_submitted", "consultation_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE")
    )
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL"), index=True
    )
    browser_key: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(
        enum_type(Channel, "consultations_channel", 10), default=Channel.ONLINE
    )
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )
    paper_reference: Mapped[str | None] = mapped_column(String(100))  # e.g. form number
    demographics_given: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship()
    respondent: Mapped[User | None] = relationship(foreign_keys=[respondent_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    @property
    def municipality_id(self) -> int:
        return self.consultation.municipality_id

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


answer_tag = Table(
    "consultations_answer_tag",
    db.metadata,
    Column(
        "answer_id", ForeignKey("consultations_answer.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag_id", ForeignKey("consultations_tag.id", ondelete="CASCADE"), primary_key=True),
)


class Answer(Located, db.Model):
    """One answer of a response; the columns that fit the question's kind are set."""

    __tablename__ = "consultations_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every located item carries its town (maps.Located reassigns districts by it).
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_response.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_question.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)
    number: Mapped[float | None] = mapped_column(Float)
    yes: Mapped[bool | None] = mapped_column(Boolean)
    day: Mapped[date | None] = mapped_column(Date)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    district: Mapped[District | None] = relationship()
    choices: Mapped[list[AnswerChoice]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="AnswerChoice.rank"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=answer_tag, order_by="Tag.name")


class AnswerChoice(db.Model):
    """An option picked in an answer; ``rank`` is the order (1 first) for ranking."""

    __tablename__ = "consultations_answer_choice"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_answer.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_option.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rank: Mapped[int] = mapped_column(Integer, default=1)

    answer: Mapped[Answer] = relationship(back_populates="choices")


class Demographic(db.Model):
    """Voluntary self-declared facts of one respondent, with no link to the response or
    the person and no timestamp: a random key, so not even insertion order ties it back."""

    __tablename__ = "consultations_demographic"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    age_band: Mapped[AgeBand | None] = mapped_column(
        enum_type(AgeBand, "consultations_age_band", 8)
    )
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, "consultations_gender", 8))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("maps_district.id", ondelete="SET NULL")
    )
    language: Mapped[str | None] = mapped_column(String(5))
    foreigner: Mapped[Foreigner | None] = mapped_column(
        enum_type(Foreigner, "consultations_foreigner", 4)
    )
    channel: Mapped[Channel] = mapped_column(
        enum_type(Channel, "consultations_channel", 10), default=Channel.ONLINE
    )


class ConsultationComment(db.Model):
    """A comment on a paragraph of the draft, or an open comment on the consultation
    (``paragraph_id`` empty); online by its author, or entered from paper by staff."""

    __tablename__ = "consultations_comment"
    __table_args__ = (
        CheckConstraint(
            "channel = 'online' OR entered_by_id IS NOT NULL", name="paper_entered_by_staff"
        ),
        Index("ix_consultations_comment_consultation_created", "consultation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE")
    )
    paragraph_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations_paragraph.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str | None] = mapped_column(String(200))  # paper: as signed, optional
    channel: Mapped[Channel] = mapped_column(
        enum_type(Channel, "consultations_channel", 10), default=Channel.ONLINE
    )
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    paragraph: Mapped[Paragraph | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])

    @property
    def municipality_id(self) -> int:
        return self.consultation.municipality_id


class Reply(db.Model):
    """The office's answer to one input: a comment or a free-text survey answer."""

    __tablename__ = "consultations_reply"
    __table_args__ = (
        CheckConstraint("(comment_id IS NULL) <> (answer_id IS NULL)", name="one_input"),
        UniqueConstraint("comment_id"),
        UniqueConstraint("answer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations_comment.id", ondelete="CASCADE")
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations_answer.id", ondelete="CASCADE")
    )
    status: Mapped[ReplyStatus] = mapped_column(
        enum_type(ReplyStatus, "consultations_reply_status")
    )
    justification: Mapped[str] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )
    replied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    comment: Mapped[ConsultationComment | None] = relationship()
    answer: Mapped[Answer | None] = relationship()


class Tag(db.Model):
    """A coordinator's tag for free-text answers (themes for the results)."""

    __tablename__ = "consultations_tag"
    __table_args__ = (UniqueConstraint("consultation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))


class ConsultationFollow(db.Model):
    """A person follows one consultation, or (``consultation_id`` empty) all of a
    municipality's consultations."""

    __tablename__ = "consultations_follow"
    __table_args__ = (
        UniqueConstraint("user_id", "municipality_id", "consultation_id"),
        # NULLs are distinct in a unique constraint; one "follow all" a person.
        Index(
            "ux_consultations_follow_all",
            "user_id",
            "municipality_id",
            unique=True,
            sqlite_where=Column("consultation_id").is_(None),
            postgresql_where=Column("consultation_id").is_(None),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations_consultation.id", ondelete="CASCADE"), index=True
    )
