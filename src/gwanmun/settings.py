"""All configuration, in one object. The only module that reads the environment.

Sources, strongest first: keyword arguments, ``GWANMUN_*`` environment
variables (nested fields with ``__``, lists and objects as JSON), the YAML file
named by ``GWANMUN_CONFIG``, then the defaults below. Every field is documented
in docs/configuration.md; a test fails when one is missing there.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from gwanmun.errors import ConfigError
from gwanmun.origins import normal_origin
from gwanmun.types import Grade


class BackendConfig(BaseModel):
    """An internal OpenAI-compatible model server (vLLM, Ollama, llama.cpp, TGI)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Unique backend name, used in logs, audit and /v1/models.")
    base_url: str | None = Field(
        default=None,
        description="Base URL including /v1, e.g. http://10.0.0.5:8000/v1. Must resolve to "
        "loopback or one of internal_networks. Give either base_url or base_urls.",
    )
    base_urls: list[str] = Field(
        default_factory=list,
        description="A pool: several base URLs serving the same models. Requests go to the "
        "least busy healthy one and fail over on connection failure before the first token.",
    )
    models: list[str] = Field(
        min_length=1,
        description="Model names this backend serves; requests are routed by exact name.",
    )
    api_key_env: str | None = Field(
        default=None,
        description="Name of the environment variable holding this backend's API key "
        "(the key itself never goes in a config file).",
    )
    timeout_s: float = Field(
        default=120.0, gt=0, description="Seconds to wait for a response (or the next chunk)."
    )
    connect_timeout_s: float = Field(default=5.0, gt=0, description="Seconds to connect.")
    retries: int = Field(
        default=1,
        ge=0,
        le=5,
        description="Retries on connection failure before any byte is received. Requests that "
        "reached the model are never retried.",
    )
    max_grade: Grade = Field(
        default=Grade.O,
        description="Highest N2SF data grade (C, S or O) this backend may receive.",
    )
    max_concurrency: int = Field(
        default=0,
        ge=0,
        description="Pool: most requests in flight at one upstream (0: no limit). When every "
        "upstream is full, a request waits up to queue_timeout_s for a slot.",
    )
    queue_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Pool: seconds a request waits for a free upstream slot before a 503.",
    )
    health_interval_s: float = Field(
        default=10.0,
        ge=0,
        description="Pool: seconds between health checks (GET base_url/models) of each "
        "upstream; 0 turns them off.",
    )
    health_timeout_s: float = Field(
        default=2.0, gt=0, description="Pool: seconds one health check may take."
    )
    failure_threshold: int = Field(
        default=3,
        ge=1,
        description="Pool: consecutive failures (requests or health checks) that take an "
        "upstream out (circuit open).",
    )
    cooldown_s: float = Field(
        default=10.0,
        gt=0,
        description="Pool: seconds an upstream stays out before one probe (a health check or "
        "a request) may put it back.",
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else _http(value, "base_url")

    @field_validator("base_urls")
    @classmethod
    def _http_urls(cls, value: list[str]) -> list[str]:
        urls = [_http(v, "base_urls") for v in value]
        if len(urls) != len(set(urls)):
            raise ValueError("base_urls must not list one URL twice")
        return urls

    @model_validator(mode="after")
    def _one_form(self) -> BackendConfig:
        if (self.base_url is None) == (not self.base_urls):
            raise ValueError(
                f"backend {self.name!r}: give either base_url (one server) or base_urls "
                "(a pool), not both and not neither"
            )
        return self

    @property
    def urls(self) -> list[str]:
        """Every upstream URL of this backend: one, or the pool's."""
        return [self.base_url] if self.base_url is not None else list(self.base_urls)

    @property
    def pooled(self) -> bool:
        return bool(self.base_urls)


def _http(value: str, field: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{field} must start with http:// or https://")
    return value.rstrip("/")


class EmbeddedConfig(BaseModel):
    """The in-process llama.cpp server that runs the default model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="Run the embedded model server.")
    model: str = Field(
        default="smollm2-135m-instruct",
        description="Name of the model to serve: the packaged default or a name registered "
        "with `gwanmun models add`.",
    )
    n_parallel: int = Field(default=4, ge=1, le=64, description="Concurrent request slots.")
    n_threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads for generation and prompt processing; 0 means all the "
        "cores this process may use but one (at least one), so the gateway keeps a core.",
    )
    n_ctx: int = Field(
        default=8192, ge=512, description="Total context tokens, shared by all slots."
    )
    max_grade: Grade = Field(
        default=Grade.S,
        description="Highest data grade the embedded model may receive. It runs in-process on "
        "this machine, so S by default; set C only where the zone allows.",
    )
    startup_timeout_s: float = Field(
        default=120.0, gt=0, description="Seconds to wait for the model to load."
    )


class EmbeddingsConfig(BaseModel):
    """``/v1/embeddings``: the knowledge bases' sentence encoder, served to internal
    tools so they need no second server. Texts pass the input guard's data
    detectors first (a blocked value is refused, a masked one is embedded as its
    placeholder)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="Serve POST /v1/embeddings.")
    max_grade: Grade = Field(
        default=Grade.S,
        description="Highest data grade a text sent for embedding may have. The encoder runs "
        "in this process, but its vectors leave it (and text can be partly recovered from "
        "vectors), so S by default, like the embedded model.",
    )
    max_inputs: int = Field(
        default=256, ge=1, le=2048, description="Most texts in one embeddings request."
    )


class LimitsConfig(BaseModel):
    """Request size and format limits (NIS M14)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted, in bytes."
    )
    max_messages: int = Field(default=256, ge=1, description="Most messages in one request.")
    max_message_chars: int = Field(
        default=100_000, ge=1, description="Most characters in one message's text."
    )
    max_tokens: int = Field(
        default=4096, ge=1, description="Highest max_tokens a request may ask for."
    )
    default_max_tokens: int = Field(
        default=512, ge=1, description="max_tokens used when a request does not set it."
    )

    @model_validator(mode="after")
    def _default_within_cap(self) -> LimitsConfig:
        if self.default_max_tokens > self.max_tokens:
            raise ValueError("default_max_tokens must not exceed max_tokens")
        return self


class DocumentsConfig(BaseModel):
    """Caps on reading uploaded and indexed documents (txt, md, pdf, docx, hwpx, hwp).

    A small .docx or .hwpx can declare gigabytes of XML (a zip bomb): the caps are
    checked against the archive's member headers before anything is decompressed,
    and again while reading, so a refused document costs neither time nor memory.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_extracted_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        description="Most bytes decompressed from one document in all (the XML parts of a "
        "docx or hwpx, the record streams of an hwp, the text of a pdf).",
    )
    max_member_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Most bytes one XML part of a docx or hwpx, or one section of an hwp, "
        "may decompress to.",
    )
    max_compression_ratio: int = Field(
        default=100,
        ge=10,
        description="Highest decompressed/compressed size ratio of a part over 1 MiB; "
        "real office XML stays well below it, zip bombs far above.",
    )
    max_members: int = Field(
        default=2000,
        ge=10,
        description="Most files inside one docx or hwpx archive (streams in an hwp).",
    )
    max_pdf_pages: int = Field(default=2000, ge=1, description="Most pages in one pdf.")
    timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds one document may take to read; checked between XML events and "
        "pdf pages.",
    )


class AccountsConfig(BaseModel):
    """Web login and sessions (NIS M09: identification and authentication)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_failed_logins: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Wrong passwords in a row, from one source address, before the account "
        "locks for that source (other addresses can still sign in).",
    )
    lockout_minutes: float = Field(
        default=15.0, gt=0, description="How long a locked account stays locked."
    )
    login_attempts_per_minute: int = Field(
        default=30,
        ge=0,
        description="Failed login attempts one source address may make per minute over all user "
        "names (0: no limit); more get 429.",
    )
    max_login_records: int = Field(
        default=10_000,
        ge=10,
        description="Most failed-login counts (per user name and source address) kept; past it "
        "the oldest go, those of names that are no account first, so a name sprayer cannot "
        "grow the key store. A count with no lock and no attempt for lockout_minutes is "
        "dropped whatever this says.",
    )
    session_hours: float = Field(
        default=8.0, gt=0, le=720, description="How long a web login lasts."
    )
    min_password_length: int = Field(
        default=12, ge=8, le=256, description="Shortest password accepted."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie Secure (HTTPS only). Turn on when a TLS proxy "
        "fronts Gwanmun.",
    )


class RateLimitConfig(BaseModel):
    """Per-user and per-group limits on chat requests; 0 means no limit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_requests_per_minute: int = Field(
        default=60, ge=0, description="Chat requests one user may start per minute."
    )
    group_requests_per_minute: int = Field(
        default=0, ge=0, description="Chat requests one group (department) may start per minute."
    )
    user_tokens_per_day: int = Field(
        default=0, ge=0, description="Prompt plus completion tokens one user may use per day."
    )
    group_tokens_per_day: int = Field(
        default=0, ge=0, description="Prompt plus completion tokens one group may use per day."
    )


class Settings(BaseSettings):
    """Gwanmun's settings. See docs/configuration.md for every field."""

    model_config = SettingsConfigDict(
        env_prefix="GWANMUN_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8080, ge=0, le=65535, description="Port the HTTP server binds to.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Gateway processes serving the one port (uvicorn workers), each a full "
        "gateway. Above 1 needs database_url, so limits, accounts and the audit chain are "
        "shared as between replicas, and the embedded model off (run models as backends).",
    )
    data_dir: Path = Field(
        default_factory=lambda: default_data_dir(os.environ),
        description="Directory for the key store, audit chain, keys, model registry and other "
        "state, shared by the server and every CLI command. Default: systemd's "
        "STATE_DIRECTORY, else /var/lib/gwanmun when run as a service (INVOCATION_ID set "
        "by systemd, or GWANMUN_SERVICE=1), else the user's data directory "
        "(~/.local/share/gwanmun; XDG_DATA_HOME respected).",
    )
    allow_anonymous: bool = Field(
        default=False,
        description="Development mode: accept requests without an API key. Refused unless "
        "host is a loopback address.",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) besides the gateway's own whose pages may "
        "sign a browser in and send requests with its session, e.g. "
        '["https://gwanmun.example.go.kr"] behind a proxy that rewrites Host. Default: '
        "the gateway's own origin only.",
    )
    internal_networks: list[str] = Field(
        default_factory=list,
        description="CIDR networks (besides loopback) that backends may live in, e.g. "
        '["10.20.0.0/16"]. Every other destination is refused at startup and at run time.',
    )
    egress_guard: bool = Field(
        default=True,
        description="Refuse, at run time, any connection from this process to an address "
        "outside loopback and internal_networks.",
    )
    backends: list[BackendConfig] = Field(
        default_factory=list, description="Internal OpenAI-compatible model servers."
    )
    embedded: EmbeddedConfig = Field(
        default_factory=EmbeddedConfig, description="The embedded llama.cpp model server."
    )
    limits: LimitsConfig = Field(
        default_factory=LimitsConfig, description="Request size and format limits."
    )
    accounts: AccountsConfig = Field(
        default_factory=AccountsConfig, description="Web login, lockout and sessions."
    )
    embeddings: EmbeddingsConfig = Field(
        default_factory=EmbeddingsConfig,
        description="The /v1/embeddings endpoint: on or off, highest grade, batch size.",
    )
    documents: DocumentsConfig = Field(
        default_factory=DocumentsConfig,
        description="Caps on reading documents: decompressed size, ratio, members, pages, time.",
    )
    rate_limits: RateLimitConfig = Field(
        default_factory=RateLimitConfig,
        description="Per-user and per-group request rates and daily token quotas.",
    )
    metrics_enabled: bool = Field(
        default=True,
        description="Serve Prometheus metrics at /metrics (counts and timings only: no user "
        "names, no text).",
    )
    log_format: str = Field(
        default="json",
        description="Log line format: json (one object per line, for collectors) or text.",
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    audit_key_file: Path | None = Field(
        default=None,
        description="HMAC key of the audit chain; unset means data_dir/audit.key, created "
        "(mode 0600) on first start. Keep it away from the audit database in production.",
    )
    audit_database_url: str | None = Field(
        default=None,
        description="Where the audit chain lives when not with the rest of the state. Unset: "
        "database_url's PostgreSQL if set, else SQLite at data_dir/audit.db. A PostgreSQL URL "
        "(postgresql://gwanmun@10.20.0.9/gwanmun) of its own lets the chain sit where the "
        "administrators of the shared database cannot write; several processes write one "
        "chain. The password goes in PGPASSWORD or ~/.pgpass, never here; the host must be "
        "loopback or in internal_networks, and is resolved once at start-up and pinned.",
    )
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL for the state several gateway processes share: accounts, "
        "keys and sessions, templates, ratings and feedback, uploaded files, the knowledge "
        "bases (vectors ranked in the database when it has pgvector), the rate-limit and quota "
        "counters and, unless audit_database_url is set, the audit chain. Unset: SQLite files "
        "in data_dir and counters in the process. Password in PGPASSWORD or ~/.pgpass, never "
        "here; the host must be loopback or in internal_networks.",
    )
    institution: str = Field(
        default="Gwanmun",
        min_length=1,
        max_length=200,
        description="The institution's name, shown in AI-generated marks and signed into "
        "provenance records (e.g. 서울특별시 민원담당관).",
    )
    provenance_key_file: Path | None = Field(
        default=None,
        description="The institution's Ed25519 key that signs provenance records; unset means "
        "data_dir/provenance.key, created (mode 0600) on first start. Share its public half "
        "(`gwanmun signing-key`) with whoever verifies exported texts.",
    )
    audit_text: Literal["none", "masked"] = Field(
        default="none",
        description="What the audit record keeps of the conversation: none (the default), or "
        "masked: the messages as the model received them and its answer, with placeholders "
        "for every masked value. Blocked requests never keep text.",
    )
    policy_file: Path | None = Field(
        default=None,
        description="Guard policy YAML (docs/policy.md); unset means the shipped default. "
        "Check a file with `gwanmun policy check FILE`.",
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        normal = []
        for value in values:
            origin = normal_origin(value)
            if origin is None:
                raise ValueError(
                    f"{value!r} is not an origin: write scheme://host[:port] with http or "
                    "https and no path, e.g. https://gwanmun.example.go.kr (no wildcards)"
                )
            normal.append(origin)
        return normal

    @field_validator("internal_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for net in value:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError as exc:
                raise ValueError(f"internal_networks: {net!r} is not a CIDR network") from exc
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in ("json", "text"):
            raise ValueError("log_format must be json or text")
        return value

    @field_validator("audit_database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("audit_database_url must be a postgresql:// URL (or unset)")
        return value

    @model_validator(mode="after")
    def _anonymous_only_on_loopback(self) -> Settings:
        if self.allow_anonymous and not is_loopback_host(self.host):
            raise ValueError(
                "allow_anonymous is only allowed when host is a loopback address "
                f"(got host={self.host!r}); create API keys with `gwanmun keys create` instead"
            )
        names = [b.name for b in self.backends]
        if len(names) != len(set(names)):
            raise ValueError("backend names must be unique")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("GWANMUN_CONFIG")
        if config_file:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_file))
        return tuple(sources)


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SERVICE_DATA_DIR = Path("/var/lib/gwanmun")


def running_as_service(environ: Mapping[str, str]) -> bool:
    """Started by systemd (which sets INVOCATION_ID for every unit) or told so."""
    return bool(environ.get("INVOCATION_ID")) or environ.get("GWANMUN_SERVICE") == "1"


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """Where state lives when ``data_dir`` is not set: one answer for the server
    and every CLI command, whatever the current directory."""
    state = environ.get("STATE_DIRECTORY", "").split(":")[0]
    if state:
        return Path(state)  # systemd's StateDirectory=
    if running_as_service(environ):
        return SERVICE_DATA_DIR
    if sys.platform == "win32":
        base = environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "gwanmun"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "gwanmun"
    xdg = environ.get("XDG_DATA_HOME", "")
    # XDG: a relative value is invalid and ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "gwanmun"


def data_dir_origin(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """Why ``settings.data_dir`` is what it is, in words (every CLI command says it)."""
    environ = os.environ if environ is None else environ
    if "data_dir" in settings.model_fields_set:
        if environ.get("GWANMUN_DATA_DIR"):
            return "GWANMUN_DATA_DIR"
        return "data_dir in the configuration"
    if environ.get("STATE_DIRECTORY"):
        return "systemd StateDirectory"
    if running_as_service(environ):
        return "service default"
    return "user default; set GWANMUN_DATA_DIR to use another"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment and config file, plus explicit overrides.

    A ``GWANMUN_CONFIG`` that names no readable file is a ``ConfigError``: the
    YAML source would read it as empty, and a gateway would start on defaults
    (no backends, the shipped policy) because of a typo in a path."""
    config_file = os.environ.get("GWANMUN_CONFIG")
    if config_file and not Path(config_file).is_file():
        raise ConfigError(
            f"GWANMUN_CONFIG names {config_file}, which is not a file; "
            "give the path of the YAML configuration, or unset GWANMUN_CONFIG"
        )
    return Settings(**overrides)


def backend_api_key(backend: BackendConfig) -> str | None:
    """The backend's API key, read from the environment variable it names."""
    if backend.api_key_env is None:
        return None
    return os.environ.get(backend.api_key_env)
