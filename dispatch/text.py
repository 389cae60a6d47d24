"""Text normalisation and word segmentation for citizen messages.

Citizens type on phones and old PCs, so the same word arrives in full-width
or half-width forms, with stray spaces and with greetings (尊敬的领导, 您好)
that say nothing about which department should handle the ticket. Everything
the classifier sees goes through :func:`normalise` first, and words come from
jieba's dictionary, extended with the city's own place and department names.

jieba loads a 350,000-word prefix dictionary (about half a second, tens of
megabytes), so each distinct user dictionary is loaded once per process and
shared; :class:`Segmenter` pickles as its user words only.
"""

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

#: Runs of whitespace and control characters (NUL included, which the
#: classifier uses to separate texts), each run becoming one space.
WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
#: The most common of NFKC's changes in citizens' messages, done by a fast
#: table lookup first: full-width ASCII forms, the ideographic space and the
#: ellipsis; after it only about one message in a hundred needs NFKC itself.
FULL_WIDTH = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {0x3000: " ", 0x2026: "..."}
#: Greetings and sign-offs that open or close most messages; they carry no
#: routing signal and only add noise to the features shown to agents.
BOILERPLATE = re.compile(
    r"(?:尊敬的(?:各位)?(?:领导|局长|厅长|县长|市长|书记|主任|同志|工作人员)?"
    r"|(?:领导|局长|县长|市长|书记)?(?:您|你)好|此致敬礼|谢谢(?:您|你)?"
    r")[:,!.;。]?"  # with the punctuation that follows, half-width after NFKC
)
#: Runs of CJK ideographs, letters and digits: text jieba's dictionary can match.
HAN_RUN = re.compile(r"[\u4e00-\u9fd5a-z0-9]+")
#: Tokens that are punctuation or symbols only.
PUNCTUATION_ONLY = re.compile(r"^[\W_]+$")
#: Frequency given to user words so jieba prefers them over splitting them.
USER_WORD_FREQUENCY = 100_000

jieba.setLogLevel(logging.WARNING)
_tokenizers: dict[tuple[str, ...], jieba.Tokenizer] = {}
_tokenizers_lock = threading.RLock()


def normalise(text: str) -> str:
    """Return a canonical form of a message for matching and features.

    NFKC folds full-width letters, digits and punctuation to half-width
    (ＡＢＣ１２３，→ ABC123,); lower case makes anonymised place codes such as
    A3区 and a3区 the same; boilerplate greetings are removed.

    Args:
        text: A raw message as the citizen or the agent typed it.

    Returns:
        The normalised text, with no leading, trailing or repeated whitespace.
    """
    folded = text.translate(FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", folded):  # rarer forms: ①, ㎡, ﹐ ...
        folded = unicodedata.normalize("NFKC", folded)
    folded = folded.lower()
    folded = BOILERPLATE.sub(" ", folded)
    return WHITESPACE.sub(" ", folded).strip()


def _tokenizer_for(user_words: tuple[str, ...]) -> jieba.Tokenizer:
    """Load (once per process) a jieba tokenizer knowing ``user_words``.

    Tokenizers with user words start from a copy of the plain one's
    frequency table, which takes milliseconds, rather than reading jieba's
    dictionary cache again, which takes about a second.
    """
    with _tokenizers_lock:
        tokenizer = _tokenizers.get(user_words)
        if tokenizer is None:
            tokenizer = jieba.Tokenizer()
            if user_words:
                plain = _tokenizer_for(())
                tokenizer.FREQ, tokenizer.total = dict(plain.FREQ), plain.total
                tokenizer.initialized = True
                for word in user_words:
                    tokenizer.add_word(word, freq=USER_WORD_FREQUENCY)
            else:
                tokenizer.initialize()
            _tokenizers[user_words] = tokenizer
        return tokenizer


class Segmenter:
    """Splits Chinese text into words with jieba plus a user dictionary.

    Args:
        user_words: Extra words jieba should keep whole, such as district,
            street and department names (芙蓉区, 住建局); they are lower-cased
            and NFKC-folded like the text they will be matched against.
    """

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        folded = {normalise(word) for word in user_words}
        self.user_words = tuple(sorted(word for word in folded if word))

    def __getstate__(self) -> dict:
        return {"user_words": self.user_words}

    def __setstate__(self, state: dict) -> None:
        self.user_words = state["user_words"]

    def __repr__(self) -> str:
        return f"Segmenter(user_words={len(self.user_words)} words)"

    def words(self, text: str) -> list[str]:
        """Segment ``text`` into non-overlapping words (jieba precise mode).

        Args:
            text: Normalised text (see :func:`normalise`).

        Returns:
            The words in reading order, punctuation dropped.
        """
        tokenizer = _tokenizer_for(self.user_words)
        return [
            word
            for word in tokenizer.lcut(text)
            if not word.isspace() and not PUNCTUATION_ONLY.match(word)
        ]

    def dictionary_words(self, text: str) -> list[str]:
        """List every dictionary word of two or more characters in ``text``.

        Like jieba's full mode, overlapping words are all kept (天然气 gives
        天然 and 天然气), which makes a richer bag of words for classifying
        than one segmentation, and walking jieba's prefix dictionary directly
        is about three times faster than its precise mode.

        Args:
            text: Normalised text (see :func:`normalise`).

        Returns:
            The words in order of their first character, repeats included.
        """
        frequencies = _tokenizer_for(self.user_words).FREQ
        found = []
        for run in HAN_RUN.findall(text):
            length = len(run)
            for start in range(length - 1):
                end = start + 2
                fragment = run[start:end]
                # A fragment absent from the prefix dictionary can start no
                # longer word either; a zero frequency marks a mere prefix.
                while fragment in frequencies:
                    if frequencies[fragment]:
                        found.append(fragment)
                    end += 1
                    if end > length:
                        break
                    fragment = run[start:end]
        return found
