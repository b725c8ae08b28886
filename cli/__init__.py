"""The `iobuf` command line: one module per subcommand."""
