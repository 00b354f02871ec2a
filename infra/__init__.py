"""The Deskless CDK app: a thin stack composing one construct per concern (see infra/stack.py)."""
