"""python3 -m qcoll_post.plot FILE.h5 [-o DIR]"""
import sys

from . import main

sys.exit(main())
