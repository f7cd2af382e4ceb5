"""Splitting one PDF of several documents (rendered in one call) back into the documents.

Plain texts in, page ranges out. The rule: the documents were rendered in a known order, each
starting on a new page, and each names itself on its first page (an invoice its number). Page
by page, a page belongs to the current document unless it names the next one, which then
starts there. The split holds only if every document starts on a page of its own and the first
page names the first document. When the pages carry no text to read (wkhtmltopdf's fonts often
give none) but there are as many pages as documents, each document is one page. Otherwise
nothing is split (the caller renders them one by one).
"""


def split_pages(page_texts, names):
    """[(first page, last page + 1)] of each document of `names`, in order, or None."""
    if not names or not page_texts:
        return None
    if names[0] not in page_texts[0]:
        if len(page_texts) == len(names):
            return [(index, index + 1) for index in range(len(names))]
        return None
    starts = [0]
    for index, text in enumerate(page_texts[1:], start=1):
        if len(starts) < len(names) and names[len(starts)] in text:
            starts.append(index)
    if len(starts) != len(names):
        return None
    ends = [*starts[1:], len(page_texts)]
    return list(zip(starts, ends, strict=True))
