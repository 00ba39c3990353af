"""kazoo's ``kazoo.recipe`` package: one module per kazoo recipe module, same names."""
