"""Qiaolian (侨联): the work and service platform of a Federation of Returned Overseas Chinese."""

__version__ = "0.1.0"
