"""One construct per cluster add-on: its Helm release, its values, the Pod Identity role it is given, what it waits for."""
