"""Spreadsheet writers. openpyxl is imported only inside the functions that write a file,
so importing this package (or the command line) stays cheap."""
