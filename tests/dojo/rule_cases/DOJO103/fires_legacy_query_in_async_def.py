@app.get("/users/{user_id}")
async def get_user(user_id: int) -> UserOut:
    with SessionLocal() as db:
        user = db.query(User).filter(User.id == user_id).one()  # expect: DOJO103
    return UserOut.model_validate(user)
