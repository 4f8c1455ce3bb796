"""Interface strings and formats in the page's language (flask-babel, content/languages.yaml).

Interface strings are written in English in the code and translated in
guide/translations/<code>/LC_MESSAGES/messages.po. A language's catalogue may be partial or absent:
what it lacks is shown in the default language, the same fallback as for guides. Dates and numbers
follow Babel's data for the language; a language Babel does not know (Ê Đê `rad`, M'nông `mnc` are
not in CLDR) borrows the default language's formats, while its pages still say `lang="rad"`.
"""

import os
from functools import cached_property

from babel import localedata, support
from flask import current_app
from flask_babel import Babel, Domain

from .content.languages import SOURCE_LANGUAGE
from .prefixes import current_language, languages


def formats_language() -> str:
    """Babel's locale for this request: the page's language, or the default where Babel has no data."""
    code = current_language()
    return code if localedata.exists(code) else languages().default


class PageLanguageDomain(Domain):
    """Catalogues chosen by the page's language code, not Babel's locale (which may be borrowed),
    each falling back to the default language's."""

    def get_translations(self):
        code = current_language()
        loaded = current_app.extensions.setdefault("guide.translations", {})  # per app: its own folders
        found = loaded.get(code)
        if found is None:
            found = loaded[code] = self._load(code)
        return found

    def _load(self, code: str) -> support.NullTranslations:
        if code == SOURCE_LANGUAGE:
            return support.NullTranslations()  # the msgids are this language
        directories = [os.path.join(current_app.root_path, path) for path in self._directories()]
        translations = support.Translations()
        for directory in directories:
            catalogue = support.Translations.load(directory, [code])
            translations.merge(catalogue)
            # merge() takes the messages only: without the catalogue's plural rule ("one form" in
            # Vietnamese) ngettext asks for a second form that is not there and answers in English
            translations.plural = getattr(catalogue, "plural", translations.plural)
        default = languages().default
        if code != default:
            translations.add_fallback(self._load(default))
        return translations

    @staticmethod
    def _directories() -> list[str]:
        return current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")


class PageLanguageBabel(Babel):
    @cached_property
    def domain_instance(self):
        return PageLanguageDomain()


babel = PageLanguageBabel()
