import random

import pytest

from articles.importing.decode import decode, plausibility
from articles.importing.errors import ImportFailure

SIMPLIFIED = "大淘宝新设的三大中心正式运转，首批参与老字号焕新计划的品牌包括𠮷野家等餐饮企业。"
TRADITIONAL = "張勇說，這次調整的重點是用戶體驗和客戶價值，而不是規模增長。"


def test_a_bom_decides_the_encoding():
    assert decode(b"\xff\xfe" + "淘宝".encode("utf-16-le")).encoding == "utf-16-le"
    assert decode(b"\xef\xbb\xbf" + "Tmall".encode()).text == "Tmall"


def test_gb18030_is_not_mistaken_for_big5_or_latin():
    decoded = decode(SIMPLIFIED.encode("gb18030"))
    assert (decoded.encoding, decoded.text, decoded.doubtful) == ("gb18030", SIMPLIFIED, False)


def test_big5_is_not_mistaken_for_gb18030():
    decoded = decode(TRADITIONAL.encode("big5"))
    assert (decoded.encoding, decoded.text, decoded.doubtful) == ("big5", TRADITIONAL, False)


def test_correct_decoding_reads_more_plausibly_than_mojibake():
    raw = TRADITIONAL.encode("big5")
    assert plausibility(raw.decode("big5")) > 0.95 > 0.3 > plausibility(raw.decode("gb18030"))
    assert plausibility(SIMPLIFIED.encode("gb18030").decode("cp1252", "ignore")) < 0.3


def test_a_short_guess_is_flagged_doubtful():
    decoded = decode("王镕".encode("gb18030"))
    assert decoded.text == "王镕" and decoded.doubtful


def test_forced_encoding_must_fit_the_bytes():
    with pytest.raises(ImportFailure, match="not valid ascii"):
        decode("Café".encode("latin-1"), "ascii")
    with pytest.raises(ImportFailure, match="unknown encoding"):
        decode(b"\xe9t\xe9", "no-such-codec")


def test_random_high_bytes_are_refused_not_guessed():
    rng = random.Random(1)
    with pytest.raises(ImportFailure):
        decode(bytes(rng.randrange(0xA1, 0xFE) for _ in range(200)))
