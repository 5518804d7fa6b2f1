"""`python -m dojo` is the `dojo` command."""

from dojo.cli import main

main()
