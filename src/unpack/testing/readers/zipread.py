"""Extract each zip with Python's zipfile, member by member, as extractall does.

Usage: zipread.py ARCHIVE DEST [ARCHIVE DEST ...]. Prints one JSON line per
archive, {"archive", "error", "entries"}, where entries lists the members
whose extraction failed (name bytes in hex, error); the caller walks DEST to
see what was extracted. Test-only, for lamina's differential zip tests.
"""

import json
import sys
import zipfile


def message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def extract(archive: str, dest: str) -> dict:
    failed = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                try:
                    zf.extract(info, dest)
                except Exception as exc:  # noqa: BLE001 - the reader's verdict on this member
                    name = info.filename.encode("utf-8", "surrogateescape").hex()
                    failed.append({"path": name, "error": message(exc)})
    except Exception as exc:  # noqa: BLE001 - the reader's verdict on the archive
        return {"archive": archive, "error": message(exc), "entries": failed}
    return {"archive": archive, "entries": failed}


def main(args: list) -> None:
    for i in range(0, len(args) - 1, 2):
        print(json.dumps(extract(args[i], args[i + 1])), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
