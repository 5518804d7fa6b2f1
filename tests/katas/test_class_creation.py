"""class_creation: a plugin registry through ``__init_subclass__`` and a metaclass that demands docstrings."""

from __future__ import annotations

import abc
from typing import Any

import pytest

from katas.class_creation import DocumentedMeta, Plugin


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no plugins registered, whatever earlier tests defined."""
    monkeypatch.setattr(Plugin, "registry", {})


# ---- Plugin: __init_subclass__ ----


def test_a_named_subclass_registers_itself_just_by_being_defined() -> None:
    class CsvExporter(Plugin, name="csv"):
        pass

    assert Plugin.registry == {"csv": CsvExporter}
    assert Plugin.get("csv") is CsvExporter
    assert CsvExporter.plugin_name == "csv"


def test_a_subclass_without_a_name_is_a_base_and_is_not_registered() -> None:
    class Exporter(Plugin):
        pass

    class JsonExporter(Exporter, name="json"):
        pass

    assert Plugin.registry == {"json": JsonExporter}, "only named subclasses register, at any depth"
    assert Exporter.plugin_name is None


def test_two_plugins_with_the_same_name_are_refused_naming_both_classes() -> None:
    class First(Plugin, name="pdf"):
        pass

    with pytest.raises(ValueError, match="pdf") as error:

        class Second(Plugin, name="pdf"):
            pass

    assert "First" in str(error.value), "the message should say who already has the name"
    assert "Second" in str(error.value), "the message should say which class was refused"
    assert Plugin.get("pdf") is First, "the refused class must not replace the registered one"


def test_an_empty_name_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="Nameless"):

        class Nameless(Plugin, name=""):
            pass

    assert Plugin.registry == {}


def test_get_an_unknown_name_raises_key_error_listing_the_known_ones() -> None:
    class Csv(Plugin, name="csv"):
        pass

    class Xml(Plugin, name="xml"):
        pass

    with pytest.raises(KeyError) as error:
        Plugin.get("yaml")
    message = str(error.value)
    assert "yaml" in message
    assert "csv" in message, f"list the known plugins so the caller sees the typo: {message}"
    assert "xml" in message, f"list the known plugins so the caller sees the typo: {message}"
    assert "csv, xml" in message, f"list them sorted and comma-separated ('csv, xml'): {message}"


def test_other_class_keywords_reach_the_other_bases_init_subclass() -> None:
    seen: dict[str, Any] = {}

    class Tagged:
        def __init_subclass__(cls, *, tag: str = "", **kwargs: Any) -> None:
            super().__init_subclass__(**kwargs)
            seen[cls.__name__] = tag

    class Both(Plugin, Tagged, name="both", tag="blue"):
        pass

    assert seen == {"Both": "blue"}, "Plugin must pass keywords it does not use on with super().__init_subclass__(**kwargs)"
    assert Plugin.get("both") is Both


# ---- DocumentedMeta: a metaclass ----


def test_a_public_method_without_a_docstring_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"Report\.render is public and needs a docstring"):

        class Report(metaclass=DocumentedMeta):
            def render(self) -> str:
                return ""


@pytest.mark.parametrize("kind", ["classmethod", "staticmethod"])
def test_classmethods_and_staticmethods_are_checked_too(kind: str) -> None:
    decorator = classmethod if kind == "classmethod" else staticmethod

    def build(*args: object) -> int:
        return 1

    with pytest.raises(TypeError, match=r"Report\.build"):
        DocumentedMeta("Report", (), {"build": decorator(build)})


def test_documented_private_and_dunder_methods_pass_and_the_class_works() -> None:
    class Report(metaclass=DocumentedMeta):
        limit = 3  # plain attributes are not methods

        def __init__(self, title: str) -> None:
            self.title = title

        def _helper(self) -> str:
            return self.title.upper()

        def render(self) -> str:
            """Return the title, shouted."""
            return self._helper()

    assert Report("q3").render() == "Q3"
    assert type(Report) is DocumentedMeta


def test_a_whitespace_only_docstring_does_not_count() -> None:
    with pytest.raises(TypeError, match=r"Report\.render"):

        class Report(metaclass=DocumentedMeta):
            def render(self) -> None:
                """ """


def test_class_keywords_still_reach_init_subclass_through_the_metaclass() -> None:
    class Documented(Plugin, metaclass=DocumentedMeta, name="documented"):
        def export(self) -> str:
            """Export something."""
            return "ok"

    assert Plugin.get("documented") is Documented
    assert Documented().export() == "ok"


def test_a_metaclass_conflicts_with_another_metaclass_where_init_subclass_does_not() -> None:
    """The reason to prefer __init_subclass__: it composes with ABCMeta, a metaclass does not."""

    class Shape(abc.ABC):
        @abc.abstractmethod
        def area(self) -> float:
            """The area."""

    class Square(Shape, Plugin, name="square"):
        def area(self) -> float:
            return 4.0

    assert Plugin.get("square") is Square
    with pytest.raises(TypeError, match="metaclass conflict"):
        DocumentedMeta("Circle", (Shape,), {})
