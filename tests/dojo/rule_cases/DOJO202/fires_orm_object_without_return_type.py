@app.get("/users/{user_id}")
async def get_user(user_id: int, session: SessionDep):
    user = await session.get(User, user_id)
    return user  # expect: DOJO202
