from engine.pdf_split import split_pages


def test_one_page_each_and_a_longer_one():
    assert split_pages(["Invoice INV/1", "Invoice INV/2 p1", "INV/2 p2", "Invoice INV/3"],
                       ["INV/1", "INV/2", "INV/3"]) == [(0, 1), (1, 3), (3, 4)]


def test_nothing_is_split_when_a_document_cannot_be_found():
    assert split_pages(["Invoice INV/1", "Invoice INV/3"], ["INV/1", "INV/2", "INV/3"]) is None
    assert split_pages(["cover page", "Invoice INV/1"], ["INV/1"]) is None
    assert split_pages(["", "", ""], ["INV/1", "INV/2"]) is None


def test_pages_without_text_one_page_each():
    assert split_pages(["", ""], ["INV/1", "INV/2"]) == [(0, 1), (1, 2)]
    assert split_pages([], ["INV/1"]) is None


def test_one_document():
    assert split_pages(["Invoice INV/1", "more"], ["INV/1"]) == [(0, 2)]
