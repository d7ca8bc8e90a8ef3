"""The command line. ``main.py`` holds the group; each command lives in its own module and is
imported only when invoked, so ``flowdsl --version`` stays fast."""
