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


def chinese_text(megabytes, line=SIMPLIFIED + "\n"):
    """About `megabytes` MB of GB18030-encodable text, as str."""
    return line * (megabytes * 1_000_000 // len(line.encode("gb18030")) + 1)


@pytest.fixture
def seen(monkeypatch):
    """How much the encoding detector and the plausibility check are given, call by call."""
    from articles.importing import decode as module

    seen = {"detector": [], "plausibility": []}
    detect, judge = module.charset_normalizer.from_bytes, module.plausibility

    def recording_detect(raw, *args, **kwargs):
        seen["detector"].append(len(raw))
        return detect(raw, *args, **kwargs)

    def recording_judge(text):
        seen["plausibility"].append(len(text))
        return judge(text)

    monkeypatch.setattr(module.charset_normalizer, "from_bytes", recording_detect)
    monkeypatch.setattr(module, "plausibility", recording_judge)
    return seen


def test_guessing_looks_at_a_bounded_sample_but_decodes_the_whole_file(seen):
    from articles.importing.decode import SAMPLE_BYTES

    text = chinese_text(2) + "末尾：𠮷野家\n"
    raw = text.encode("gb18030")
    assert len(raw) > 2_000_000
    decoded = decode(raw)
    assert (decoded.encoding, decoded.doubtful) == ("gb18030", False)
    assert decoded.text == text
    assert seen["detector"] and max(seen["detector"]) <= SAMPLE_BYTES
    assert seen["plausibility"] and max(seen["plausibility"]) <= SAMPLE_BYTES


def test_a_sample_cut_inside_a_character_still_guesses_right(seen):
    from articles.importing.decode import SAMPLE_BYTES

    text = "𠮷" + SIMPLIFIED * (2 * SAMPLE_BYTES // len(SIMPLIFIED.encode("gb18030")))
    raw = text.encode("gb18030")
    assert not any(byte < 0x30 for byte in raw)
    decoded = decode(raw)
    assert (decoded.encoding, decoded.text) == ("gb18030", text)
    assert max(seen["detector"]) <= SAMPLE_BYTES


def test_a_tail_invalid_in_the_sampled_encoding_fails_with_a_clear_message():
    head = chinese_text(1).encode("gb18030")
    raw = head + b"\xff\xfe broken tail " + SIMPLIFIED.encode("gb18030")
    with pytest.raises(ImportFailure, match=rf"not valid gb18030 \(illegal multibyte sequence at byte {len(head)}\)"):
        decode(raw)


def test_a_tail_invalid_in_the_sampled_encoding_falls_back_to_one_that_reads_the_sample_as_well():
    text = "Wire copy, plain ASCII for a long while.\n" * 3000 + "Then a name: Zoë Bréhaut, café owner.\n"
    decoded = decode(text.encode("cp1252"))
    assert (decoded.encoding, decoded.text, decoded.doubtful) == ("cp1252", text, False)
