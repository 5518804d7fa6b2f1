"""`python -m dojo` is the `dojo` command."""

from dojo.entry import main

main()
