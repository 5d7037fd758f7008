"""The application: the command line, the daemon, configuration, opening a workspace."""
