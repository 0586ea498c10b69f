"""Size of each built function and layer after `sam build`: unzipped, and zipped as deployed."""

import io
import sys
import zipfile
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parents[1] / ".aws-sam" / "build"


def unzipped_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def zipped_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder))
    return buffer.tell()


def main() -> int:
    folders = sorted(path for path in BUILD_DIR.glob("*") if path.is_dir())
    if not folders:
        print(f"nothing built in {BUILD_DIR}: run `make build` first")
        return 1

    print("package size after sam build (Lambda limit: 250 MB unzipped, functions plus layers)")
    print(f"{'artifact':<32} {'unzipped KB':>12} {'zipped KB':>10}")
    for folder in folders:
        unzipped = unzipped_size(folder) / 1e3
        zipped = zipped_size(folder) / 1e3
        print(f"{folder.name:<32} {unzipped:>12.0f} {zipped:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
