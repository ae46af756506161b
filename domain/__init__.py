"""Facts and checks shared by settings, stacks and charts: instance types, quantities, credential files, names, versions."""
