@router.get("/users/{user_id}")
async def get_user(user_id: int, session: SessionDep) -> dict[str, object]:
    user = await session.get(User, user_id)
    if user is None:
        return {"error": "user not found"}  # expect: DOJO201
    return {"id": user.id}
