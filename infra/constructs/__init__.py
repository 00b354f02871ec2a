"""One construct per concern of the stack; each module's docstring says what it owns."""
