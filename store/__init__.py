"""The reference store: an e-commerce backend with one package per service."""
