@app.middleware("http")
async def require_key(request: Request, call_next: CallNext) -> Response:
    if "x-api-key" not in request.headers:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED)  # expect: DOJO203
    return await call_next(request)
