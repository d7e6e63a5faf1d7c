"""python3 -m qcoll_post FILE.h5 [...]: print what each file holds."""
import argparse

from .loader import load


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m qcoll_post",
                                     description="List the contents of qcoll HDF5 files.")
    parser.add_argument("files", nargs="+", metavar="FILE.h5")
    args = parser.parse_args(argv)
    for path in args.files:
        print(load(path).summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
