"""REFI-QDA codebooks: the tag set out and back, checked against the REFI Project XSD's CodeBook type."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from desktop.core import errors, exchange, model, store
from desktop.core.exchange import qdc

CODEBOOK = "urn:QDA-XML:codebook:1.0"
PROJECT = "urn:QDA-XML:project:1.0"


def test_codebook_is_the_refi_codebook_type(tmp_path: Path, testdata: Path) -> None:
    st_ = store.Store.memory(annotator="ana")
    st_.add_tag("rival view", label="Rival <view> & co", colour="#13c2c2")
    data = exchange.render(st_, "qdc")
    root = etree.fromstring(data)
    assert root.tag == f"{{{CODEBOOK}}}CodeBook"
    # The codebook's Codes are the Project schema's CodeBookType: validate them inside a Project.
    codes = etree.tostring(root.find(f"{{{CODEBOOK}}}Codes")).replace(CODEBOOK.encode(), PROJECT.encode())
    project = etree.fromstring(
        f'<Project xmlns="{PROJECT}" name="check"><CodeBook>'.encode() + codes + b"</CodeBook></Project>"
    )
    schema = etree.XMLSchema(etree.parse(str(testdata / "refi-qda" / "Project-mrt2019.xsd")))
    assert schema.validate(project.getroottree()), schema.error_log
    names = [c.get("name") for c in root.iter(f"{{{CODEBOOK}}}Code")]
    assert names == [t.name for t in st_.tags()]


def test_round_trip(tmp_path: Path) -> None:
    st_ = store.Store.memory(annotator="ana")
    st_.add_tag("rival view", label="Rival view", colour="#13c2c2")
    st_.add_tag("Parent / Child", label="Nested one", colour="#abcdef")
    path = tmp_path / "tags.qdc"
    exchange.export(st_, "qdc", path)
    back = store.Store.memory(annotator="zoe")
    report = qdc.import_file(back, path)
    assert report.tags_added == ["rival view", "Parent / Child"]
    assert [(t.name, t.label, t.colour) for t in back.tags()] == [(t.name, t.label, t.colour) for t in st_.tags()]
    assert qdc.import_file(back, path).tags_added == []


def test_description_goes_into_the_code_description_and_the_label_round_trips(tmp_path: Path) -> None:
    from desktop.core import operations

    st_ = store.Store.memory(annotator="ana")
    st_.add_tag("rival view", label="Rival view", colour="#13c2c2")
    operations.describe_tag(st_, "rival view", "An explanation the author argues against.\nUse sparingly.")
    path = tmp_path / "tags.qdc"
    exchange.export(st_, "qdc", path)
    root = etree.fromstring(path.read_bytes())
    code = next(c for c in root.iter(f"{{{CODEBOOK}}}Code") if c.get("name") == "rival view")
    assert "An explanation the author argues against." in (code.findtext(f"{{{CODEBOOK}}}Description") or "")
    back = store.Store.memory(annotator="zoe")
    qdc.import_file(back, path)
    got = model.TagSet(back.tags()).get("rival view")
    assert (got.label, got.description) == ("Rival view", "An explanation the author argues against.\nUse sparingly.")


def test_import_of_vendor_codes(testdata: Path) -> None:
    st_ = store.Store.memory(annotator="ana")
    report = qdc.import_file(st_, testdata / "refi-qda" / "ornio-qdpx-toolkit" / "project.qde")
    assert report.tags_added == ["Topics", "Topics / Health", "Topics / Health / Diet", "Topics / Wellbeing"]
    colours = {t.name: t.colour for t in st_.tags()}
    assert colours["Topics / Health / Diet"] == "#dc0000"
    atlas = store.Store.memory(annotator="ana")
    assert len(qdc.import_file(atlas, testdata / "refi-qda" / "sky-loom" / "Project.qde").tags_added) == 14
    with pytest.raises(errors.ExchangeError, match="no valid guid"):
        qdc.import_file(store.Store.memory(), testdata / "refi-qda" / "sky-loom" / "BAD-code-missing-guid.qde")


def test_existing_tags_match_by_name_or_label(tmp_path: Path) -> None:
    path = tmp_path / "c.qdc"
    path.write_text(
        f'<CodeBook xmlns="{CODEBOOK}" origin="Taguette"><Codes>'
        '<Code guid="{0C5C3F2A-1111-4222-8333-444455556666}" name="CLAIM" isCodable="true" color="#000"/>'
        '<Code guid="0C5C3F2A-1111-4222-8333-444455556667" name="Evidence" isCodable="true"/>'
        '<Code guid="0c5c3f2a-1111-4222-8333-444455556668" name="new one" isCodable="true" color="#abc"/>'
        "</Codes></CodeBook>",
        encoding="utf-8",
    )
    st_ = store.Store.memory()
    report = qdc.import_file(st_, path)
    assert report.tags_added == ["new one"]
    assert {t.name: t.colour for t in st_.tags()}["new one"] == "#aabbcc"
    assert {t.name: t.colour for t in st_.tags()}["claim"] == "#e6a23c"  # kept as it was
