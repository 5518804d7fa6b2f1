def nightly_export() -> None:
    httpx.post(EXPORT_URL, content=build_export(), timeout=600)
