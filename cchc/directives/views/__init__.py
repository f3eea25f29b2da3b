"""Pages of the directives app, split by what the reader is doing."""
