@router.get("/users/{user_id}")
async def get_user(user_id: int, session: SessionDep) -> UserOut:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="user not found")
    return UserOut.model_validate(user)
