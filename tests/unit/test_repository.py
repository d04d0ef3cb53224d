"""A unique-constraint refusal is a 409 problem that does not repeat the database's message."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from fip_core.events import Outbox, event_tables
from fip_core.http import create_resolver
from fip_core.observability import observability
from fip_core.repository import DomainRepository, DuplicateError
from local_platform.events import http_api_event, lambda_context


class Base(DeclarativeBase):
    pass


class PersonRow(Base):
    __tablename__ = "people"
    email: Mapped[str] = mapped_column(primary_key=True)


OUTBOX = Outbox(event_tables(Base.metadata).outbox, "people")


class People(DomainRepository):
    def add(self, email: str) -> None:
        self.session.add(PersonRow(email=email))
        self._flush()


def _add_twice() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        people = People(session, OUTBOX)
        people.add("ada@example.org")
        people.add("ada@example.org")


def test_a_duplicate_is_refused_with_the_cause_kept_for_logs() -> None:
    with pytest.raises(DuplicateError) as refused:
        _add_twice()
    assert "UNIQUE constraint failed: people.email" in refused.value.cause
    assert "people" not in refused.value.detail


def test_an_unreworded_duplicate_answers_409_not_500() -> None:
    app = create_resolver(observability("tests"))

    @app.post("/people")
    def add() -> dict[str, str]:
        _add_twice()
        return {}

    answer = app.resolve(http_api_event("POST", "/people", body={}), lambda_context())
    assert answer["statusCode"] == 409
    problem = json.loads(answer["body"])
    assert problem["status"] == 409
    assert "ada@example.org" not in answer["body"]
    assert "people.email" not in answer["body"]
