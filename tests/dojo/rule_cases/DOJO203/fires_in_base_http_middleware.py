class Limit(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: CallNext) -> Response:
        if self.over_limit(request):
            raise HTTPException(status_code=429, detail="slow down")  # expect: DOJO203
        return await call_next(request)
