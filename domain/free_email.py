"""Free-mail providers: addresses anyone can get, refused by fields with `blockFreeEmail`."""

from __future__ import annotations

FREE_EMAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "fastmail.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hey.com",
        "hotmail.co.uk",
        "hotmail.com",
        "hotmail.fr",
        "icloud.com",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "naver.com",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "163.com",
        "126.com",
        "tutanota.com",
        "web.de",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.fr",
        "yandex.com",
        "yandex.ru",
        "ymail.com",
        "zoho.com",
    }
)


def is_free_email_domain(domain: str) -> bool:
    """True for a free-mail provider's domain (or a subdomain of one), in any case."""
    name = domain.lower().rstrip(".")
    return any(name == d or name.endswith("." + d) for d in FREE_EMAIL_DOMAINS)
