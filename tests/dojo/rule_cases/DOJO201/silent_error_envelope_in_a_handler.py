async def api_error_handler(request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse({"error": {"code": error.code}}, status_code=error.status_code)


def error_body(code: str) -> dict[str, object]:
    return {"error": {"code": code}}
