@app.get("/users/{user_id}")
async def get_user(user_id: int) -> UserOut:
    db = SessionLocal()  # expect: DOJO101
    user = await db.get(User, user_id)
    return UserOut.model_validate(user)
