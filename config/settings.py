"""Settings: the one place that reads the environment.

Every setting is declared once below with its type, default and help text, and
``docs/settings.md`` must describe each of them (a test checks it). The rest of
the code receives a :class:`Settings` object; no other module reads ``os.environ``.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "HOTLINE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def setting(default, help: str):
    """Declare a setting: its default and the line of help shown in the docs."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Typed settings of one hotline deployment."""

    database_url: str = setting(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'hotline.sqlite3'}",
        "SQLAlchemy URL of the ticket ledger; PostgreSQL in production "
        "(postgresql+psycopg://user@host/db), SQLite file under var/ by default.")
    redis_url: str = setting(
        "", "Redis URL for the rq job queue and server push; empty runs jobs in-process.")
    secret_key: str = setting(
        "dev-insecure-secret-change-me-0123456789abcdef",
        "Secret used to sign sessions and CSRF tokens; set a long random value in production.")
    public_url: str = setting(
        "http://127.0.0.1:8080",
        "The URL citizens and webhooks use to reach the hotline (Twilio signs this exact URL).")
    host: str = setting("127.0.0.1", "Address `hotline serve` listens on.")
    port: int = setting(8080, "Port `hotline serve` listens on.")
    timezone: str = setting("Asia/Shanghai", "The city's time zone; ticket numbers and deadlines use it.")
    city_name: str = setting("A市", "City name shown in page titles and reports.")
    var_dir: str = setting(str(PROJECT_ROOT / "var"), "Folder for the SQLite file, uploads and models.")
    citizen_messages_dir: str = setting(
        str(PROJECT_ROOT.parent / "shared" / "data" / "citizen_messages"),
        "Folder of real labelled citizen messages (read in place, never copied); "
        "used for the default model and demo data when present.")
    model_dir: str = setting("", "Model store of the dispatch classifier; empty means var/models.")
    dispatch_min_confidence: float = setting(
        0.55, "Below this confidence a proposed department goes to the triage queue.")
    dispatch_auto: bool = setting(
        True, "Send a ticket on by itself (智能分派) when a rule decides or the model is confident; "
        "false leaves every proposal to a dispatcher in the triage queue.")
    dispatch_rules_file: str = setting(
        "", "Rules pinning keywords or service codes to a department; empty uses config/data/dispatch_rules.yaml.")
    twilio_account_sid: str = setting("", "Twilio account SID; empty uses the console SMS sender.")
    twilio_auth_token: str = setting("", "Twilio auth token; checks X-Twilio-Signature on webhooks.")
    twilio_api_base: str = setting("https://api.twilio.com", "Base URL of Twilio's REST API.")
    twilio_from_number: str = setting("", "Number outbound SMS are sent from.")
    ami_host: str = setting("", "Asterisk AMI host; when set, `hotline serve` listens to AMI.")
    ami_port: int = setting(5038, "Asterisk AMI port.")
    ami_username: str = setting("", "Asterisk AMI user (manager.conf).")
    ami_secret: str = setting("", "Asterisk AMI secret.")
    ami_queue: str = setting(
        "hotline", "Asterisk queue (queues.conf) agents pause in for a break (小休); empty pauses in every queue.")
    ami_callback_channel: str = setting(
        "PJSIP/{phone}@carrier", "Channel a callback (回访) dials first; {phone} is the citizen's number.")
    ami_callback_context: str = setting("callback", "Dialplan context a callback continues in once answered.")
    ami_callback_exten: str = setting("satisfaction", "Extension of that context; it gets TICKET_NUMBER and "
                                      "AGENT_INTERFACE (the agent to connect) as channel variables.")
    ami_callback_caller_id: str = setting('"12345" <12345>', "Caller ID citizens see on a callback.")
    ami_transfer_context: str = setting(
        "departments", "Dialplan context of departments' expert lines (departments.expert_line is the extension).")
    session_max_age: int = setting(8 * 3600, "Seconds a staff login stays valid.")
    rate_limit_per_minute: int = setting(
        20, "Public form posts and lookups allowed per client address per minute.")
    trusted_proxies: str = setting(
        "", "Comma-separated addresses of our own reverse proxies; only their X-Forwarded-For "
        "is believed when finding a client's address for rate limits.")
    intake_max_waiting: int = setting(
        1000, "Registrations (API) and SMS that may wait per web process for the next group's write; past it, "
        "a request is refused at once with 503 and Retry-After, nothing kept, instead of queueing beyond "
        "its client's timeout (hotline/grouping.py).")
    sweep_interval_seconds: int = setting(
        60, "Seconds between runs of the deadline sweep (reminders and escalation of overdue tickets).")
    reminder_text_interval_minutes: int = setting(
        30, "Least minutes between two reminder (催办) texts to one department's duty phone; urgent tickets "
        "and a supervisor's reminder are texted at once.")
    knowledge_synonyms_file: str = setting(
        "", "Vocabulary of the knowledge base search (synonyms, whole words, stop words); "
        "empty uses knowledge/data/synonyms.yaml.")
    report_font: str = setting(
        "", "TrueType font file (.ttf or .ttc) with Chinese glyphs embedded in PDF reports; "
        "empty uses the standard font STSong-Light, which PDF readers supply.")
    log_level: str = setting("INFO", "Logging level.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Build settings from ``HOTLINE_*`` variables, then apply keyword overrides.

        Raises:
            ValueError: a variable does not parse as its declared type.
        """
        environ = os.environ if environ is None else environ
        values = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _parse(f, raw)
        values.update(overrides)
        return cls(**values)

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def model_store_dir(self) -> Path:
        return Path(self.model_dir) if self.model_dir else Path(self.var_dir) / "models"

    @property
    def upload_dir(self) -> Path:
        return Path(self.var_dir) / "uploads"


def _parse(f: dataclasses.Field, raw: str):
    kind = f.type if isinstance(f.type, type) else {"int": int, "float": float, "str": str, "bool": bool}[f.type]
    try:
        if kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"{PREFIX}{f.name.upper()}={raw!r} is not a valid {kind.__name__}") from exc


def documented_settings() -> list[tuple[str, object, str]]:
    """(variable name, default, help) of every setting, for docs and checks."""
    return [(PREFIX + f.name.upper(), f.default, f.metadata["help"]) for f in dataclasses.fields(Settings)]
