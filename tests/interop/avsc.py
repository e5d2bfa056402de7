"""avsc.py: a small Avro schema model for the interop test scripts.

Standard library only; used by gen_datums.py and compare_datums.py (not part
of the pipeline). Parses one .avsc file on its own (a fresh name table per
file, as every reader of schemas/ does) into plain Python objects, resolving
named-type references and namespaces by the Avro specification:

- a name containing a dot is a full name; otherwise the namespace is the
  type's own "namespace" attribute, else the enclosing named type's;
- a type may be referred to by name (full, or short within its namespace)
  anywhere after its definition; records may refer to themselves.

Logical types are kept as an attribute; the value space is the underlying
type's (timestamp-millis is a long), as in Avro's JSON encoding.
"""
import glob
import json
import os
import re
import sys

PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")


class SchemaError(Exception):
    pass


class Type:
    """One schema node. kind: a primitive name, or record, enum, fixed,
    array, map, union."""

    def __init__(self, kind, **kw):
        self.kind = kind
        self.name = None  # full name, named types only
        self.logical = None
        self.__dict__.update(kw)

    @property
    def short_name(self):
        return self.name.rsplit(".", 1)[-1] if self.name else None

    def branch_name(self):
        """The key Avro's JSON encoding uses for this type as a union branch."""
        return self.name if self.name else self.kind

    def __repr__(self):
        return "Type(%s%s)" % (self.kind, " " + self.name if self.name else "")


class Field:
    def __init__(self, name, type_, has_default, default, aliases):
        self.name = name
        self.type = type_
        self.has_default = has_default
        self.default = default
        self.aliases = aliases


def _full_name(name, namespace):
    if "." in name:
        return name
    return "%s.%s" % (namespace, name) if namespace else name


class _Parser:
    def __init__(self, where):
        self.where = where
        self.names = {}

    def fail(self, msg):
        raise SchemaError("%s: %s" % (self.where, msg))

    def lookup(self, name, namespace):
        for candidate in (_full_name(name, namespace), name):
            if candidate in self.names:
                return self.names[candidate]
        self.fail("unknown type name %r (namespace %r)" % (name, namespace))

    def parse(self, js, namespace):
        if isinstance(js, str):
            if js in PRIMITIVES:
                return Type(js)
            return self.lookup(js, namespace)
        if isinstance(js, list):
            branches = [self.parse(b, namespace) for b in js]
            if not branches:
                self.fail("empty union")
            return Type("union", branches=branches)
        if not isinstance(js, dict) or "type" not in js:
            self.fail("not a schema: %r" % (js,))
        kind = js["type"]
        if isinstance(kind, (dict, list)):
            return self.parse(kind, namespace)  # {"type": {...}} wrapper
        if kind in PRIMITIVES:
            t = Type(kind)
            t.logical = js.get("logicalType")
            return t
        if kind in ("record", "error", "enum", "fixed"):
            ns = js.get("namespace")
            name = js.get("name")
            if not isinstance(name, str) or not name:
                self.fail("%s without a name" % kind)
            if "." in name:
                full = name
            else:
                full = _full_name(name, ns if ns is not None else namespace)
            inner_ns = full.rsplit(".", 1)[0] if "." in full else ""
            if full in self.names:
                self.fail("type %s defined twice" % full)
            t = Type("record" if kind == "error" else kind)
            t.name = full
            t.logical = js.get("logicalType")
            t.aliases = [_full_name(a, inner_ns) for a in js.get("aliases", [])]
            self.names[full] = t  # before the body: records may refer to themselves
            if t.kind == "record":
                t.fields = []
                for f in js.get("fields", []):
                    ft = self.parse(f["type"], inner_ns)
                    t.fields.append(Field(f["name"], ft, "default" in f, f.get("default"),
                                          f.get("aliases", [])))
            elif t.kind == "enum":
                t.symbols = list(js["symbols"])
                t.default = js.get("default")
            else:
                t.size = int(js["size"])
            return t
        if kind == "array":
            return Type("array", items=self.parse(js["items"], namespace))
        if kind == "map":
            return Type("map", values=self.parse(js["values"], namespace))
        # {"type": "zengshou.Name"}: a reference in object form.
        return self.lookup(kind, namespace)


def load(path):
    """Parses FILE.avsc; returns the top-level Type."""
    with open(path, encoding="utf-8") as f:
        js = json.load(f)
    return _Parser(path).parse(js, "")


def message_name(path):
    """(full name, version) from the schema and its file name <Name>.v<N>.avsc."""
    t = load(path)
    m = re.search(r"\.v(\d+)\.avsc$", os.path.basename(path))
    return t.name or t.kind, int(m.group(1)) if m else 0


def _main(argv):
    """avsc.py list DIR: one line per DIR/*.avsc, sorted by file name:
    <file> <full name> <short name> <version> <file of the latest version>."""
    if len(argv) != 3 or argv[1] != "list":
        print("usage: avsc.py list SCHEMA_DIR", file=sys.stderr)
        return 2
    rows = []
    for path in sorted(glob.glob(os.path.join(argv[2], "*.avsc"))):
        try:
            name, version = message_name(path)
        except (OSError, ValueError, KeyError, SchemaError) as e:
            print("avsc.py: %s: %s" % (path, e), file=sys.stderr)
            return 1
        rows.append((os.path.basename(path), name, version))
    latest = {}
    for base, name, version in rows:
        if name not in latest or version > latest[name][1]:
            latest[name] = (base, version)
    for base, name, version in rows:
        print(base, name, name.rsplit(".", 1)[-1], version, latest[name][0])
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
