"""Staff sign-in through OpenID Connect (Microsoft Entra ID or any conforming provider): the provider side.

The authorisation-code flow with PKCE (S256), `state` and `nonce`. This module talks to the provider: its
discovery document (cached), the token endpoint, and the ID token's validation against its JWKS (cached,
fetched again when a token names a key id we do not know, as providers rotate keys). HTTP goes through
`OidcHttp`, chosen in one place (`default_oidc_http`), so tests serve a fake provider and never touch the
network. What a validated identity may do in Townhall is decided in `oidc_accounts.py`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from townhall.config import ConfigurationError, Settings
from townhall.identity.roles import STAFF_ROLES
from townhall.platform import clock
from townhall.platform.errors import TownhallError

ALGORITHMS = ["RS256", "PS256", "ES256"]  # asymmetric only: never "none", never a shared-secret HMAC
LEEWAY_SECONDS = 120  # clock skew between us and the provider
METADATA_SECONDS = 24 * 3600
JWKS_REFRESH_AT_MOST_EVERY = 60.0  # an unknown key id fetches the key set again, but not in a tight loop
SCOPE = "openid profile email"


class OidcProblem(TownhallError):
    """The sign-in could not be completed; the message says what the person can do."""

    status_code = 400


class OidcRefused(OidcProblem):
    status_code = 403


class ProviderUnavailable(OidcProblem):
    status_code = 502


class OidcHttp(Protocol):
    """The two calls made to the identity provider."""

    def get_json(self, url: str) -> dict[str, Any]: ...

    def post_form(self, url: str, data: dict[str, str]) -> dict[str, Any]: ...


class UrllibOidcHttp:
    """The real provider over HTTPS with the standard library (no extra dependency in production)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def _send(self, url: str, body: bytes | None) -> dict[str, Any]:
        import urllib.error
        import urllib.request

        if urlsplit(url).scheme != "https":
            raise ProviderUnavailable(f"The identity provider's address must use https: {url}")
        headers = {"accept": "application/json"}
        if body is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - https checked above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                document = json.loads(response.read(1_000_000))
        except urllib.error.HTTPError as error:
            document = _error_document(error)
        except (OSError, ValueError) as error:
            raise ProviderUnavailable("The sign-in service did not answer. Try again in a few minutes.") from error
        if not isinstance(document, dict):
            raise ProviderUnavailable("The sign-in service answered with something unexpected.")
        return document

    def get_json(self, url: str) -> dict[str, Any]:
        return self._send(url, None)

    def post_form(self, url: str, data: dict[str, str]) -> dict[str, Any]:
        return self._send(url, urlencode(data).encode())


def _error_document(error: Exception) -> dict[str, Any]:
    """A token endpoint's 400 carries a JSON error body (RFC 6749 section 5.2): keep it for the message."""
    try:
        document = json.loads(error.read(100_000))  # type: ignore[attr-defined]
    except (OSError, ValueError):
        document = None
    if isinstance(document, dict) and "error" in document:
        return document
    raise ProviderUnavailable("The sign-in service did not answer. Try again in a few minutes.") from error


def default_oidc_http() -> OidcHttp:
    """The one place the HTTP client for the identity provider is chosen."""
    return UrllibOidcHttp()


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str
    roles_claim: str
    role_map: dict[str, str]

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig:
        """The OIDC settings, checked: a mistake is named here rather than failing a sign-in later."""
        required = {
            "ISSUER": settings.oidc_issuer,
            "CLIENT_ID": settings.oidc_client_id,
            "CLIENT_SECRET": settings.oidc_client_secret,
            "REDIRECT_URL": settings.oidc_redirect_url,
        }
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ConfigurationError(f"OIDC sign-in needs TOWNHALL_OIDC_{', TOWNHALL_OIDC_'.join(missing)}")
        not_staff = sorted(set(settings.oidc_role_map.values()) - STAFF_ROLES)
        if not_staff:
            raise ConfigurationError(
                f"TOWNHALL_OIDC_ROLE_MAP maps to {not_staff[0]!r}, which is not a staff role: "
                f"use {', '.join(sorted(STAFF_ROLES))}"
            )
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"), client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret, redirect_url=settings.oidc_redirect_url,
            roles_claim=settings.oidc_roles_claim, role_map=dict(settings.oidc_role_map),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuthorisationRequest:
    """What the browser is sent to the provider with, and the secrets kept (signed) until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class OidcProvider:
    """One identity provider: discovery, the authorisation URL, the code exchange and ID token validation.

    Shared by every request of an app (thread-safe); it caches the discovery document and the key set.
    """

    def __init__(self, config: OidcConfig, http: OidcHttp, *, monotonic: Callable[[], float] = time.monotonic):
        self.config = config
        self.http = http
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, fetched at most once a day."""
        with self._lock:
            if self._metadata is None or self._monotonic() - self._metadata[0] > METADATA_SECONDS:
                self._metadata = (self._monotonic(), self._fetch_metadata())
            return self._metadata[1]

    def _fetch_metadata(self) -> dict[str, Any]:
        document = self.http.get_json(f"{self.config.issuer}/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != self.config.issuer:
            raise ProviderUnavailable("The sign-in service describes a different issuer: check TOWNHALL_OIDC_ISSUER.")
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if urlsplit(str(document.get(endpoint, ""))).scheme != "https":
                raise ProviderUnavailable(f"The sign-in service's {endpoint} is missing or not https.")
        return document

    def authorisation_request(self, *, state: str, nonce: str, code_verifier: str) -> AuthorisationRequest:
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id, "redirect_uri": self.config.redirect_url,
            "scope": SCOPE, "state": state, "nonce": nonce, "response_mode": "query",
            "code_challenge": create_s256_code_challenge(code_verifier), "code_challenge_method": "S256",
        })  # fmt: skip
        endpoint = str(self.metadata()["authorization_endpoint"])
        separator = "&" if "?" in endpoint else "?"
        return AuthorisationRequest(f"{endpoint}{separator}{query}", state, nonce, code_verifier)

    def exchange_code(self, *, code: str, code_verifier: str) -> str:
        """The ID token for an authorisation code (the client secret and PKCE verifier prove it is ours)."""
        answer = self.http.post_form(
            str(self.metadata()["token_endpoint"]),
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self.config.redirect_url,
             "client_id": self.config.client_id, "client_secret": self.config.client_secret,
             "code_verifier": code_verifier},
        )  # fmt: skip
        id_token = answer.get("id_token")
        if "error" in answer or not isinstance(id_token, str):
            raise OidcProblem("The sign-in service did not accept the sign-in. Start again from the sign-in page.")
        return id_token

    def key_set(self, *, refresh: bool = False) -> KeySet:
        """The provider's public keys; `refresh` fetches them again (rate-limited) when a key id is unknown."""
        with self._lock:
            now = self._monotonic()
            stale = self._keys is None or now - self._keys[0] > METADATA_SECONDS
            may_refresh = refresh and self._keys is not None and now - self._keys[0] >= JWKS_REFRESH_AT_MOST_EVERY
            if stale or may_refresh:
                jwks_uri = str(self._metadata[1]["jwks_uri"]) if self._metadata else None
                document = self.http.get_json(jwks_uri or "")
                try:
                    self._keys = (now, KeySet.import_key_set(document))  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError, KeyError) as error:
                    raise ProviderUnavailable("The sign-in service's keys could not be read.") from error
            assert self._keys is not None
            return self._keys[1]

    def validated_claims(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """The ID token's claims, once its signature, issuer, audience, times and nonce are all correct."""
        self.metadata()  # the key set's address comes from it
        try:
            try:
                token = jwt.decode(id_token, self.key_set(), algorithms=ALGORITHMS)
            except InvalidKeyIdError:
                token = jwt.decode(id_token, self.key_set(refresh=True), algorithms=ALGORITHMS)
            self._claims_registry(nonce).validate(token.claims)
        except ExpiredTokenError as error:
            raise OidcProblem("The sign-in took too long and has expired. Start again.") from error
        except (JoseError, ValueError) as error:
            raise OidcProblem("The sign-in could not be verified. Start again from the sign-in page.") from error
        claims = dict(token.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcProblem("The sign-in could not be verified. Start again from the sign-in page.")
        return claims

    def _claims_registry(self, nonce: str) -> jwt.JWTClaimsRegistry:
        required: Any = {"essential": True}
        return jwt.JWTClaimsRegistry(
            now=lambda: int(clock.now().timestamp()), leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": str(self.metadata()["issuer"])},  # exactly as the provider writes it
            aud={"essential": True, "value": self.config.client_id},
            nonce={"essential": True, "value": nonce}, exp=required, iat=required, sub=required,
        )  # fmt: skip
