"""Read an admin page's form the way a browser would submit it (inputs, selects, textareas)."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data: dict[str, object] = {}
        self._select = None
        self._select_multiple = False
        self._textarea = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
                return
            self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_multiple, self._first_option = name, "multiple" in attrs, None
            if self._select_multiple:
                self.data[name] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                if self._select_multiple:
                    self.data[self._select].append(value)
                else:
                    self.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._select_multiple and self._select not in self.data:
                self.data[self._select] = self._first_option or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def form_data(html: str) -> dict:
    parser = _FormParser()
    parser.feed(html)
    return {key: value for key, value in parser.data.items() if key != "csrfmiddlewaretoken"}
