"""Use cases over ports: what wahub does, independent of how it stores, talks to Meta or is served."""
