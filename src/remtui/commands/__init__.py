"""What the command line runs, as plain functions (no argument parsing, no Textual, no
Rich): each opens the store, does its work through the domain and returns an exit status."""
