"""Android binary XML (AndroidManifest.xml, res/*.xml in an APK) -> a small element tree.

Attributes are identified by their framework resource id where the file has a resource map (Android itself
reads manifest attributes by id, so obfuscators that blank or rename attribute name strings do not fool
it, and must not fool us), and by name otherwise. Element depth and count are bounded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from clonedetect.unpack.binres import (
    NO_INDEX,
    RES_STRING_POOL_TYPE,
    RES_XML_END_ELEMENT_TYPE,
    RES_XML_RESOURCE_MAP_TYPE,
    RES_XML_START_ELEMENT_TYPE,
    RES_XML_TYPE,
    TYPE_STRING,
    ResFormatError,
    ResValue,
    StringPool,
    format_value,
    read_chunk,
    read_value,
    u16,
    u32,
)

ANDROID_NS = "http://schemas.android.com/apk/res/android"
MAX_ELEMENTS = 200_000


@dataclass(frozen=True, slots=True)
class XmlAttribute:
    namespace: str
    name: str
    res_id: int  # framework attribute id (0x0101xxxx) from the resource map, 0 when none
    value: ResValue
    text: str  # the string form: raw string value, or the typed value formatted ('@0x7f010000', '42')


@dataclass(slots=True)
class XmlElement:
    name: str
    attributes: tuple[XmlAttribute, ...]
    children: list[XmlElement] = field(default_factory=list)

    def attribute(self, res_id: int, name: str) -> XmlAttribute | None:
        """The attribute with this framework id (0: none), else the one with this local name (android or no
        namespace): Android reads manifest attributes by id, 'package' and 'split' by name."""
        if res_id:
            for attribute in self.attributes:
                if attribute.res_id == res_id:
                    return attribute
        for attribute in self.attributes:
            if attribute.res_id == 0 and attribute.name == name and attribute.namespace in ("", ANDROID_NS):
                return attribute
        return None

    def iter(self, name: str | None = None) -> list[XmlElement]:
        """This element and all descendants (document order), optionally only those with a given name."""
        found: list[XmlElement] = []
        stack = [self]
        while stack:
            element = stack.pop()
            if name is None or element.name == name:
                found.append(element)
            stack.extend(reversed(element.children))
        return found


def is_axml(data: bytes) -> bool:
    """Binary XML starts with an RES_XML_TYPE chunk header of size 8."""
    return len(data) >= 8 and data[:4] == b"\x03\x00\x08\x00"


def parse_axml(data: bytes, max_depth: int) -> XmlElement:
    """The root element of a binary XML document; raises ResFormatError when there is none."""
    try:
        return _parse(data, max_depth)
    except (struct.error, IndexError) as error:
        raise ResFormatError(f"damaged binary XML ({error})") from None


def _parse(data: bytes, max_depth: int) -> XmlElement:
    document = read_chunk(data, 0, len(data))
    if document.type != RES_XML_TYPE:
        raise ResFormatError(f"not binary XML (chunk type 0x{document.type:04x})")
    strings: StringPool | None = None
    resource_ids: list[int] = []
    stack: list[XmlElement] = []
    root: XmlElement | None = None
    elements = 0
    offset = document.body
    while offset + 8 <= document.end:
        chunk = read_chunk(data, offset, document.end)
        offset = chunk.end
        if chunk.type == RES_STRING_POOL_TYPE and strings is None:
            strings = StringPool(data, chunk)
        elif chunk.type == RES_XML_RESOURCE_MAP_TYPE:
            count = (chunk.size - chunk.header_size) // 4
            resource_ids = list(struct.unpack_from(f"<{count}I", data, chunk.body))
        elif chunk.type == RES_XML_START_ELEMENT_TYPE:
            if strings is None:
                raise ResFormatError("element before the string pool")
            elements += 1
            if elements > MAX_ELEMENTS or len(stack) >= max_depth:
                raise ResFormatError(f"binary XML deeper than {max_depth} or over {MAX_ELEMENTS} elements")
            element = _start_element(data, chunk.body, chunk.end, strings, resource_ids)
            if stack:
                stack[-1].children.append(element)
            elif root is None:
                root = element
            stack.append(element)
        elif chunk.type == RES_XML_END_ELEMENT_TYPE and stack:
            stack.pop()
    if root is None:
        raise ResFormatError("binary XML has no element")
    return root


def _start_element(
    data: bytes, at: int, end: int, strings: StringPool, resource_ids: list[int]
) -> XmlElement:
    # ResXMLTree_attrExt: ns, name, attributeStart u16, attributeSize u16, attributeCount u16, ...
    if at + 20 > end:
        raise ResFormatError(f"element at {at} runs past its chunk")
    name = strings.get_or(u32(data, at + 4))
    attribute_start, attribute_size, count = u16(data, at + 8), u16(data, at + 10), u16(data, at + 12)
    attribute_size = max(attribute_size, 20)
    attributes: list[XmlAttribute] = []
    for index in range(count):
        position = at + attribute_start + index * attribute_size
        if position + 20 > end:
            raise ResFormatError(f"attribute {index} of <{name}> runs past its chunk")
        namespace_index, name_index, raw_index = struct.unpack_from("<III", data, position)
        value = read_value(data, position + 12, end)
        namespace = strings.get_or(namespace_index) if namespace_index != NO_INDEX else ""
        res_id = resource_ids[name_index] if name_index < len(resource_ids) else 0
        if raw_index != NO_INDEX:
            text = strings.get_or(raw_index)
        elif value.type == TYPE_STRING:
            text = strings.get_or(value.data)
        else:
            text = format_value(value)
        attributes.append(XmlAttribute(namespace, strings.get_or(name_index), res_id, value, text))
    return XmlElement(name, tuple(attributes))
