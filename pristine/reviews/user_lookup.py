"""Code review: a user lookup endpoint (~15 min).

The pull request says: "Adds GET /users/{user_id}, which returns a user's profile so the mobile app
can show it." It works on the author's laptop. Review it as you would at work: name every problem,
say what it breaks in production and how badly, then fix this file in place.

The contract the tests hold you to: GET /users/{user_id} answers the profile as {"id", "email",
"name"} and nothing else; an unknown id is a 404, an id that is not an integer a 422; every request
gives its database connection back, whatever it answers, and the app closes its connections when it
shuts down; a slow query does not stop the app from serving other requests meanwhile.

Keep the seams the tests use: `create_app(database_path)` builds the app on that SQLite file, and the
`Base`/`User` model stays as it is (the tests create the table and the rows with it).

Run `dojo check user_lookup` (behaviour) and `dojo lint user_lookup` (ruff's review profile,
mypy --strict and the rule pack); `dojo answer user_lookup` shows the answer key once the tests pass.
"""

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))


def create_app(database_path: Path) -> FastAPI:
    engine = create_engine(f"sqlite:///{database_path}")
    SessionLocal = sessionmaker(engine)
    app = FastAPI()

    @app.get("/users/{user_id}")
    async def get_user(user_id):
        db = SessionLocal()
        user = db.query(User).filter(User.id == user_id).first()
        if user == None:
            return {"error": "user not found"}
        return user

    return app
