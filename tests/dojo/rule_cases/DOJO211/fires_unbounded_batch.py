class BatchIn(BaseModel):
    texts: list[str]  # expect: DOJO211
