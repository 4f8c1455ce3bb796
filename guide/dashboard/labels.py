"""What a counted subject is called on the dashboard: its title from the content, never its id."""

from flask import current_app
from flask_babel import gettext as _

from ..prefixes import current_language


def subject_label(subject: str) -> str:
    """A page's or a wizard outcome's title in the page's language ("cach-nop:buu-dien" → "Cách nộp
    hồ sơ: Nộp qua bưu điện"); one that is no longer in the content says so."""
    language = current_language()
    pages = {"home": _("Home page"), "commune": _("Commune page"), "guides": _("All guides"), "search": _("Search")}
    if subject in pages:
        return pages[subject]
    library = current_app.extensions["guide.library"]
    guide, _fell_back = library.guide(subject, language)
    if guide is not None:
        return guide.title
    wizard_slug, _sep, outcome_id = subject.partition(":")
    wizard = current_app.extensions["guide.wizards"].get(wizard_slug)
    if wizard is not None:
        default = library.languages.default
        title = wizard.title.get(language) or wizard.title[default]
        outcome = wizard.outcomes.get(outcome_id)
        if outcome is None:
            return title if not outcome_id else _("%(title)s (no longer in the guide)", title=subject)
        return f"{title}: {outcome.title.get(language) or outcome.title[default]}"
    return _("%(title)s (no longer in the guide)", title=subject)
