"""`python -m builder` -> the `counterpoint` command line."""

from builder.cli import main

main()
