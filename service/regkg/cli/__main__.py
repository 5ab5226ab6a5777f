"""`python -m regkg.cli`."""

from regkg.cli import main

main()
