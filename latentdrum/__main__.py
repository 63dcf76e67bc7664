import sys

from latentdrum.cli import main

sys.exit(main())
