"""Attack: os._exit while being imported (0/10)."""
import os

os._exit(3)
