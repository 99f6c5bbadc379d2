"""A fake OpenID Connect provider behind `OidcHttp`: discovery, JWKS and a token endpoint, no network.

It signs ID tokens with an RSA key made here, checks the client secret and the PKCE verifier like a real
provider, and lets a test change any claim, the signing key or the key id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "https://login.example.test/tenant-1/v2.0"
CLIENT_ID = "townhall-client"
CLIENT_SECRET = "client-secret-for-tests"
REDIRECT_URL = "http://testserver/sign-in/oidc/callback"


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


@dataclass
class FakeProvider:
    signing_key: RSAKey = field(default_factory=lambda: new_key("key-1"))
    published: list[RSAKey] = field(default_factory=list)
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> challenge and claims to sign
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.published = self.published or [self.signing_key]

    # --- OidcHttp ---
    def get_json(self, url: str) -> dict[str, Any]:
        self.requests.append(url)
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return {"issuer": ISSUER, "authorization_endpoint": "https://login.example.test/authorize",
                    "token_endpoint": "https://login.example.test/token",
                    "jwks_uri": "https://login.example.test/keys"}  # fmt: skip
        if url == "https://login.example.test/keys":
            return {"keys": [key.as_dict(private=False) for key in self.published]}
        raise AssertionError(f"unexpected GET {url}")

    def post_form(self, url: str, data: dict[str, str]) -> dict[str, Any]:
        self.requests.append(url)
        assert url == "https://login.example.test/token"
        grant = self.issued.pop(data.get("code", ""), None)
        if (
            grant is None
            or data.get("client_secret") != CLIENT_SECRET
            or data.get("client_id") != CLIENT_ID
            or create_s256_code_challenge(data.get("code_verifier", "")) != grant["challenge"]
            or data.get("redirect_uri") != REDIRECT_URL
        ):
            return {"error": "invalid_grant"}
        return {"token_type": "Bearer", "access_token": "unused", "id_token": self.id_token(grant["claims"])}

    # --- what the provider does in the browser, and what it signs ---
    def authorise(self, authorisation_url: str, *, code: str = "code-1", **claims: Any) -> dict[str, str]:
        """The user signs in at the provider: remember the challenge; return the callback's query."""
        query = {name: values[0] for name, values in parse_qs(urlsplit(authorisation_url).query).items()}
        assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
        self.issued[code] = {"challenge": query["code_challenge"], "claims": self.claims(query["nonce"]) | claims}
        return {"code": code, "state": query["state"]}

    def claims(self, nonce: str) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": ISSUER, "aud": CLIENT_ID, "sub": "entra-subject-1", "iat": now, "exp": now + 3600,
                "nonce": nonce, "email": "jo.officer@council.example", "name": "Jo Officer",
                "groups": ["group-officers"]}  # fmt: skip

    def id_token(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, {k: v for k, v in claims.items() if v is not None}, self.signing_key)
