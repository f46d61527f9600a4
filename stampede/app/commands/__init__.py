"""Each module here is one `stampede` subcommand; `cli.py` imports them lazily."""
