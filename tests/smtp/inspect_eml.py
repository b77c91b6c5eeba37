#!/usr/bin/env python3
"""Parses a message with Python's email package (an independent MIME parser) and prints JSON:
its headers as received and decoded, the MIME tree, every part's decoded content and the parser's
defects. Used by Tessera's send tests to check what arrived.

Usage: inspect_eml.py FILE.eml
"""
import json
import sys
from email import policy
from email.parser import BytesParser


def part_info(part):
    info = {
        "content_type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "transfer_encoding": part.get("Content-Transfer-Encoding"),
        "content_id": part.get("Content-ID"),
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "defects": [type(d).__name__ for d in part.defects],
    }
    if part.is_multipart():
        info["parts"] = [part_info(p) for p in part.iter_parts()]
    elif part.get_content_maintype() == "text":
        info["text"] = part.get_content()
    else:
        payload = part.get_payload(decode=True) or b""
        info["bytes"] = len(payload)
        info["hex_start"] = payload[:8].hex()
    return info


def main():
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    head = raw.split(b"\r\n\r\n", 1)[0]
    out = {
        "header_names": [k for k, _ in msg.raw_items()],
        "headers": {k: str(v) for k, v in msg.items()},
        "raw_head": head.decode("ascii", "replace"),
        "all_ascii": all(b < 128 for b in raw),
        "max_line": max(len(l) for l in raw.split(b"\r\n")),
        "tree": part_info(msg),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
