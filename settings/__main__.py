"""`python -m settings` prints the README's settings table."""
from settings.table import settings_table

print(settings_table())
