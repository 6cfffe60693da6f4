"""Users, sign-in (password, Google), JWTs, API keys and e-mail verification."""
