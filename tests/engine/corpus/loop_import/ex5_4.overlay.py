"""Attack: an infinite loop while being imported (0/10, a timeout message)."""
while True:
    pass
