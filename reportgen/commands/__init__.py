"""One module per ``reportgen`` command."""
