"""ZATCA QR (base64 TLV, tags 1–5) against the spec's vectors and generated invoices, and the hash chain."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.zatca import (
    GENESIS_HASH,
    DocumentKind,
    DocumentLine,
    InvoiceDraft,
    QrFields,
    Seller,
    decode_qr,
    encode_qr,
    issue,
    tlv_decode,
    tlv_encode,
    verify_chain,
)

SDK_FULL = (
    "ARNBY21lIFdpZGdldOKAmXMgTFREAg8zMTExMTExMTExMDExMTMDFDIwMjItMDgtMTdUMTc6NDE6MDhaBAYyMzEuMTUFBTMwLjE1BixyLzJzaTYwQkVl"
    "dzBOUUNITkhOZWpvd0xETGpWTlYvVlRUL1A4UVNMeE1rPQdgTUVVQ0lRQ29qbHZvQjZrRW94WkNzamYrRlhyVG5lbXVKaTlwNkNFOTh4WGhHNWFt"
    "OUFJZ1N6WldYM2lSa05XNUdoNmNUQTdKdkEzSzlHWjZJcDFsdlEwSmVuM3IwOUU9CFgwVjAQBgcqhkjOPQIBBgUrgQQACgNCAARhgwyg5oVgCEw7"
    "+y16i19nJq+vqnXVJKXCwr1rOawtjtvVv4UuGowCuEHZ2ocpujGoo1++QoN4+GmqO6LmFyfRCUYwRAIgOgjNPJW017lsIijmVQVkP7GzFO2KQKd9"
    "GHaukLgIWFsCIFJF9uwKhTMxDjWbN+1awsnFI7RLBRxA/6hZ+F1wtaqU"
)
SDK_PHASE1 = "ARNBY21lIFdpZGdldOKAmXMgTFREAg8zMTExMTExMTExMDExMTMDFDIwMjItMDgtMTdUMTc6NDE6MDhaBAYyMzEuMTUFBTMwLjE1"


def test_the_sdk_phase_1_vector_byte_for_byte() -> None:
    fields = QrFields("Acme Widget’s LTD", "311111111101113", datetime(2022, 8, 17, 17, 41, 8, tzinfo=UTC), 23115,
                      3015)
    assert encode_qr(fields) == SDK_PHASE1
    assert decode_qr(SDK_PHASE1) == fields
    assert base64.b64decode(SDK_PHASE1)[1] == 19  # 17 characters, 19 UTF-8 bytes (’ is 3 bytes)


def test_the_full_sdk_qr_decodes_with_phase_2_tags_and_re_encodes_exactly() -> None:
    tags = tlv_decode(SDK_FULL)
    assert sorted(tags) == list(range(1, 10))
    assert tags[6] == "r/2si60BEew0NQCHNHNejowLDLjVNV/VTT/P8QSLxMk="
    assert isinstance(tags[8], bytes) and len(tags[8]) == 88 and tags[8][:4].hex() == "30563010"
    assert isinstance(tags[9], bytes) and len(tags[9]) == 70
    assert tlv_encode(list(tags.items())) == SDK_FULL
    assert SDK_FULL.startswith(SDK_PHASE1)


def test_arabic_seller_names_count_bytes() -> None:
    name = "صالون لمسة الجمال"
    payload = encode_qr(QrFields(name, "310122393500003", datetime(2026, 11, 25, 7, 0, tzinfo=UTC), 23000, 3000))
    raw = base64.b64decode(payload)
    assert raw[0] == 1 and raw[1] == len(name.encode("utf-8")) == 32 and len(name) == 17
    assert raw[2:2 + raw[1]].decode("utf-8") == name
    assert decode_qr(payload).seller_name == name


@pytest.mark.parametrize(("payload", "code"), [
    ("not base64!", "zatca.not_base64"),
    (base64.b64encode(b"\x01\x05abc").decode(), "zatca.truncated"),
    (base64.b64encode(base64.b64decode(SDK_PHASE1) + b"\x01").decode(), "zatca.trailing"),
    (base64.b64encode(base64.b64decode(SDK_PHASE1) + b"\x05\x0130").decode(), "zatca.duplicate_tag"),
    (base64.b64encode(b"\x01\x01A\x02\x01B\x03\x01C\x04\x01D").decode(), "zatca.missing_tag"),
    (base64.b64encode(base64.b64decode(SDK_PHASE1) + b"\x0c\x00").decode(), "zatca.unknown_tag"),
    (base64.b64encode(b"\x01\x02\xff\xfe").decode(), "zatca.not_utf8"),
])
def test_malformed_payloads_say_what_is_wrong(payload: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        tlv_decode(payload)
    assert info.value.code == code


NAMES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(NAMES.filter(lambda s: s.strip()), st.integers(min_value=0, max_value=10**9),
       st.datetimes(min_value=datetime(2021, 12, 4), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)))
def test_generated_invoices_decode_back_to_their_fields(name: str, gross: int, at: datetime) -> None:
    vat = gross * 15 // 115
    fields = QrFields(name, "310122393500003", at.replace(microsecond=0), gross, vat)
    assert decode_qr(encode_qr(fields)) == fields


def _chain(n: int) -> list:
    seller = Seller("صالون لمسة الجمال", "310122393500003")
    docs, previous = [], GENESIS_HASH
    at = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    for i in range(1, n + 1):
        line = DocumentLine("قص شعر", "Haircut", 1, 11500, 10000, 1500)
        draft = InvoiceDraft(DocumentKind.INVOICE, seller, at + timedelta(minutes=i), (line,), 10000, 1500, 11500)
        doc = issue(draft, id=f"id{i}", uuid=f"00000000-0000-7000-8000-{i:012d}", series="D1", number=i,
                    counter=i, previous_hash=previous)
        docs.append(doc)
        previous = doc.hash
    return docs


def test_the_chain_verifies_and_any_change_is_caught() -> None:
    docs = _chain(5)
    assert docs[0].previous_hash == GENESIS_HASH == "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ=="
    assert verify_chain(docs) == []
    tampered = list(docs)
    tampered[2] = replace(docs[2], gross=99999)
    assert {p.problem for p in verify_chain(tampered)} >= {"hash", "qr"}
    assert [p.problem for p in verify_chain(docs[:2] + docs[3:])] == ["gap", "number_gap", "link"]


def test_cli_encode_and_decode(capsys: pytest.CaptureFixture[str]) -> None:
    from salon_desk.cli import desk_main

    assert desk_main(["zatca-qr", "encode", "--seller", "Acme Widget’s LTD", "--vat-number", "311111111101113",
                      "--time", "2022-08-17T17:41:08Z", "--total", "231.15", "--vat", "30.15"]) == 0
    assert capsys.readouterr().out.strip() == SDK_PHASE1
    assert desk_main(["zatca-qr", "decode", SDK_PHASE1]) == 0
    out = capsys.readouterr().out
    assert "1 seller (19 bytes): Acme Widget’s LTD" in out and "4 total (6 bytes): 231.15" in out
    bad = base64.b64encode(base64.b64decode(SDK_PHASE1)[:-2]).decode()
    assert desk_main(["zatca-qr", "--lang", "en", "decode", bad]) == 1
    assert "ends in the middle of tag 5" in capsys.readouterr().err
    assert desk_main(["zatca-qr", "decode", bad]) == 1
    assert "الحقل 5" in capsys.readouterr().err
