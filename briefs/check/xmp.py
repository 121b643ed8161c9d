"""The XMP packet of a PDF: its properties by namespace, read as RDF/XML (ISO 16684-1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"
DC = "http://purl.org/dc/elements/1.1/"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"

PREDEFINED = frozenset(
    {
        # the schemas of the XMP Specification (2005) that ISO 19005-2 6.6.2.3.1 lists as predefined
        DC,
        "http://ns.adobe.com/xap/1.0/",
        "http://ns.adobe.com/xap/1.0/rights/",
        "http://ns.adobe.com/xap/1.0/mm/",
        "http://ns.adobe.com/xap/1.0/bj/",
        "http://ns.adobe.com/xap/1.0/t/pg/",
        "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
        "http://ns.adobe.com/pdf/1.3/",
        "http://ns.adobe.com/photoshop/1.0/",
        "http://ns.adobe.com/camera-raw-settings/1.0/",
        "http://ns.adobe.com/tiff/1.0/",
        "http://ns.adobe.com/exif/1.0/",
        "http://ns.adobe.com/exif/1.0/aux/",
        "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
        # PDF/A's own: identification and the extension schema container
        PDFAID,
        PDFA_EXTENSION,
    }
)


class XmpError(ValueError):
    """The packet is not well-formed XML or not RDF."""


@dataclass
class Xmp:
    """Top-level XMP properties: ``{namespace: {name: [values]}}``; an array gives one value per item."""

    properties: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    extension_properties: dict[str, set[str]] = field(default_factory=dict)
    """What ``pdfaExtension:schemas`` declares: ``{namespace URI: {property names}}``."""

    def values(self, namespace: str, name: str) -> list[str]:
        return self.properties.get(namespace, {}).get(name, [])

    def first(self, namespace: str, name: str) -> str | None:
        found = self.values(namespace, name)
        return found[0] if found else None

    def undeclared(self) -> list[str]:
        """Properties neither in a predefined schema nor declared by an extension schema."""
        return sorted(
            f"{{{namespace}}}{name}"
            for namespace, names in self.properties.items()
            if namespace not in PREDEFINED
            for name in names
            if name not in self.extension_properties.get(namespace, set())
        )


def parse(data: bytes) -> Xmp:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data.strip(), parser)
    except etree.XMLSyntaxError as error:
        raise XmpError(f"not well-formed XML: {error}") from error
    xmp = Xmp()
    descriptions = root.iter(f"{{{RDF}}}Description")
    for description in descriptions:
        if description.getparent() is None or description.getparent().tag != f"{{{RDF}}}RDF":
            continue  # a nested description is a structured value, read with its property
        for key, value in description.attrib.items():
            namespace, name = _split(key)
            if namespace in (RDF, XML) or namespace is None:
                continue
            xmp.properties.setdefault(namespace, {}).setdefault(name, []).append(value)
        for child in description:
            if not isinstance(child.tag, str):
                continue
            namespace, name = _split(child.tag)
            if namespace is None:
                continue
            xmp.properties.setdefault(namespace, {}).setdefault(name, []).extend(_texts(child))
            if namespace == PDFA_EXTENSION and name == "schemas":
                _read_extensions(child, xmp.extension_properties)
    return xmp


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _texts(element: etree._Element) -> list[str]:
    """A property's values: its text, or the text of each item of its rdf:Alt, rdf:Seq or rdf:Bag."""
    items = element.findall(f"{{{RDF}}}*/{{{RDF}}}li")
    if items:
        return ["".join(item.itertext()).strip() for item in items]
    if len(element) == 0:
        return [(element.text or "").strip()]
    return ["".join(element.itertext()).strip()]


def _read_extensions(schemas: etree._Element, declared: dict[str, set[str]]) -> None:
    for schema in schemas.iterfind(f"{{{RDF}}}Bag/{{{RDF}}}li"):
        uri = _field(schema, PDFA_SCHEMA, "namespaceURI")
        if uri is None:
            continue
        names = declared.setdefault(uri, set())
        for prop in schema.iterfind(f"{{{PDFA_SCHEMA}}}property/{{{RDF}}}Seq/{{{RDF}}}li"):
            name = _field(prop, PDFA_PROPERTY, "name")
            if name:
                names.add(name)


def _field(item: etree._Element, namespace: str, name: str) -> str | None:
    """A field of a structured value, written as an element or as an attribute (of the item or its
    rdf:Description)."""
    for holder in (item, *item.iterfind(f"{{{RDF}}}Description")):
        value = holder.get(f"{{{namespace}}}{name}")
        if value is not None:
            return str(value).strip()
        child = holder.find(f"{{{namespace}}}{name}")
        if child is not None:
            return "".join(child.itertext()).strip()
    return None
