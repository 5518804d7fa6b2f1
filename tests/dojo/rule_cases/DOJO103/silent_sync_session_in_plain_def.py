@app.get("/users/{user_id}")
def get_user(user_id: int) -> UserOut:
    with SessionLocal() as db:
        return UserOut.model_validate(db.query(User).filter(User.id == user_id).one())
