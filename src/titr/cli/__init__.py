"""Command-line interface (Typer + Rich). Thin: no model logic here."""
