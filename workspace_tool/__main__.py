"""`python -m workspace_tool` runs `wm`."""

from workspace_tool.cli import main

if __name__ == "__main__":
    main(prog_name="wm")
