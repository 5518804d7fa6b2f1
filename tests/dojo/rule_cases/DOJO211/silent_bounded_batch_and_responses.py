class BatchIn(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=32)


class BatchOut(BaseModel):
    digests: list[str]
