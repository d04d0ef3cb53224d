"""`python -m fip`, the same as the `fip` console script."""

from fip.main import main

main()
