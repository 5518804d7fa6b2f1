"""A small notes API on FastAPI and SQLAlchemy. GIVEN CODE: read it, do not edit it.

This module is correct. In this kata you write its tests, in test_notes_api.py beside it; the kit
grades them against its own copy of this file (an edited copy changes nothing, and `dojo check`
says so) and against broken copies of it.

- `POST /notes` with `{"title": ..., "body": ...}`: the title 1 to 100 characters, the body
  optional (default ""). 201 with the note, `{"id": ..., "title": ..., "body": ...}`; 422 for a
  body that breaks those rules.
- `GET /notes/{id}`: 200 with the note; 404 with `{"detail": "note not found"}` if there is none.
- `GET /notes?limit=N`: the notes oldest first (by id), at most `limit` of them (default 20; from 1
  to 100, 422 outside that).
- `DELETE /notes/{id}`: 204 with an empty body; 404 with `{"detail": "note not found"}` if there is none.
- Each request gets its own session from the dependency `get_session`, and what it changes is
  committed before the response. The real `get_session` connects to the database named by
  NOTES_DATABASE_URL (PostgreSQL in production) and fails without it: tests replace it with
  `app.dependency_overrides[get_session]`. `Base.metadata` holds the tables to create.
"""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL_ENV = "NOTES_DATABASE_URL"


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    body: str = ""


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str


@functools.cache
def production_sessions() -> async_sessionmaker[AsyncSession]:
    """The production database's sessionmaker, made on first use."""
    url = os.environ.get(DATABASE_URL_ENV)
    if not url:
        raise RuntimeError(f"{DATABASE_URL_ENV} is not set: in tests, override get_session")
    return async_sessionmaker(create_async_engine(url), expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """A session on the production database, one per request."""
    async with production_sessions()() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
NOT_FOUND = "note not found"

app = FastAPI(title="notes")


@app.post("/notes", status_code=status.HTTP_201_CREATED, response_model=NoteOut)
async def create_note(payload: NoteIn, session: SessionDep) -> Note:
    note = Note(title=payload.title, body=payload.body)
    session.add(note)
    await session.commit()
    await session.refresh(note)
    return note


@app.get("/notes/{note_id}", response_model=NoteOut)
async def read_note(note_id: int, session: SessionDep) -> Note:
    note = await session.get(Note, note_id)
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return note


@app.get("/notes", response_model=list[NoteOut])
async def list_notes(session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[Note]:
    notes = await session.scalars(select(Note).order_by(Note.id).limit(limit))
    return list(notes)


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: int, session: SessionDep) -> Response:
    note = await session.get(Note, note_id)
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    await session.delete(note)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
