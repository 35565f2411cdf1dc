"""The starter library's sources, shipped as the ``cagette.starter`` package."""
