@app.post("/import")
async def import_rows(body: Annotated[bytes, Body()]) -> dict[str, int]:
    try:
        rows = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error
    return {"rows": len(rows)}
