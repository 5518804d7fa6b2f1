class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))


class Credentials(BaseModel):
    username: str
    password: str = Field(max_length=1024)
