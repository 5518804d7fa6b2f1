def sign(body: bytes) -> str:
    return hmac.new(b"webhook-secret", body, hashlib.sha256).hexdigest()  # expect: DOJO302
