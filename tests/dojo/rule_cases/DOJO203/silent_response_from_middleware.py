class Limit(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: CallNext) -> Response:
        if self.over_limit(request):
            return JSONResponse({"detail": "slow down"}, status_code=429, headers={"Retry-After": "30"})
        return await call_next(request)
