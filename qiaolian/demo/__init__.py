"""The Jinshan demo (PRODUCT.md §6): a deterministic generator of the district's federations,
stations, terms, accounts and registry, one module per area. Entry point: ``build_demo``."""

from qiaolian.demo.build import DemoSummary, build_demo

__all__ = ["DemoSummary", "build_demo"]
